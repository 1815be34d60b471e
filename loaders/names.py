"""JWST file names, parsed by the archive's naming rules.

Forms (lower case; MAST serves them so):

- exposure:    ``jw<ppppp><ooo><vvv>_<gg><s><aa>_<eeeee>[-segNNN]_<detector>[_<acid>]_<suffix>.<ext>``
- Level 3:     ``jw<ppppp>-<acid>_<target|source>[-epochN]_<instrument>_<optical elements>[-<subarray>]_<suffix>.<ext>``
- guide star:  ``jw<ppppp><ooo><vvv>_gs-<id|acq1|acq2|track|fg>_<yyyydddhhmmss>[-segNNN]_<uncal|cal|stream>.fits``
- MSA file:    ``jw<ppppp><ooo><vvv>_<NN>_msa.fits``
- pool:        ``jw<ppppp>_<yyyymmddThhmmss>_pool.csv``
- association: ``jw<ppppp>-<acid>[_<version>]_<asn_type>_<NNNNN>_asn.json``
- preview:     ``<basename>_<suffix>.jpg`` and thumbnail ``<basename>_<suffix>_thumb.jpg`` of any form above.

`parse` returns the product's level, kind labels and the properties the name carries (see
docs/model.md); a name that breaks the rules raises `BadName` with the reason.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from mastgraph.model.vocabulary import LEVEL_LABELS, Label, program_digits
from mastgraph.model.records import NEW_DICT, slot_setters
from mastgraph.model.errors import shown

MAST_PRODUCT_PREFIX = "mast:JWST/product/"

#: Data suffixes by level for exposure-level names (Level 1b/2a/2b). Anything else is refused.
EXPOSURE_LEVELS: dict[str, str] = {
    "uncal": "1b",
    **{s: "2a" for s in ("rate", "rateints", "ramp", "trapsfilled", "fitopt", "jump", "dark", "refpix")},
    **{s: "2b" for s in (
        "cal", "calints", "crf", "crfints", "bsub", "bsubints", "i2d", "s2d", "s3d", "x1d", "x1dints",
        "c1d", "psfalign", "wfscmb", "median", "blot", "flat", "phot",
    )},
    # calwebb_coron3 writes one PSF-subtracted product per science exposure; MAST serves it as Level 3
    "psfsub": "3",
}
#: Data suffixes of Level-3 (combined) names.
LEVEL3_SUFFIXES = frozenset({
    "i2d", "s2d", "s3d", "x1d", "x1dints", "c1d", "cat", "segm", "whtlt", "psfstack", "psfsub", "median",
    "ami", "amiavg", "aminorm", "ami-oi", "amimulti-oi", "amilg", "aminorm-oi", "wfscmb", "crf", "cal",
    "spec3", "sources", "phot", "cfrints", "calints", "o1d", "mbkg",
})
GUIDE_STAR_SUFFIXES = {"uncal": "1b", "stream": "1b", "cal": "2b"}
GUIDE_STAR_KINDS = frozenset({"id", "acq1", "acq2", "track", "fg"})
#: Suffixes of products made along the way and not used as final science (AGGREGATION intermediate).
INTERMEDIATE_SUFFIXES = frozenset({
    "ramp", "trapsfilled", "fitopt", "jump", "rate", "rateints", "bsub", "bsubints", "crf", "crfints",
    "psfalign", "psfstack", "median", "blot",
})
PREVIEW_EXTENSIONS = frozenset({"jpg", "jpeg", "png"})
DATA_EXTENSIONS = frozenset({"fits", "ecsv", "json", "csv", "asdf", "txt", "xml"})
INSTRUMENTS = frozenset({"nircam", "miri", "nirspec", "niriss", "fgs"})

_ACID = r"(?:o\d{3}|c\d{4}|a\d{4}|r\d{4})"
_EXPOSURE = re.compile(
    r"^jw(?P<program>\d{5})(?P<observation>\d{3})(?P<visit>\d{3})"
    r"_(?P<visit_group>\d{2})(?P<parallel>\d)(?P<activity>[0-9a-z]{2})"
    r"_(?P<exposure>\d{5})(?:-seg(?P<segment>\d{3}))?"
    r"_(?P<detector>[a-z][a-z0-9]*)"
    rf"(?:_(?P<asn_id>{_ACID}))?"
    r"_(?P<suffix>[a-z0-9]+(?:-[a-z0-9]+)?)$"
)
_LEVEL3 = re.compile(
    rf"^jw(?P<program>\d{{5}})-(?P<asn_id>{_ACID})"
    r"_(?P<target>t\d{3}|s\d{5,}|s\{source_id\}|[bv]\d+|[a-z0-9]+(?:-[a-z0-9]+)*?)(?:-epoch(?P<epoch>\d+))?"
    r"_(?P<instrument>nircam|miri|nirspec|niriss|fgs)"
    r"_(?P<optical_elements>[a-z0-9.+]+(?:-[a-z0-9.+]+)*)"
    r"_(?P<suffix>[a-z0-9]+(?:-[a-z0-9]+)?)$"
)
_GUIDE_STAR = re.compile(
    r"^jw(?P<program>\d{5})(?P<observation>\d{3})(?P<visit>\d{3})"
    r"_gs-(?P<gs_kind>[a-z0-9]+)_(?P<gs_time>\d{13})(?:-seg(?P<segment>\d{3}))?_(?P<suffix>[a-z0-9]+)$"
)
#: _exposure takes the groups of _EXPOSURE in this order.
assert tuple(_EXPOSURE.groupindex) == ("program", "observation", "visit", "visit_group", "parallel", "activity",
                                       "exposure", "segment", "detector", "asn_id", "suffix")
_MSA = re.compile(r"^jw(?P<program>\d{5})(?P<observation>\d{3})(?P<visit>\d{3})_(?P<msa_seq>\d{2})_msa$")
_POOL = re.compile(r"^jw(?P<program>\d{5})_(?P<version>\d{8}t\d{6})_pool$")
_ASSOCIATION = re.compile(
    rf"^jw(?P<program>\d{{5}})-(?P<asn_id>{_ACID})(?:_(?P<version>\d{{8}}t\d{{6}}))?"
    r"_(?P<asn_type>[a-z0-9]+(?:-[a-z0-9]+)*)_(?P<asn_seq>\d{3,5})_asn$"
)
_SOURCE = re.compile(r"^s\d{5,}$")


class BadName(ValueError):
    """A file name that breaks the JWST naming rules (the message says how)."""


@dataclass(frozen=True, slots=True, init=False)
class ProductName:
    filename: str
    form: str  # exposure | level3 | guide_star | msa | pool | association
    suffix: str
    extension: str
    level: str | None
    labels: tuple[Label, ...]
    props: dict[str, Any] = field(default_factory=dict)

    def __init__(self, filename: str, form: str, suffix: str, extension: str, level: str | None,
                 labels: tuple[Label, ...], props: dict[str, Any] = NEW_DICT) -> None:
        # the dataclass's __init__, faster (see records.slot_setters)
        set_filename, set_form, set_suffix, set_extension, set_level, set_labels, set_props = _SETTERS
        set_filename(self, filename)
        set_form(self, form)
        set_suffix(self, suffix)
        set_extension(self, extension)
        set_level(self, level)
        set_labels(self, labels)
        set_props(self, {} if props is NEW_DICT else props)

    @property
    def uri(self) -> str:
        return product_uri(self.filename)


_SETTERS = slot_setters(ProductName)


def product_uri(filename: str) -> str:
    return MAST_PRODUCT_PREFIX + filename


def filename_of(uri_or_name: str) -> str:
    """The file name of a `mast:JWST/product/...` URI, a path, or a bare name."""
    name = uri_or_name.rsplit("/", 1)[-1]
    return name.strip()


def parse(filename: str) -> ProductName:
    """Parse a JWST product file name; raises `BadName` when it breaks the rules."""
    name = filename_of(filename)
    if not name.isascii():
        raise BadName(f"file name {shown(name)} is not ASCII (not a JWST product name)")
    name_l = name.lower()
    if "." not in name_l:
        raise BadName(f"file name {shown(name)} has no extension")
    base, ext = name_l.rsplit(".", 1)
    preview = ext in PREVIEW_EXTENSIONS
    thumb = preview and base.endswith("_thumb")
    if thumb:
        base = base[: -len("_thumb")]
    if not preview and ext not in DATA_EXTENSIONS:
        raise BadName(f"file name {shown(name)}: unknown extension {shown(ext)}")
    parsed = _parse_base(name, base, ext)
    if not preview:
        return parsed
    # A preview shows another product: it keeps the name's visit/program facts, not its lineage keys.
    props = {k: v for k, v in parsed.props.items() if k not in ("level", "stem", "exposure_key", "source_stem")}
    props.update(extension=ext, previews=f"{base}.fits", thumbnail=thumb)
    return ProductName(name, parsed.form, parsed.suffix, ext, None, (Label.PREVIEW,), props)


@functools.lru_cache(maxsize=4096)
def parse_shared(filename: str) -> ProductName:
    """`parse`, remembered for the 4,096 names asked last: a program's associations, pools and
    listings name the same products again and again. The result is shared by every caller:
    read it, never change it (nor its `props`)."""
    return parse(filename)


def _parse_base(name: str, base: str, ext: str) -> ProductName:
    if base.startswith("jw") and base.endswith("_asn"):
        return _association(name, base, ext)
    if base.startswith("jw") and base.endswith("_pool"):
        return _pool(name, base, ext)
    if "_gs-" in base:
        return _guide_star(name, base, ext)
    if base.endswith("_msa"):
        return _msa(name, base, ext)
    match = _EXPOSURE.match(base)
    if match:
        return _exposure(name, match, ext)
    match = _LEVEL3.match(base)
    if match:
        return _level3(name, match, ext)
    if not base.startswith("jw"):
        raise BadName(f"file name {shown(name)} does not start with 'jw' (not a JWST product name)")
    if re.match(r"^jw\d{5}-", base):
        raise BadName(f"file name {shown(name)} breaks the Level-3 naming rule jw<ppppp>-<acid>_<target>_<instrument>_<optical elements>_<suffix>")
    raise BadName(f"file name {shown(name)} breaks the exposure naming rule jw<ppppp><ooo><vvv>_<gg><s><aa>_<eeeee>_<detector>_<suffix>")


def _visit_props(m: dict[str, Any] | re.Match) -> dict[str, Any]:
    return {
        "program": m["program"],
        "observation": m["observation"],
        "visit": m["visit"],
        "visit_id": f"{m['program']}{m['observation']}{m['visit']}",
    }


def _exposure(name: str, match: re.Match, ext: str) -> ProductName:
    # the groups in _EXPOSURE's order (one call; locals are quicker to ask than the match)
    (program, observation, visit, visit_group, parallel, activity, exposure, segment, detector, asn_id,
     suffix) = match.groups()
    level = EXPOSURE_LEVELS.get(suffix)
    if level is None:
        raise BadName(f"file name {shown(name)}: unknown suffix {shown(suffix)} for an exposure-level product")
    seg = f"-seg{segment}" if segment else ""
    exposure_key = f"jw{program}{observation}{visit}_{visit_group}{parallel}{activity}_{exposure}{seg}_{detector}"
    stem = exposure_key + (f"_{asn_id}" if asn_id else "")
    props = {
        "program": program,  # the _visit_props
        "observation": observation,
        "visit": visit,
        "visit_id": f"{program}{observation}{visit}",
        "visit_group": visit_group,
        "parallel": parallel,
        "activity": activity,
        "exposure": exposure,
        "segment": segment,
        "detector": detector,
        "asn_id": asn_id,
        "suffix": suffix,
        "extension": ext,
        "level": level,
        "stem": stem,
        "exposure_key": exposure_key,
    }
    labels = (LEVEL_LABELS[level],) + ((Label.CATALOG,) if suffix == "cat" else ())
    return ProductName(name, "exposure", suffix, ext, level, labels, props)


#: wfs_combine fills the `{suffix}` placeholder of its association's product name: `..._wfscmb-05.fits`.
_WFSCMB = re.compile(r"^wfscmb-(?P<activity>\d+)$")


def _level3(name: str, match: re.Match, ext: str) -> ProductName:
    m = match.groupdict()  # as in _exposure
    suffix = m["suffix"]
    wfscmb = _WFSCMB.match(suffix)
    if wfscmb:
        return _level3_wfscmb(name, m, ext, wfscmb["activity"])
    if suffix not in LEVEL3_SUFFIXES:
        raise BadName(f"file name {shown(name)}: unknown suffix {shown(suffix)} for a Level-3 product")
    target = m["target"]
    stem = name.lower().rsplit(".", 1)[0]
    stem = stem[: -len(suffix) - 1] if not stem.endswith("_thumb") else stem
    stem = f"jw{m['program']}-{m['asn_id']}_{target}" + (f"-epoch{m['epoch']}" if m["epoch"] else "") + \
        f"_{m['instrument']}_{m['optical_elements']}"
    source_id = target if _SOURCE.match(target) else None
    props = {
        "program": m["program"],
        "asn_id": m["asn_id"],
        "target": None if source_id else target,
        "source_id": source_id,
        "epoch": m["epoch"],
        "instrument": m["instrument"],
        "optical_elements": m["optical_elements"],
        "suffix": suffix,
        "extension": ext,
        "level": "3",
        "stem": stem,
        "source_stem": stem.replace(f"_{source_id}_", "_s{source_id}_", 1) if source_id else None,
    }
    labels = (Label.L3,) + ((Label.CATALOG,) if suffix == "cat" else ())
    return ProductName(name, "level3", suffix, ext, "3", labels, props)


def _level3_wfscmb(name: str, m: dict[str, Any], ext: str, activity: str) -> ProductName:
    base = f"jw{m['program']}-{m['asn_id']}_{m['target']}_{m['instrument']}_{m['optical_elements']}"
    props = {
        "program": m["program"],
        "asn_id": m["asn_id"],
        "target": m["target"],
        "instrument": m["instrument"],
        "optical_elements": m["optical_elements"],
        "activity": activity,
        "suffix": "wfscmb",
        "extension": ext,
        "level": "3",
        # the association names this product `<base>_{suffix}-<activity>`
        "stem": f"{base}_{{suffix}}-{activity}",
    }
    return ProductName(name, "level3", "wfscmb", ext, "3", (Label.L3,), props)


def _guide_star(name: str, base: str, ext: str) -> ProductName:
    m = _GUIDE_STAR.match(base)
    if not m:
        raise BadName(f"file name {shown(name)} breaks the guide-star naming rule jw<ppppp><ooo><vvv>_gs-<kind>_<yyyydddhhmmss>_<suffix>")
    m = m.groupdict()  # as in _exposure
    if m["gs_kind"] not in GUIDE_STAR_KINDS:
        raise BadName(f"file name {shown(name)}: unknown guide-star kind {shown(m['gs_kind'])}")
    suffix = m["suffix"]
    level = GUIDE_STAR_SUFFIXES.get(suffix)
    if level is None:
        raise BadName(f"file name {shown(name)}: unknown suffix {shown(suffix)} for a guide-star product")
    seg = f"-seg{m['segment']}" if m["segment"] else ""
    stem = f"jw{m['program']}{m['observation']}{m['visit']}_gs-{m['gs_kind']}_{m['gs_time']}{seg}"
    props = {
        **_visit_props(m),
        "gs_kind": m["gs_kind"],
        "segment": m["segment"],
        "suffix": suffix,
        "extension": ext,
        "level": level,
        "stem": stem,
        "exposure_key": stem,
    }
    return ProductName(name, "guide_star", suffix, ext, level, (Label.GUIDE_STAR, LEVEL_LABELS[level]), props)


def _msa(name: str, base: str, ext: str) -> ProductName:
    m = _MSA.match(base)
    if not m:
        raise BadName(f"file name {shown(name)} breaks the MSA naming rule jw<ppppp><ooo><vvv>_<NN>_msa.fits")
    props = {**_visit_props(m), "suffix": "msa", "extension": ext, "stem": base[: -len("_msa")]}
    return ProductName(name, "msa", "msa", ext, None, (Label.MSA_FILE,), props)


def _pool(name: str, base: str, ext: str) -> ProductName:
    m = _POOL.match(base)
    if not m:
        raise BadName(f"file name {shown(name)} breaks the pool naming rule jw<ppppp>_<yyyymmddThhmmss>_pool.csv")
    props = {"program": m["program"], "version_id": m["version"], "suffix": "pool", "extension": ext, "stem": base}
    return ProductName(name, "pool", "pool", ext, None, (Label.POOL_FILE,), props)


def _association(name: str, base: str, ext: str) -> ProductName:
    m = _ASSOCIATION.match(base)
    if not m:
        raise BadName(f"file name {shown(name)} breaks the association naming rule jw<ppppp>-<acid>_<version>_<asn_type>_<NNNNN>_asn.json")
    props = {
        "program": m["program"],
        "asn_id": m["asn_id"],
        "version_id": m["version"],
        "asn_type": m["asn_type"],
        "suffix": "asn",
        "extension": ext,
        "stem": base[: -len("_asn")],
        "association": base[: -len("_asn")],
    }
    return ProductName(name, "association", "asn", ext, None, (Label.ASSOCIATION_FILE,), props)


def is_intermediate(suffix: str | None) -> bool:
    return suffix in INTERMEDIATE_SUFFIXES


def program_key(proposal_id: object) -> str:
    """The 5-digit Program key of a proposal id (`2733`, `"02733"`, `2733.0`)."""
    text = str(proposal_id).strip()
    if text.endswith(".0"):
        text = text[:-2]
    key = program_digits(text)
    if key is None:
        raise ValueError(f"proposal id {shown(proposal_id)} is not a JWST program number")
    return key


#: Level-3 observation ids look like Level-3 file stems; exposure ones like exposure stems.
_OBS_ID_L3 = re.compile(rf"^jw\d{{5}}-{_ACID}_")
_OBS_ID_EXPOSURE = re.compile(r"^jw\d{11}_\d{3}[0-9a-z]{2}_\d{5}")


def observation_form(obs_id: str) -> str | None:
    """'combined' for a Level-3 obs_id, 'exposure' for an exposure-level one, else None."""
    if _OBS_ID_L3.match(obs_id.lower()):
        return "combined"
    if _OBS_ID_EXPOSURE.match(obs_id.lower()):
        return "exposure"
    return None
