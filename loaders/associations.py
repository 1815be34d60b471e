"""Association JSON (``*_asn.json``): the association, its file, its members and primary outputs.

One file yields:

- ``Association {name}`` with the file's header fields, the list of product names and, for Level-3
  types, how its science members compose the product (`composition_by`);
- the association file itself as a ``Product:AssociationFile`` (``association`` = the name);
- each member as a ``Product`` and ``(Association)-[:HAS_MEMBER {exptype, product}]->(Product)``;
- each product's primary output (`PRIMARY_OUTPUTS`) and ``(output)-[:PRODUCED_BY]->(Association)``.

The relationships the graph layer derives from these (COMPOSITION, ANTECEDENT, ...) are not made
here. Origins are ``path:line`` with the line where the JSON object of the item opens.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from mastgraph.model.vocabulary import CompositionBy, Label, Rel
from mastgraph.loaders import domains, names
from mastgraph.loaders.json_lines import TOO_DEEP, LocatedDict, load_located_json
from mastgraph.loaders.records import LoadError, Record, Reject, not_utf8, origin
from mastgraph.loaders.table_values import json_kind, known
from mastgraph.model.records import Edge, Node, clean
from mastgraph.model.errors import shown

#: Member ``exptype`` values the association rules write (jwst ``associations/lib``):
#: ``dms_base.EXPTYPE_MAP`` (target_acquisition, dark, flat, engineering, autoflat, autowave) and
#: ``SPECIAL_EXPOSURE_MODIFIERS`` (psf, imprint, background), the WFSS members of
#: ``rules_level2_base`` (direct_image, sourcecat, segmap) and ``selfcal`` (calwebb_spec2).
ASN_EXPTYPES = frozenset({
    "science", "background", "psf", "imprint", "selfcal", "target_acquisition",
    "sourcecat", "segmap", "direct_image", "dark", "flat", "engineering", "autoflat", "autowave",
})

#: The primary output (suffix, extension) of each product by ``asn_type``: the file the pipeline
#: that runs the association saves under the product's name (jwst 3.x ``jwst/pipeline``):
PRIMARY_OUTPUTS: dict[str, tuple[str, str]] = {
    "image2": ("cal", "fits"),  # calwebb_image2 saves <product>_cal.fits
    "spec2": ("cal", "fits"),  # calwebb_spec2 saves <product>_cal.fits
    "nrslamp-spec2": ("cal", "fits"),  # calwebb_spec2 on NIRSpec lamp exposures
    "wfs-image2": ("cal", "fits"),  # calwebb_wfs-image2 (an image2 configuration)
    "tso-image2": ("calints", "fits"),  # calwebb_tso-image2: per-integration products
    "tso-spec2": ("calints", "fits"),  # calwebb_tso-spec2: per-integration products
    "image3": ("i2d", "fits"),  # calwebb_image3 resample: <product>_i2d.fits
    "spec3": ("x1d", "fits"),  # calwebb_spec3 extract_1d/combine_1d (IFU: see _spec3_outputs)
    "coron3": ("i2d", "fits"),  # calwebb_coron3 ends with resample, suffix default 'i2d'
    "ami3": ("aminorm-oi", "fits"),  # calwebb_ami3 ami_normalize, only with psf members
    "tso3": ("x1dints", "fits"),  # calwebb_tso3 spectroscopy (imaging: TSO3_IMAGING_OUTPUT)
    "wfs-image3": ("wfscmb", "fits"),  # wfs_combine: the product name's {suffix} -> wfscmb
}
#: calwebb_tso3 on imaging TSO (NRC_TSIMAGE, MIR_IMAGE with TSOVISIT) saves <product>_phot.ecsv;
#: the white-light table ``_whtlt.ecsv`` is made for spectroscopic TSOs, beside the x1dints.
TSO3_IMAGING_OUTPUT = ("phot", "ecsv")
#: NIRSpec IFU spec3 (rules Asn_Lv3NRSIFU*): cube_build saves <product>_s3d.fits, then the x1d.
IFU_SPEC3_OUTPUTS = (("s3d", "fits"), ("x1d", "fits"))

#: Disperser tokens in a Level-3 name's optical elements: a TSO with one is spectroscopic.
_DISPERSER = re.compile(r"^(?:grism[rc]?|gr\d{3}[a-z]*|p750l|prism|g\d{3}[mh]|slitlessprism)$")
#: MIRI MRS spec3 names carry no optical elements (rules_level3_base.dms_product_name_noopt).
_MRS_NAME = re.compile(r"^jw\d{5}-[a-z0-9]+_[a-z0-9-]+_miri$")
#: wfs_combine names its output ``<name with {suffix} = wfscmb>.fits``: ``..._wfscmb-05.fits``.
_WFSCMB_ACTIVITY = re.compile(r"^(?P<base>.+_wfscmb)-(?P<activity>\d+)\.fits$")

_HEADER_FIELDS = ("asn_type", "asn_rule", "asn_pool", "asn_id", "target", "code_version",
                  "version_id", "degraded_status")


def read_json(path: Path) -> Any:
    """The located JSON document of a file (`loaders/json_lines.py`), or `LoadError` with the line of the fault."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # (a BOM is allowed: docs/formats.md)
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    try:
        return load_located_json(text)
    except json.JSONDecodeError as exc:
        raise LoadError(origin(path, exc.lineno), f"bad JSON: {exc.msg}") from None
    except RecursionError:
        raise LoadError(origin(path, 1), TOO_DEEP) from None


def association_name(filename: str) -> str:
    """The Association's name: the file name without ``_asn.json`` (else without ``.json``)."""
    for tail in ("_asn.json", ".json"):
        if filename.lower().endswith(tail):
            return filename[: -len(tail)]
    return filename


def level_of(asn_type: str | None) -> str | None:
    """"2" or "3" for the asn types of the rules (their names end so), else None."""
    return asn_type[-1] if asn_type and asn_type[-1] in "23" else None


def composition_by(asn_type: str | None, science: list[names.ProductName]) -> str | None:
    """How a Level-3 product is composed of its science members (None for Level 2).

    The rule: tso3 -> segment; coron3 -> orientation; science members from more than one visit
    -> mosaic_tile; from more than one detector -> detector; else dither.
    """
    if level_of(asn_type) != "3":
        return None
    if asn_type == "tso3":
        return CompositionBy.SEGMENT.value
    if asn_type == "coron3":
        return CompositionBy.ORIENTATION.value
    if len({m.props.get("visit_id") for m in science if m.props.get("visit_id")}) > 1:
        return CompositionBy.MOSAIC_TILE.value
    if len({m.props.get("detector") for m in science if m.props.get("detector")}) > 1:
        return CompositionBy.DETECTOR.value
    return CompositionBy.DITHER.value


def output_names(asn: Mapping[str, Any], product_name: str, exptypes: set[str]) -> list[str]:
    """File names of a product's primary outputs; none for per-source (``{source_id}``) names.

    spec3: NIRSpec IFU -> s3d and x1d; MIRI MRS -> none (cube_build names its cubes by the band
    found in the data, ``<name>_ch3-long_s3d.fits``: not knowable from the association); else x1d.
    tso3: x1dints for spectroscopic TSOs (a disperser among the optical elements), else phot.ecsv.
    ami3: aminorm-oi only when the product has psf members (ami_normalize needs them).
    A ``{suffix}`` placeholder in the name (wfs-image3) takes the suffix in place.
    """
    asn_type = known(asn.get("asn_type"))
    rule = str(known(asn.get("asn_rule")) or "").lower()
    if "{source_id}" in product_name or asn_type not in PRIMARY_OUTPUTS:
        return []
    outputs = [PRIMARY_OUTPUTS[asn_type]]
    if asn_type == "spec3" and ("mirmrs" in rule or _MRS_NAME.match(product_name.lower())):
        return []
    if asn_type == "spec3" and "nrsifu" in rule:
        outputs = list(IFU_SPEC3_OUTPUTS)
    if asn_type == "tso3" and not _is_spectroscopic(product_name):
        outputs = [TSO3_IMAGING_OUTPUT]
    if asn_type == "ami3" and "psf" not in exptypes:
        return []
    return [_output_filename(product_name, suffix, ext) for suffix, ext in outputs]


def _is_spectroscopic(product_name: str) -> bool:
    parts = product_name.lower().split("_")
    optical = parts[-1] if len(parts) >= 4 else ""
    return any(_DISPERSER.match(token) for token in optical.split("-"))


def _output_filename(product_name: str, suffix: str, ext: str) -> str:
    if "{suffix}" in product_name:
        return product_name.replace("{suffix}", suffix) + f".{ext}"
    return f"{product_name}_{suffix}.{ext}"


def parse_output(filename: str) -> names.ProductName:
    """`names.parse` of an output name; knows wfs_combine's ``_wfscmb-<activity>`` form."""
    try:
        return names.parse_shared(filename)
    except names.BadName:
        match = _WFSCMB_ACTIVITY.match(filename.lower())
        if not match:
            raise
    parsed = names.parse_shared(match["base"] + ".fits")
    return names.ProductName(filename, parsed.form, parsed.suffix, parsed.extension, parsed.level,
                             parsed.labels, dict(parsed.props))


def product_node(parsed: names.ProductName, where: str, **extra: Any) -> Node:
    """The Product node of a parsed file name (properties of the name + ``filename``)."""
    props = clean({**parsed.props, "filename": parsed.filename, **extra})
    return Node(Label.PRODUCT, parsed.uri, props, parsed.labels, where)


class AssociationLoader:
    """Association JSON files of every asn type (Level 2 and Level 3)."""

    kind: ClassVar[str] = "association"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        name = path.name.lower()
        if name.endswith("_asn.json"):
            return True
        return name.endswith(".json") and b'"asn_type"' in head and b'"products"' in head

    def records(self, path: Path) -> Iterator[Record]:
        doc = read_json(path)
        if not isinstance(doc, dict):
            raise LoadError(origin(path, 1), "an association file holds one JSON object")
        products = doc.get("products")
        if not isinstance(products, list):
            raise LoadError(origin(path, doc.line), "no 'products' list (not an association file)")
        name = association_name(path.name)
        here = origin(path, doc.line)
        yield from self._header_rejects(doc, here, path.name)
        yield self._file_node(path, name, here)
        science: list[names.ProductName] = []
        product_names: list[str] = []
        for index, product in enumerate(products):
            if not isinstance(product, dict):
                yield Reject(origin(path, doc.line), f"products[{index}] is {json_kind(product)}, not an object")
                continue
            if not known(product.get("name")):
                yield Reject(origin(path, getattr(product, "line", doc.line)), f"products[{index}] has no 'name'")
                continue
            if type(product["name"]) is not str:
                yield Reject(origin(path, getattr(product, "line", doc.line)),
                             f"products[{index}] name: {json_kind(product['name'])} is not a file name")
                continue
            product_names.append(str(product["name"]))
            yield from self._product(path, name, doc, product, science)
        yield Node(Label.ASSOCIATION, name, self._props(doc, product_names, science), (), here)

    @staticmethod
    def _header_rejects(doc: LocatedDict, here: str, filename: str) -> Iterator[Reject]:
        """The header's bad values as Rejects; `LoadError` (before any record) for an asn_type that is
        not text, which every rule reads: the file is unusable."""
        asn_type = known(doc.get("asn_type"))
        if asn_type is not None and type(asn_type) is not str:
            raise LoadError(here, f"asn_type: {json_kind(asn_type)} is not text")
        if asn_type is None:
            yield Reject(here, "asn_type missing")
        elif asn_type not in PRIMARY_OUTPUTS:
            yield Reject(here, f"unknown asn_type {shown(asn_type)}")
        # a JSON list or object where text is expected is refused, never kept as a Python list's text
        # (docs/formats.md, "Values of the wrong kind")
        containers = [field for field in (*_HEADER_FIELDS, "program") if isinstance(doc.get(field), (list, dict))]
        for field in containers:
            yield Reject(here, f"{field}: {json_kind(doc[field])} is not text")
        if containers:
            return
        program = known(doc.get("program"))
        if program is not None:
            try:
                program = names.program_key(program)
            except ValueError:
                yield Reject(here, f"program {shown(program)} is not a JWST program number")
                program = None
        pool = known(doc.get("asn_pool"))
        if pool is not None:
            try:
                domains.pool_name(str(pool), "asn_pool")
            except domains.BadValue as exc:
                yield Reject(here, str(exc))
        try:
            named = names.parse_shared(filename).props
        except names.BadName:
            return  # a file named otherwise: nothing to compare the header with
        # The generator names the file after the header (jwst associations Association.asn_name):
        # jw<program>-<asn_id>_<version_id>_<asn_type>_<seq>_asn.json.
        known_type = asn_type if asn_type in PRIMARY_OUTPUTS else None  # (an unknown one is refused above)
        header = {"program": program, "asn_id": known(doc.get("asn_id")), "asn_type": known_type,
                  "version_id": known(doc.get("version_id"))}
        for field, value in header.items():
            if value is not None and named.get(field) is not None and str(value).lower() != named[field]:
                yield Reject(here, f"{field}: {shown(value)} disagrees with the file name {shown(filename)} ({shown(named[field])})")

    @staticmethod
    def _props(doc: LocatedDict, product_names: list[str], science: list[names.ProductName]) -> dict:
        props = {field: _text(doc.get(field)) for field in _HEADER_FIELDS}
        try:
            props["program"] = names.program_key(known(doc.get("program")))
        except ValueError:
            props["program"] = None
        props["products"] = product_names
        props["composition_by"] = composition_by(props["asn_type"], science)
        return clean(props)

    @staticmethod
    def _file_node(path: Path, name: str, here: str) -> Node:
        try:
            parsed = names.parse_shared(path.name)
        except names.BadName:
            extension = path.suffix.lstrip(".").lower() or None
            props = {"filename": path.name, "suffix": "asn", "extension": extension, "association": name}
            return Node(Label.PRODUCT, names.product_uri(path.name), clean(props),
                        (Label.ASSOCIATION_FILE,), here)
        return product_node(parsed, here, association=name)

    def _product(self, path: Path, name: str, doc: LocatedDict, product: LocatedDict,
                 science: list[names.ProductName]) -> Iterator[Record]:
        product_name = str(product["name"])
        members = product.get("members")
        if not isinstance(members, list):
            yield Reject(origin(path, product.line), f"product {shown(product_name)} has no 'members' list")
            return
        exptypes: set[str] = set()
        for member in members:
            where = origin(path, getattr(member, "line", product.line))
            record = self._member(member, where)
            if isinstance(record, Reject):
                yield record
                continue
            parsed, exptype = record
            mismatch = _member_level_mismatch(doc, parsed, exptype)
            if mismatch:
                yield Reject(where, mismatch)
                continue
            exptypes.add(exptype)
            if exptype == "science":
                science.append(parsed)
            yield product_node(parsed, where)
            yield Edge(Rel.HAS_MEMBER, (Label.ASSOCIATION, name), (Label.PRODUCT, parsed.uri),
                       {"exptype": exptype, "product": product_name}, where)
        yield from self._outputs(path, name, doc, product, exptypes)

    @staticmethod
    def _member(member: Any, where: str) -> Reject | tuple[names.ProductName, str]:
        if not isinstance(member, dict):
            return Reject(where, "member is not a JSON object")
        expname = known(member.get("expname"))
        if expname is None:
            return Reject(where, "member has no expname")
        if type(expname) is not str:
            return Reject(where, f"member expname: {json_kind(expname)} is not a file name")
        exptype = known(member.get("exptype"))
        if exptype is None:
            return Reject(where, f"member {shown(expname)} has no exptype")
        if type(exptype) is not str:
            return Reject(where, f"member {shown(expname)}: exptype is {json_kind(exptype)}, not text")
        if exptype.lower() not in ASN_EXPTYPES:
            return Reject(where, f"member {shown(expname)}: unknown exptype {shown(exptype)}")
        try:
            parsed = names.parse_shared(str(expname))
        except names.BadName as exc:
            return Reject(where, f"member expname: {exc}")
        return parsed, str(exptype).lower()

    @staticmethod
    def _outputs(path: Path, name: str, doc: LocatedDict, product: LocatedDict,
                 exptypes: set[str]) -> Iterator[Record]:
        where = origin(path, product.line)
        for filename in output_names(doc, str(product["name"]), exptypes):
            try:
                parsed = parse_output(filename)
            except names.BadName as exc:
                yield Reject(where, f"product name {shown(product['name'])} gives no valid output name: {exc}")
                continue
            yield product_node(parsed, where)
            yield Edge(Rel.PRODUCED_BY, (Label.PRODUCT, parsed.uri), (Label.ASSOCIATION, name), {}, where)


#: The level of the science members each association level takes (jwst pipelines): Level-2
#: pipelines (calwebb_image2/spec2 and their tso/wfs/nrslamp forms) calibrate Level-2a count-rate
#: products (rate, rateints); Level-3 pipelines combine Level-2b calibrated products.
SCIENCE_MEMBER_LEVELS = {"2": frozenset({"2a"}), "3": frozenset({"2b"})}


def _member_level_mismatch(doc: Mapping[str, Any], parsed: names.ProductName, exptype: str) -> str | None:
    """Why a science member's level cannot be one the association's level takes (None when it can)."""
    if exptype != "science" or parsed.level is None:
        return None
    asn_type = known(doc.get("asn_type"))
    wanted = SCIENCE_MEMBER_LEVELS.get(level_of(asn_type) or "")
    if wanted is None or parsed.level in wanted:
        return None
    return (f"expname: {shown(parsed.filename)} is a level-{parsed.level} product; a {asn_type} association's "
            f"science members are level {'/'.join(sorted(wanted))}")


def _text(value: Any) -> str | None:
    value = known(value)
    return None if value is None else str(value)
