"""W3C PROV export of a product's lineage, built with the `prov` package (PROV-DM).

One bounded read (`cypher/prov_subgraph.cypher`) fetches the product and what it was made from;
`document` turns that into a PROV document; `serialize` writes PROV-JSON, PROV-N, PROV-XML or DOT.
The mapping (and its IVOA Provenance Data Model terms) is written down in docs/provenance.md:

- a product is an entity (`jwst:<file name>`; reference files and CRDS contexts `crds:<name>`);
- the pipeline stage that made a product is an activity: the association it was PRODUCED_BY
  (`stage:<association>`), else one calibration stage per product (`stage:<file name>`); it
  `used` its inputs (role: the member's exptype, `background` ..., the reference file's reftype)
  and generated the product (`wasGeneratedBy`), which `wasDerivedFrom` each input;
- the association file is a collection that `hadMember` each association member;
- the calibration software (`CAL_VER`) is the stage's agent and the CRDS context its plan
  (`wasAssociatedWith`); prerequisites (target acquisitions ...) are `wasInfluencedBy`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import neo4j
from prov.constants import PROV_LABEL, PROV_ROLE, PROV_TYPE
from prov.identifier import Namespace, QualifiedName
from prov.model import PROV, ProvDocument

from mastgraph.model.errors import shown

from . import queries, runner

#: Output formats and their media types.
FORMATS: dict[str, str] = {
    "json": "application/json",
    "provn": "text/provenance-notation",
    "xml": "application/xml",
    "dot": "text/vnd.graphviz",
}

JWST = Namespace("jwst", "mast:JWST/product/")
CRDS = Namespace("crds", "crds://")
MASTGRAPH = Namespace("mastgraph", "urn:mastgraph:")
STAGE = Namespace("stage", "urn:mastgraph:stage:")
SOFTWARE = Namespace("software", "urn:mastgraph:software:")

_QUERY = "prov_subgraph"


class ProvError(Exception):
    """A PROV export that cannot be made, in one line (unknown product, bad depth or format ...)."""


@dataclass(frozen=True)
class Subgraph:
    """What the bounded read returned: products (nearest first) and their producing associations."""

    uri: str
    depth: int
    products: tuple[dict[str, Any], ...]
    associations: tuple[dict[str, Any], ...]
    truncated: bool


def check_request(fmt: str, depth: int, max_depth: int) -> None:
    """Refuse an unknown format or a depth outside 0..max_depth (one line)."""
    if fmt not in FORMATS:
        raise ProvError(f"unknown PROV format {shown(fmt)}: use one of {', '.join(FORMATS)}")
    if not 0 <= depth <= max_depth:
        raise ProvError(f"depth must be between 0 and {max_depth}, not {shown(depth)}")


def _params(uri: str, depth: int, limit: int) -> dict[str, Any]:
    return runner.query_params(queries.query(_QUERY), {"uri": uri, "depth": depth, "limit": limit})


def _subgraph(uri: str, depth: int, row: Mapping[str, Any] | None) -> Subgraph | None:
    if row is None:
        return None
    return Subgraph(uri, depth, tuple(row["products"]), tuple(row["associations"]), bool(row["truncated"]))


def fetch(driver: neo4j.Driver, uri: str, *, database: str, depth: int, limit: int, timeout: float) -> Subgraph | None:
    """Read a product's provenance subgraph (None: no product has that URI)."""
    rows = runner.read(driver, queries.text(_QUERY), _params(uri, depth, limit),
                       database=database, timeout=timeout, limit=1)
    return _subgraph(uri, depth, rows.dicts()[0] if rows.rows else None)


async def fetch_async(
    driver: neo4j.AsyncDriver, uri: str, *, database: str, depth: int, limit: int, timeout: float
) -> Subgraph | None:
    """`fetch` for the API's async driver: one read transaction in a READ-access session."""
    params = _params(uri, depth, limit)

    @neo4j.unit_of_work(timeout=timeout)
    async def work(tx: neo4j.AsyncManagedTransaction) -> dict[str, Any] | None:
        result = await tx.run(queries.text(_QUERY), params)
        record = await result.single()
        return None if record is None else runner.plain(dict(record.items()))

    session = driver.session(database=database, default_access_mode=neo4j.READ_ACCESS,
                             notifications_min_severity="OFF")
    async with session:
        try:
            row = await session.execute_read(work)
        except neo4j.exceptions.Neo4jError as exc:
            raise ProvError(str(runner.describe_error(exc, timeout))) from None
        except neo4j.exceptions.DriverError as exc:
            raise ProvError(str(runner.connection_error(exc))) from None
    return _subgraph(uri, depth, row)


def document(subgraph: Subgraph) -> ProvDocument:
    """The PROV document of a fetched subgraph."""
    return _Builder(subgraph).build()


def serialize(doc: ProvDocument, fmt: str) -> str:
    """The document as PROV-JSON (`json`), PROV-N (`provn`), PROV-XML (`xml`) or Graphviz DOT (`dot`)."""
    try:
        if fmt == "json":
            return doc.serialize(format="json", indent=2)
        if fmt == "provn":
            return doc.get_provn()
        if fmt == "xml":
            return doc.serialize(format="xml")
        if fmt == "dot":
            from prov.dot import prov_to_dot

            return prov_to_dot(doc, use_labels=True, show_element_attributes=False).to_string()
    except ModuleNotFoundError as exc:
        extra = "xml" if fmt == "xml" else "dot"
        raise ProvError(f"PROV format {fmt} needs the {exc.name} package: pip install 'prov[{extra}]'") from None
    raise ProvError(f"unknown PROV format {shown(fmt)}: use one of {', '.join(FORMATS)}")


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) and not (isinstance(value, float) and value != value)


class _Builder:
    """Collects records first (so that each element is written once, with all its attributes)."""

    def __init__(self, subgraph: Subgraph) -> None:
        self.subgraph = subgraph
        self.doc = ProvDocument()
        for namespace in (JWST, CRDS, MASTGRAPH, STAGE, SOFTWARE):
            self.doc.add_namespace(namespace)
        self._namespaces: dict[str, Namespace] = {JWST.uri: JWST}
        self.entities: dict[QualifiedName, list[tuple[QualifiedName, Any]]] = {}
        self.activities: dict[QualifiedName, list[tuple[QualifiedName, Any]]] = {}
        self.agents: dict[QualifiedName, list[tuple[QualifiedName, Any]]] = {}
        self.used: dict[tuple[QualifiedName, QualifiedName, str], list[tuple[QualifiedName, Any]]] = {}
        self.generated: dict[tuple[QualifiedName, QualifiedName], None] = {}
        self.derived: dict[tuple[QualifiedName, QualifiedName], QualifiedName | None] = {}
        self.associated: dict[tuple[QualifiedName, QualifiedName, QualifiedName | None], list] = {}
        self.influenced: dict[tuple[QualifiedName, QualifiedName], list[tuple[QualifiedName, Any]]] = {}
        self.members: dict[tuple[QualifiedName, QualifiedName], None] = {}

    # -- identifiers ----------------------------------------------------------------------------
    def product_id(self, uri: str) -> QualifiedName:
        """`jwst:<file>` for MAST product URIs; any other URI under a namespace of its own prefix."""
        head, sep, local = uri.rpartition("/")
        if not sep:
            head, sep, local = uri.rpartition(":")
        base = head + sep
        namespace = self._namespaces.get(base)
        if namespace is None:
            namespace = Namespace(f"src{len(self._namespaces)}", base)
            self._namespaces[base] = namespace
            self.doc.add_namespace(namespace)
        return namespace[local]

    # -- elements -------------------------------------------------------------------------------
    def entity(self, ident: QualifiedName, attributes: Iterable[tuple[QualifiedName, Any]] = ()) -> QualifiedName:
        known = self.entities.setdefault(ident, [])
        for name, value in attributes:
            if (name, value) in known or (name == PROV_LABEL and any(n == PROV_LABEL for n, _ in known)):
                continue
            known.append((name, value))
        return ident

    def product(self, uri: str, labels: Iterable[str] = (), properties: Mapping[str, Any] | None = None,
                filename: str | None = None) -> QualifiedName:
        properties = properties or {}
        attributes: list[tuple[QualifiedName, Any]] = [(PROV_LABEL, properties.get("filename") or filename or uri.rsplit("/", 1)[-1])]
        attributes += [(PROV_TYPE, MASTGRAPH[label]) for label in sorted(labels) if label != "Product"]
        attributes += [(MASTGRAPH[name], value) for name, value in sorted(properties.items())
                       if name not in ("uri", "filename") and _scalar(value)]
        return self.entity(self.product_id(uri), attributes)

    def reference_file(self, reference: Mapping[str, Any]) -> QualifiedName:
        attributes = [(PROV_LABEL, reference["name"]), (PROV_TYPE, MASTGRAPH["ReferenceFile"])]
        attributes += [(MASTGRAPH[key], reference[key]) for key in ("reftype", "instrument") if reference.get(key)]
        return self.entity(CRDS[reference["name"]], attributes)

    def crds_context(self, name: str) -> QualifiedName:
        return self.entity(CRDS[name], [(PROV_LABEL, name), (PROV_TYPE, PROV["Plan"]),
                                        (PROV_TYPE, MASTGRAPH["CrdsContext"])])

    def software(self, cal_ver: str | None) -> QualifiedName:
        ident = SOFTWARE[f"jwst-{cal_ver}" if cal_ver else "jwst"]
        attributes = [(PROV_TYPE, PROV["SoftwareAgent"]),
                      (PROV_LABEL, f"JWST calibration pipeline {cal_ver}" if cal_ver else "JWST calibration pipeline")]
        if cal_ver:
            attributes.append((MASTGRAPH["cal_ver"], cal_ver))
        self.agents.setdefault(ident, attributes)
        return ident

    def association_file(self, association: Mapping[str, Any]) -> QualifiedName:
        """The association's file as a collection: the AssociationFile product, or `<name>_asn.json`."""
        files = association.get("files") or []
        uri = files[0] if files else JWST.uri + f"{association['name']}_asn.json"
        return self.entity(self.product_id(uri), [(PROV_TYPE, PROV["Collection"]),
                                                  (PROV_LABEL, uri.rsplit("/", 1)[-1])])

    # -- the mapping ----------------------------------------------------------------------------
    def build(self) -> ProvDocument:
        associations = {a["name"]: a for a in self.subgraph.associations}
        for association in associations.values():
            self.add_association(association)
        for product in self.subgraph.products:
            self.add_product(product, associations)
        return self.emit()

    def add_association(self, association: Mapping[str, Any]) -> None:
        stage = STAGE[association["name"]]
        attributes = [(PROV_TYPE, MASTGRAPH["AssociationStage"]), (PROV_LABEL, association["name"])]
        attributes += [(MASTGRAPH[name], value) for name, value in sorted(association["properties"].items())
                       if name != "name" and _scalar(value)]
        self.activities.setdefault(stage, attributes)
        collection = self.association_file(association)
        self.used.setdefault((stage, collection, "association"), [])
        for member in association["members"]:
            ident = self.product(member["uri"], filename=member.get("filename"))
            self.members[(collection, ident)] = None

    def add_product(self, product: Mapping[str, Any], associations: Mapping[str, Any]) -> None:
        properties = product["properties"]
        ident = self.product(product["uri"], product["labels"], properties)
        stages = [STAGE[name] for name in product["associations"] if name in associations]
        if not stages and (product["inputs"] or product["references"]):
            stage = STAGE[properties.get("filename") or ident.localpart]
            self.activities.setdefault(stage, [(PROV_TYPE, MASTGRAPH["CalibrationStage"]),
                                               (PROV_LABEL, f"calibration of {ident.localpart}")])
            stages = [stage]
        for stage in stages:
            self.generated[(ident, stage)] = None
            self.add_agent(stage, properties, product["contexts"])
            for reference in product["references"]:
                role = reference.get("reftype") or "reference"
                self.used.setdefault((stage, self.reference_file(reference), role), [])
        for item in product["inputs"]:
            source = self.product(item["uri"], filename=item.get("filename"))
            role, extra = _input_role(item)
            for stage in stages:
                self.used.setdefault((stage, source, role), extra)
            self.derived.setdefault((ident, source), stages[0] if len(stages) == 1 else None)
        for item in product["prerequisites"]:
            source = self.product(item["uri"], filename=item.get("filename"))
            kind = [(MASTGRAPH["prerequisite"], item["kind"])] if item.get("kind") else []
            self.influenced.setdefault((ident, source), kind)

    def add_agent(self, stage: QualifiedName, properties: Mapping[str, Any], contexts: list[str]) -> None:
        cal_ver = properties.get("cal_ver")
        if not cal_ver and not contexts:
            return
        agent = self.software(str(cal_ver) if cal_ver else None)
        extra = [(MASTGRAPH["crds_ver"], properties["crds_ver"])] if properties.get("crds_ver") else []
        for plan in [self.crds_context(name) for name in contexts] or [None]:
            self.associated.setdefault((stage, agent, plan), extra)

    def emit(self) -> ProvDocument:
        doc = self.doc
        for ident, attributes in self.entities.items():
            doc.entity(ident, attributes or None)
        for ident, attributes in self.activities.items():
            doc.activity(ident, other_attributes=attributes)
        for ident, attributes in self.agents.items():
            doc.agent(ident, attributes)
        for (stage, entity, role), extra in self.used.items():
            doc.used(stage, entity, other_attributes=[(PROV_ROLE, role), *extra])
        for entity, stage in self.generated:
            doc.wasGeneratedBy(entity, stage)
        for (entity, source), stage in self.derived.items():
            doc.wasDerivedFrom(entity, source, stage)
        for (stage, agent, plan), extra in self.associated.items():
            doc.wasAssociatedWith(stage, agent, plan, other_attributes=extra or None)
        for (entity, source), extra in self.influenced.items():
            doc.wasInfluencedBy(entity, source, other_attributes=extra or None)
        for collection, member in self.members:
            doc.hadMember(collection, member)
        return doc


def _input_role(item: Mapping[str, Any]) -> tuple[str, list[tuple[QualifiedName, Any]]]:
    """The role an input played in the stage that used it, and the lineage relationship it came from."""
    relation = item["relation"]
    properties = item.get("properties") or {}
    extra: list[tuple[QualifiedName, Any]] = [(MASTGRAPH["relation"], relation)]
    if relation == "COMPOSITION":
        if properties.get("by"):
            extra.append((MASTGRAPH["composition_by"], properties["by"]))
        return "science", extra
    if relation == "CONTEMPORANEOUS_CALIBRATION":
        return str(properties.get("kind") or "calibration"), extra
    if properties.get("exptype"):
        return str(properties["exptype"]), extra
    if str(item.get("filename") or item["uri"]).endswith("_asn.json"):
        return "association", extra
    return "science", extra
