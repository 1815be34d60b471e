"""JWST observing modes: one instrument configuration, its exposure type and what its pipeline makes.

A `Mode` carries what MAST and the file names need (INSTRUME, EXP_TYPE, `instrument_name`,
`filters`, the Level-3 optical-element string), which Level-2 association type and products its
exposures get, and how many pixels an integration has (for plausible file sizes).
"""

from __future__ import annotations

from dataclasses import dataclass

NIRCAM_SHORT = ("nrca1", "nrca2", "nrca3", "nrca4", "nrcb1", "nrcb2", "nrcb3", "nrcb4")
NIRCAM_LONG = ("nrcalong", "nrcblong")
NIRSPEC = ("nrs1", "nrs2")

FULL_2048 = 2048 * 2048
MIRI_FULL = 1032 * 1024


@dataclass(frozen=True, slots=True)
class Mode:
    instrument: str  # INSTRUME, upper case: NIRCAM
    instrument_name: str  # MAST instrument_name: NIRCAM/IMAGE
    exp_type: str  # EXP_TYPE: NRC_IMAGE
    template: str  # APT template
    dataproduct_type: str  # image, spectrum, timeseries
    filter: str
    optical: str  # Level-3 optical elements (with subarray when not FULL): clear-f200w
    filters: str  # MAST `filters`: F200W, F170LP;G235M
    level2: str  # Level-2 association type: image2, spec2, tso-spec2
    level2_rule: str
    stage2: tuple[str, ...]  # Level-2b suffixes; the first is the calibrated exposure (cal/calints)
    pixels: int
    reftypes: frozenset[str]
    pupil: str | None = None
    grating: str | None = None
    fxd_slit: str | None = None
    subarray: str = "FULL"
    channel: str | None = None  # NIRCam SHORT/LONG
    integrations: bool = False  # Level-2 input is rateints (TSO, coronagraphy)
    previews: bool = True
    is_tso: bool = False

    @property
    def instrument_lc(self) -> str:
        return self.instrument.lower()

    @property
    def level2_input(self) -> str:
        return "rateints" if self.integrations else "rate"


_NIRCAM_REFS = frozenset(
    {"dark", "gain", "linearity", "mask", "readnoise", "saturation", "superbias", "area", "distortion",
     "filteroffset", "flat", "ipc", "persat", "photom", "trapdensity", "trappars"}
)
_MIRI_REFS = frozenset(
    {"dark", "gain", "linearity", "mask", "readnoise", "saturation", "area", "distortion", "filteroffset",
     "flat", "photom", "reset", "rscd"}
)
_NIRSPEC_REFS = frozenset(
    {"dark", "gain", "linearity", "mask", "readnoise", "saturation", "superbias", "camera", "collimator",
     "disperser", "dflat", "fflat", "sflat", "fore", "fpa", "msa", "ote", "pathloss", "photom", "wavelengthrange"}
)


def nircam_image(filter_: str, channel: str) -> Mode:
    return Mode(
        "NIRCAM", "NIRCAM/IMAGE", "NRC_IMAGE", "NIRCam Imaging", "image", filter_, f"clear-{filter_.lower()}",
        filter_, "image2", "candidate_Asn_Lv2Image", ("cal", "i2d"), FULL_2048, _NIRCAM_REFS,
        pupil="CLEAR", channel=channel,
    )


def miri_image(filter_: str) -> Mode:
    return Mode(
        "MIRI", "MIRI/IMAGE", "MIR_IMAGE", "MIRI Imaging", "image", filter_, filter_.lower(), filter_, "image2",
        "candidate_Asn_Lv2Image", ("cal", "i2d"), MIRI_FULL, _MIRI_REFS,
    )


def nirspec_mos(filter_: str, grating: str) -> Mode:
    return Mode(
        "NIRSPEC", "NIRSPEC/MSA", "NRS_MSASPEC", "NIRSpec MultiObject Spectroscopy", "spectrum", filter_,
        f"{filter_.lower()}-{grating.lower()}", f"{filter_};{grating}", "spec2", "candidate_Asn_Lv2NRSMSA",
        ("cal", "s2d", "x1d"), FULL_2048, _NIRSPEC_REFS, grating=grating,
    )


def nirspec_acquisition(exp_type: str, filter_: str, subarray: str, pixels: int) -> Mode:
    """NRS_MSATA, NRS_CONFIRM, NRS_WATA: target acquisition and confirmation images."""
    return Mode(
        "NIRSPEC", "NIRSPEC/IMAGE", exp_type, "NIRSpec MultiObject Spectroscopy", "image", filter_,
        filter_.lower(), filter_, "image2", "candidate_Asn_Lv2ImageNonScience", ("cal",), pixels,
        _NIRSPEC_REFS - {"pathloss", "disperser"}, grating="MIRROR", subarray=subarray, previews=False,
    )


def nircam_coron(filter_: str, mask: str, subarray: str, pixels: int) -> Mode:
    optical = f"{filter_.lower()}-{mask.lower()}-{subarray.lower()}"
    return Mode(
        "NIRCAM", "NIRCAM/CORON", "NRC_CORON", "NIRCam Coronagraphic Imaging", "image", filter_, optical,
        f"{filter_};{mask}", "image2", "candidate_Asn_Lv2Image", ("calints",), pixels,
        _NIRCAM_REFS | {"psfmask"}, pupil=mask, subarray=subarray, channel="LONG", integrations=True,
    )


def nircam_acquisition(exp_type: str, filter_: str, subarray: str, pixels: int) -> Mode:
    """NRC_TACQ and NRC_TACONFIRM of coronagraphy."""
    return Mode(
        "NIRCAM", "NIRCAM/CORON", exp_type, "NIRCam Coronagraphic Imaging", "image", filter_,
        filter_.lower(), filter_, "image2", "candidate_Asn_Lv2ImageNonScience", ("cal",), pixels,
        _NIRCAM_REFS, pupil="CLEAR", subarray=subarray, channel="LONG", previews=False,
    )


def nirspec_bots(filter_: str, grating: str, slit: str, subarray: str, pixels: int) -> Mode:
    optical = f"{filter_.lower()}-{grating.lower()}-{slit.lower()}-{subarray.lower()}"
    return Mode(
        "NIRSPEC", "NIRSPEC/SLIT", "NRS_BRIGHTOBJ", "NIRSpec Bright Object Time Series", "timeseries", filter_,
        optical, f"{filter_};{grating}", "tso-spec2", "candidate_Asn_Lv2SpecTSO", ("calints", "x1dints"), pixels,
        _NIRSPEC_REFS, grating=grating, fxd_slit=slit, subarray=subarray, integrations=True, previews=False,
        is_tso=True,
    )
