"""What the API can read of each node kind, and how related nodes are reached: the read plan.

The GraphQL types (`api/*.py`) are named after the labels of `model/vocabulary.py`, and their
fields after what this module declares; the API reads these declarations, never the other way
round (`graph/` does not import `api/`).

- A **plain field** of a node type reads the node property of the field's Python name
  (`Product.filename` -> `.filename`). `VIEWS` holds only the others: a property of another name
  (`program_id` -> `.program`) or a Cypher expression over the node `{n}`.
- A **relation field** is declared once, in `LINKS`, under ``"<Type>.<python_name>"``: the
  pattern from the node `{a}` through relationships `{r}` to the related nodes `{b}`, their label,
  and how they are answered (one node, a list, a keyset page, relationship items, an inputs
  summary). The resolver made with `api.relations.relation` finds its link by its own qualified
  name and refuses to exist without one.

Recipe, a new API field:

1. A node property: add the attribute to the type in `api/<kind>.py` under the property's name
   (a different name or a computed value: also an entry in `VIEWS` below).
   `tests/api/test_bundled_sample.py` checks that the bundled sample holds the property read.
2. A relationship: add its `Link` to `LINKS` below (`_out`/`_in` for one hop of a relationship of
   `model/vocabulary.py`; `filter` when an argument narrows it), then in the type's module a
   resolver of the same name, decorated ``@relation("what it gives (REL_TYPE)")``, whose body is
   ``return related(self, info)``, whose one argument (if the link has a `filter`) is the filter
   (an enum of `api/enums.py`, `list[str]` or `str`), and whose return type is the target's type:
   one (`| None`) when `single`, the target's connection (`ProductConnection`, `ObservationConnection`,
   `EngineeringSeriesConnection`) when `page`, a list otherwise. A list that can hold more than a page
   takes `first` (its cap, `LIST_SIZE`) and has a `<field>_connection` beside it to count and page
   on (its name in `PAGED_LISTS` makes that link: the same one, paged).
   `tests/api/test_relations.py` checks every link is a field and answers what the test sample
   holds (a pattern of more than one hop needs its expected answer written there).
3. A product filter (the `filter` argument of product pages): its condition in `PRODUCT_FILTERS`
   below and its field in `api/pagination.py` `ProductFilter` (each without the other is refused
   when the API is imported).
4. Regenerate the SDL: ``python -m mastgraph.api.schema > schema.graphql`` (a test compares them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from mastgraph.model.vocabulary import EDGE_IDENTITY, KEYS, Label, Rel

__all__ = [
    "EDGE_KEYS", "EDGE_VIEWS", "KEY_FIELDS", "LINKS", "LOOKUPS", "Link", "MADE_FROM", "MADE_FROM_DEPTH", "PRODUCT_FILTERS",
    "VIEWS", "edge_field", "node_field",
]

# -- what each node kind offers --------------------------------------------------------------

#: For each node kind, the fields that are not the property of their own name: output key (the
#: API's Python field name) -> a property (".name") or an expression over the node "{n}".
VIEWS: dict[Label, dict[str, str]] = {
    Label.PROGRAM: {"program_id": ".program"},
    Label.OBSERVATION: {
        "program_id": ".program",
        "level": "CASE WHEN {n}:Combined THEN 'COMBINED' WHEN {n}:Exposure THEN 'EXPOSURE' END",
    },
    Label.PRODUCT: {
        "program_id": ".program", "observation_number": ".observation", "association_name": ".association",
        "labels": "labels({n})",
    },
    Label.ASSOCIATION: {"program_id": ".program", "product_names": ".products"},
    Label.ENGINEERING_SERIES: {"mnemonic_name": ".mnemonic"},
}

#: The same for the relationships an answer may carry as items (association membership).
EDGE_VIEWS: dict[Rel, dict[str, str]] = {Rel.HAS_MEMBER: {"asn_product": ".product"}}

#: The properties that tell apart two relationships of one type between the same two nodes (an association's
#: member of two association products): the order of relationship items after the far node's key.
EDGE_KEYS: dict[Rel, tuple[str, ...]] = {rel: names for (rel, _), names in EDGE_IDENTITY.items()}

_PROPERTY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _field(views: dict[str, str], owner: str, name: str) -> str:
    expression = views.get(name)
    if expression is not None:
        return expression
    if not _PROPERTY.match(name):
        raise ValueError(f"{owner} has no field {name!r}")
    return "." + name


@lru_cache(maxsize=4096)
def node_field(label: Label, name: str) -> str:
    """How the field `name` of a node kind is read: ".property" or an expression over "{n}"."""
    return _field(VIEWS.get(label, {}), label.value, name)


@lru_cache(maxsize=256)
def edge_field(rel: Rel, name: str) -> str:
    """How the field `name` of a relationship item is read: ".property" of the relationship."""
    return _field(EDGE_VIEWS.get(rel, {}), rel.value, name)


#: For each node kind, the output key that carries its key property (always in an answer).
KEY_FIELDS: dict[Label, str] = {
    label: next((name for name, expr in VIEWS.get(label, {}).items() if expr == "." + key), key)
    for label, key in KEYS.items()
}

#: Properties a node kind may be looked up by, besides its key.
LOOKUPS: dict[Label, tuple[str, ...]] = {Label.PRODUCT: ("filename",), Label.OBSERVATION: ("obs_id",)}


# -- how related nodes are reached -------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """One way from a node `{a}` to related nodes `{b}` through relationships `{r}`.

    `filter` is the expression a list of wanted values is matched against (a relationship's kind,
    a series' mnemonic); `single` links give one node or null; `page` links give keyset pages of
    nodes in key order (or of relationship items, with `roles`); `roles` make a link's items relationships
    (name of the role -> "a" or "b").
    """

    pattern: str
    target: Label
    filter: str | None = None
    where: str | None = None
    single: bool = False
    page: bool = False
    distinct: bool = False
    edge: Rel | None = None
    roles: tuple[tuple[str, str], ...] = ()
    inputs: bool = False


def _out(rel: Rel, target: Label) -> str:
    return "({a})-[{r}:%s]->({b}:%s)" % (rel.value, target.value)


def _in(rel: Rel, source: Label) -> str:
    return "({a})<-[{r}:%s]-({b}:%s)" % (rel.value, source.value)


_P, _O, _A = Label.PRODUCT, Label.OBSERVATION, Label.ASSOCIATION
_KIND, _BY = "{r}.kind", "{r}.by"

#: The relationships data flows through into a product: what a pipeline stage read (ANTECEDENT),
#: combined (COMPOSITION) or subtracted/applied (CONTEMPORANEOUS_CALIBRATION). Not PREREQUISITE
#: (a target acquisition points the telescope; its pixels go nowhere) nor LINKED.
MADE_FROM = "|".join(r.value for r in (Rel.COMPOSITION, Rel.ANTECEDENT, Rel.CONTEMPORANEOUS_CALIBRATION))
#: How many MADE_FROM steps an inputs / end-products walk follows (an L3 reaches its raw exposures in 3 or 4).
MADE_FROM_DEPTH = 10
_UPSTREAM = f"[:{MADE_FROM}*0..{MADE_FROM_DEPTH}]"
_DOWNSTREAM = f"[:{MADE_FROM}*1..{MADE_FROM_DEPTH}]"

#: Every relation field of the API, in both directions, under "<NodeKind>.<python_name>" (the GraphQL
#: type is named after the label; `api.relations.relation` finds its link by that name).
LINKS: dict[str, Link] = {
    "Program.observations": Link(_out(Rel.HAS_OBSERVATION, _O), _O),
    "Observation.program": Link(_in(Rel.HAS_OBSERVATION, Label.PROGRAM), Label.PROGRAM, single=True),
    "Observation.products": Link(_out(Rel.HAS_PRODUCT, _P), _P, page=True),
    "Observation.members": Link(_out(Rel.HAS_MEMBER, _O), _O),
    "Observation.member_of": Link(_in(Rel.HAS_MEMBER, _O), _O),
    "Observation.minimum_recommended_products": Link(_out(Rel.MRP, _P), _P),
    "Observation.mast_minimum_recommended_products": Link(_out(Rel.MAST_MRP, _P), _P),
    "Observation.aggregated": Link(_out(Rel.AGGREGATION, _P), _P, filter=_KIND),
    "Observation.linked": Link(
        "({a})-[:HAS_MEMBER*0..1]->(:Observation)-[:HAS_PRODUCT]->(:Product)-[{r}:LINKED]->({b}:Product)",
        _P, filter=_KIND, distinct=True,
    ),
    "Observation.engineering": Link(_out(Rel.HAS_ENGINEERING, Label.ENGINEERING_SERIES), Label.ENGINEERING_SERIES,
                                    filter="{b}.mnemonic"),
    "Product.observation": Link(_in(Rel.HAS_PRODUCT, _O), _O, single=True),
    "Product.association": Link(_out(Rel.PRODUCED_BY, _A), _A, single=True),
    "Product.member_of": Link(_in(Rel.HAS_MEMBER, _A), _A, filter="{r}.exptype", edge=Rel.HAS_MEMBER,
                              roles=(("association", "b"), ("product", "a"))),
    "Product.composed_of": Link(_out(Rel.COMPOSITION, _P), _P, filter=_BY),
    "Product.composes": Link(_in(Rel.COMPOSITION, _P), _P, filter=_BY),
    "Product.antecedents": Link(_out(Rel.ANTECEDENT, _P), _P),
    "Product.derived_products": Link(_in(Rel.ANTECEDENT, _P), _P),
    "Product.multiplicity_of": Link(_out(Rel.MULTIPLICITY, _A), _A, single=True),
    "Product.contemporaneous_calibrations": Link(_out(Rel.CONTEMPORANEOUS_CALIBRATION, _P), _P, filter=_KIND),
    "Product.calibrates": Link(_in(Rel.CONTEMPORANEOUS_CALIBRATION, _P), _P, filter=_KIND),
    "Product.prerequisites": Link(_out(Rel.PREREQUISITE, _P), _P, filter=_KIND),
    "Product.prerequisite_for": Link(_in(Rel.PREREQUISITE, _P), _P, filter=_KIND),
    "Product.linked": Link(_out(Rel.LINKED, _P), _P, filter=_KIND),
    "Product.linked_from": Link(_in(Rel.LINKED, _P), _P, filter=_KIND),
    "Product.linked_external_products": Link(_out(Rel.LINKED, Label.EXTERNAL_PRODUCT), Label.EXTERNAL_PRODUCT,
                                             filter=_KIND),
    "Product.external_pre_images": Link(_out(Rel.EXTERNAL_PRE_IMAGE, Label.EXTERNAL_PRODUCT), Label.EXTERNAL_PRODUCT),
    "Product.reference_files": Link(_out(Rel.USED_REFERENCE, Label.REFERENCE_FILE), Label.REFERENCE_FILE,
                                    filter="{r}.reftype"),
    "Product.crds_context": Link(_out(Rel.CALIBRATED_UNDER, Label.CRDS_CONTEXT), Label.CRDS_CONTEXT, single=True),
    "Product.engineering": Link(_out(Rel.HAS_ENGINEERING, Label.ENGINEERING_SERIES), Label.ENGINEERING_SERIES,
                                filter="{b}.mnemonic"),
    "Product.aggregated_by": Link(_in(Rel.AGGREGATION, _O), _O, filter=_KIND),
    "Product.minimum_recommended_for": Link(_in(Rel.MRP, _O), _O),
    "Product.mast_minimum_recommended_for": Link(_in(Rel.MAST_MRP, _O), _O),
    "Product.end_products": Link("({a})<-%s-({b}:Product:L3)" % _DOWNSTREAM, _P, distinct=True),
    "Product.inputs": Link("({a})-%s->({b}:Product:L1b)" % _UPSTREAM, _P, single=True, inputs=True),
    "Association.members": Link(_out(Rel.HAS_MEMBER, _P), _P, filter="{r}.exptype", edge=Rel.HAS_MEMBER,
                                roles=(("association", "a"), ("product", "b"))),
    "Association.products": Link(_in(Rel.PRODUCED_BY, _P), _P),
    "Association.per_source_products": Link(_in(Rel.MULTIPLICITY, _P), _P),
    "Association.association_file": Link("({b}:Product:AssociationFile)", _P, where="{b}.association = {a}.name",
                                         single=True),
    "ReferenceFile.products": Link(_in(Rel.USED_REFERENCE, _P), _P, page=True),
    "ReferenceFile.end_products": Link(
        "({a})<-[:USED_REFERENCE]-(:Product)<-%s-({b}:Product:L3)" % _UPSTREAM, _P, page=True, distinct=True,
    ),
    "CrdsContext.products": Link(_in(Rel.CALIBRATED_UNDER, _P), _P, page=True),
    "Mnemonic.series": Link(_in(Rel.OF_MNEMONIC, Label.ENGINEERING_SERIES), Label.ENGINEERING_SERIES),
    "EngineeringSeries.mnemonic": Link(_out(Rel.OF_MNEMONIC, Label.MNEMONIC), Label.MNEMONIC, single=True),
    "EngineeringSeries.observations": Link(_in(Rel.HAS_ENGINEERING, _O), _O),
    "EngineeringSeries.products": Link(_in(Rel.HAS_ENGINEERING, _P), _P),
    "ExternalProduct.pre_image_of": Link(_in(Rel.EXTERNAL_PRE_IMAGE, _P), _P),
    "ExternalProduct.linked_from": Link(_in(Rel.LINKED, _P), _P),
}

#: The relation lists that can outgrow a page: each has its connection beside it, `<field>_connection`,
#: the same link paged, to count and page on (its list takes `first`: docs/api.md "Pages").
PAGED_LISTS = (
    "Program.observations",
    "Observation.members",
    "Observation.linked",
    "Product.composed_of",
    "Product.composes",
    "Product.antecedents",
    "Product.derived_products",
    "Product.end_products",
    "Association.members",
    "Association.products",
    "Association.per_source_products",
    "Mnemonic.series",
    "EngineeringSeries.observations",
    "EngineeringSeries.products",
    "ExternalProduct.pre_image_of",
    "ExternalProduct.linked_from",
)
LINKS.update({f"{name}_connection": replace(LINKS[name], page=True) for name in PAGED_LISTS})

#: Product filters of keyset pages: name -> condition on the product "{n}" and the value "{v}".
PRODUCT_FILTERS: dict[str, str] = {
    "program": "{n}.program = {v}",
    "instrument": (
        "toLower(coalesce({n}.instrument, COLLECT { MATCH (filter_obs:Observation)-[:HAS_PRODUCT]->({n}) "
        "RETURN filter_obs.instrument }[0], '')) STARTS WITH {v}"
    ),
    "level": "{n}.level = {v}",
    "suffix": "{n}.suffix = {v}",
    "product_type": "{n}.product_type = {v}",
    "calib_level": "{n}.calib_level = {v}",
    "mrp": "EXISTS { (:Observation)-[:MRP]->({n}) } = {v}",
    "mast_mrp": "coalesce({n}.mast_mrp, false) = {v}",
}
