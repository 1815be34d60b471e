"""CRDS contexts and the reference files a calibrated JWST product names in its `R_<TYPE>` keywords.

Two contexts run over the synthetic archive, each with its calibration software version. A
reference file's number depends on the instrument, reference type and (for per-detector or
per-filter types) the detector or filter, so many products share one reference file; types that a
newer context re-delivered get new numbers under it. Types that do not apply to an observing mode
are written `N/A`, as the pipeline does.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Context:
    name: str  # jwst_1046.pmap
    cal_ver: str  # CAL_VER and the listing's prvversion
    crds_ver: str
    sdp_ver: str
    index: int


CONTEXTS = (
    Context("jwst_1046.pmap", "1.8.2", "11.16.16", "2022_5b", 0),
    Context("jwst_1225.pmap", "1.14.0", "11.17.19", "2024_1a", 1),
)


@dataclass(frozen=True, slots=True)
class RefType:
    keyword: str  # R_FLAT
    reftype: str  # flat
    ext: str = "fits"
    per: str = ""  # "detector", "filter" or "" (one file per instrument)


def _r(keyword: str, reftype: str, ext: str = "fits", per: str = "") -> RefType:
    return RefType(keyword, reftype, ext, per)


_DETECTOR_COMMON = (
    _r("R_DARK", "dark", per="detector"),
    _r("R_GAIN", "gain", per="detector"),
    _r("R_LINEAR", "linearity", per="detector"),
    _r("R_MASK", "mask", per="detector"),
    _r("R_READNO", "readnoise", per="detector"),
    _r("R_SATURA", "saturation", per="detector"),
    _r("R_SUPERB", "superbias", per="detector"),
)

#: Reference types per instrument; each mode says which of them it uses (the rest are N/A).
REFTYPES: dict[str, tuple[RefType, ...]] = {
    "nircam": _DETECTOR_COMMON
    + (
        _r("R_AREA", "area", per="filter"),
        _r("R_DISTOR", "distortion", "asdf", per="detector"),
        _r("R_FILOFF", "filteroffset", "asdf", per="detector"),
        _r("R_FLAT", "flat", per="filter"),
        _r("R_IPC", "ipc", per="detector"),
        _r("R_PERSAT", "persat", per="detector"),
        _r("R_PHOTOM", "photom", per="detector"),
        _r("R_PSFMSK", "psfmask", per="filter"),
        _r("R_TRPDEN", "trapdensity", per="detector"),
        _r("R_TRPPAR", "trappars", per="detector"),
    ),
    "miri": _DETECTOR_COMMON
    + (
        _r("R_AREA", "area", per="filter"),
        _r("R_DISTOR", "distortion", "asdf", per="filter"),
        _r("R_FILOFF", "filteroffset", "asdf"),
        _r("R_FLAT", "flat", per="filter"),
        _r("R_PHOTOM", "photom"),
        _r("R_PSFMSK", "psfmask", per="filter"),
        _r("R_RESET", "reset"),
        _r("R_RSCD", "rscd"),
    ),
    "nirspec": _DETECTOR_COMMON
    + (
        _r("R_AREA", "area"),
        _r("R_CAMERA", "camera", "asdf"),
        _r("R_COLLIM", "collimator", "asdf"),
        _r("R_DISPER", "disperser", "asdf", per="filter"),
        _r("R_DFLAT", "dflat", per="detector"),
        _r("R_FFLAT", "fflat", per="filter"),
        _r("R_SFLAT", "sflat", per="filter"),
        _r("R_FORE", "fore", "asdf", per="filter"),
        _r("R_FPA", "fpa", "asdf"),
        _r("R_IFUFOR", "ifufore", "asdf"),
        _r("R_IFUPOS", "ifupost", "asdf"),
        _r("R_IFUSLI", "ifuslicer", "asdf"),
        _r("R_MSA", "msa", "asdf"),
        _r("R_OTE", "ote", "asdf"),
        _r("R_PTHLOS", "pathloss"),
        _r("R_PHOTOM", "photom", per="filter"),
        _r("R_WAVRAN", "wavelengthrange", "asdf"),
    ),
}

#: Reference types that the newer context re-delivered (new file numbers under it).
REDELIVERED = frozenset({"flat", "dflat", "sflat", "fflat", "photom", "dark", "area", "distortion", "pathloss"})

#: Reference types of the Level-3 steps written into combined products.
LEVEL3_REFTYPES: dict[str, tuple[RefType, ...]] = {
    "image": (_r("R_DRIZPA", "drizpars"),),
    "spectrum": (_r("R_EXTR1D", "extract1d", "json"), _r("R_APCORR", "apcorr")),
    "timeseries": (_r("R_EXTR1D", "extract1d", "json"),),
}


def reference_number(instrument: str, ref: RefType, detector: str, optical: str, context: Context) -> int:
    """A stable file number for the reference file this product's configuration selects."""
    key = {"detector": detector, "filter": optical}.get(ref.per, "")
    base = 1 + zlib.crc32(f"{instrument}:{ref.reftype}:{key}".encode()) % 380
    return base + (400 if context.index and ref.reftype in REDELIVERED else 0)


def reference_keywords(
    instrument: str, detector: str, optical: str, context: Context, used: frozenset[str]
) -> list[tuple[str, str]]:
    """(`R_<TYPE>`, `crds://jwst_<instr>_<reftype>_<NNNN>.<ext>` or `N/A`) for every type of the instrument."""
    cards = []
    for ref in REFTYPES[instrument]:
        if ref.reftype in used:
            number = reference_number(instrument, ref, detector, optical, context)
            cards.append((ref.keyword, f"crds://jwst_{instrument}_{ref.reftype}_{number:04d}.{ref.ext}"))
        else:
            cards.append((ref.keyword, "N/A"))
    return cards


def level3_keywords(instrument: str, dataproduct_type: str, optical: str, context: Context) -> list[tuple[str, str]]:
    cards = []
    for ref in LEVEL3_REFTYPES.get(dataproduct_type, LEVEL3_REFTYPES["image"]):
        number = reference_number(instrument, ref, "", optical, context)
        cards.append((ref.keyword, f"crds://jwst_{instrument}_{ref.reftype}_{number:04d}.{ref.ext}"))
    return cards
