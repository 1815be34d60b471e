"""What MAST says about each kind of JWST file: product type, subgroup, description, extension.

The subgroup (`productSubGroupDescription`) is the upper-cased file suffix. The calibration level
depends on where a file is made (an exposure's `i2d` is level 2, a combined `i2d` level 3), so it
is given by the archive model, not here.
"""

from __future__ import annotations

from dataclasses import dataclass

SCIENCE = "SCIENCE"
AUXILIARY = "AUXILIARY"
INFO = "INFO"
PREVIEW = "PREVIEW"
THUMBNAIL = "THUMBNAIL"

MRP = "Minimum Recommended Products"


@dataclass(frozen=True, slots=True)
class Suffix:
    suffix: str
    product_type: str
    subgroup: str
    description: str
    ext: str = "fits"


def _science(suffix: str, description: str, ext: str = "fits") -> Suffix:
    return Suffix(suffix, SCIENCE, suffix.upper(), description, ext)


SUFFIXES: dict[str, Suffix] = {
    s.suffix: s
    for s in (
        _science("uncal", "exposure (L1b): Uncalibrated 4D exposure data"),
        _science("rate", "exposure (L2a): corrected count rate averaged over integrations"),
        _science("rateints", "exposure (L2a): corrected count rate per integration"),
        _science("cal", "exposure (L2b): 2D calibrated exposure averaged over integrations"),
        _science("calints", "exposure (L2b): 3D calibrated exposure per integration"),
        _science("crf", "exposure (L2b): calibrated exposure with outliers flagged"),
        _science("i2d", "exposure/target (L2b/L3): rectified 2D image"),
        _science("s2d", "exposure/target (L2b/L3): rectified 2D spectrum"),
        _science("s3d", "exposure/target (L2b/L3): 3D image of spectrum"),
        _science("x1d", "exposure/target (L2b/L3): 1D extracted spectrum"),
        _science("x1dints", "exposure/target (L2b/L3): 1D extracted spectra per integration"),
        _science("c1d", "target (L3): combined 1D spectrum"),
        _science("cat", "target (L3): source catalog", "ecsv"),
        _science("segm", "target (L3): segmentation map"),
        _science("whtlt", "target (L3): white-light photometry time series", "ecsv"),
        _science("psfsub", "exposure (L3): PSF-subtracted exposure"),
        Suffix("asn", INFO, "ASN", "Association file", "json"),
        Suffix("pool", INFO, "POOL", "Association pool", "csv"),
        Suffix("msa", AUXILIARY, "MSA", "NIRSpec MSA metadata"),
    )
}

#: Science suffixes of an exposure's most calibrated (Level-2b) products: MAST flags these as
#: Minimum Recommended Products in the exposure's own listing. `crf` is an intermediate.
EXPOSURE_MRP = frozenset({"cal", "calints", "i2d", "s2d", "s3d", "x1d", "x1dints"})

#: Guide-star file kinds (`gs-<kind>`) and their subgroup.
GUIDE_STAR_SUBGROUPS = {k: f"GS-{k.upper()}" for k in ("id", "acq1", "acq2", "track", "fg")}

GUIDE_STAR_DESCRIPTIONS = {
    "uncal": "guide star (L1b): uncalibrated guider data",
    "cal": "guide star (L2b): calibrated guider data",
    "stream": "guide star (L1b): guider data stream",
}
