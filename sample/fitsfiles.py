"""Small FITS files with the header keywords of real JWST products (data kept tiny).

Calibrated exposures carry program/visit/exposure identifiers, times, CAL_VER, CRDS_VER,
CRDS_CTX, ASNPOOL, ASNTABLE, MSAMETFL and one `R_<TYPE>` per reference type of the instrument;
Level-3 products an `HDRTAB` table with one row per input; MSA metadata its SHUTTER_INFO and
SOURCE_INFO tables.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import numpy as np
from astropy.io import fits

from . import crds, fitscards
from .archive import Combined, Exposure, Product, Program, Segment
from .names import visit_id
from .timeline import iso

_DATAMODEL = {"cal": "ImageModel", "calints": "CubeModel", "i2d": "ImageModel", "s2d": "MultiSlitModel",
              "x1d": "MultiSpecModel", "x1dints": "MultiSpecModel", "segm": "SegmentationMapModel",
              "psfsub": "CubeModel"}
_STEPS = (("S_DQINIT", "Data Quality Initialization"), ("S_SATURA", "Saturation Checking"),
          ("S_SUPERB", "Superbias Subtraction"), ("S_LINEAR", "Linearity Correction"),
          ("S_DARK", "Dark Subtraction"), ("S_JUMP", "Jump Detection"), ("S_RAMP", "Ramp Fitting"),
          ("S_WCS", "Assign World Coordinate System"), ("S_FLAT", "Flat Field Correction"),
          ("S_PHOTOM", "Photometric Calibration"))


def _common(program: Program, filename: str, datamodel: str, asntable: str, processed: str) -> list[tuple]:
    ctx = program.context
    return [
        ("DATE", processed, "UTC date file created"),
        ("ORIGIN", "STSCI", "Organization responsible for creating file"),
        ("TIMESYS", "UTC", "principal time system for time-related keywords"),
        ("FILENAME", filename, "Name of the file"),
        ("FILETYPE", "calibrated", "Type of data in the file"),
        ("SDP_VER", ctx.sdp_ver, "Data processing software version number"),
        ("CAL_VER", ctx.cal_ver, "Calibration software version number"),
        ("CRDS_VER", ctx.crds_ver, "Version of CRDS file selection software used"),
        ("CRDS_CTX", ctx.name, "CRDS context (.pmap) used to select ref files"),
        ("DATAMODL", datamodel, "Type of data model"),
        ("TELESCOP", "JWST", "Telescope used to acquire the data"),
        ("ASNPOOL", program.pool_name, "Name of the ASN pool"),
        ("ASNTABLE", asntable, "Name of the ASN table"),
        ("TITLE", program.title, "Proposal title"),
        ("PI_NAME", program.pi, "Principal investigator name"),
        ("PROGRAM", f"{program.program:05d}", "Program number"),
    ]


def _processed(program: Program) -> str:
    """DATE: when the products were written (the program's processing, its version id)."""
    return datetime.strptime(program.version, "%Y%m%dt%H%M%S").strftime("%Y-%m-%dT%H:%M:%S.000")


def exposure_header(program: Program, e: Exposure, seg: Segment, product: Product, asntable: str) -> list[tuple]:
    v, mode = e.visit, e.mode
    cards = _common(program, product.filename, _DATAMODEL.get(product.suffix, "ImageModel"), asntable, _processed(program))
    cards += [
        ("DATE-OBS", iso(seg.t_min)[:10], "UTC date at start of exposure"),
        ("TIME-OBS", iso(seg.t_min)[11:], "UTC time at start of exposure"),
        ("DATE-BEG", iso(seg.t_min), "Date-time start of exposure"),
        ("DATE-END", iso(seg.t_max), "Date-time end of exposure"),
        ("OBS_ID", f"V{visit_id(v.program, v.observation, v.visit)}P00000000{e.visit_group:02d}{e.sequence}{e.activity:02d}",
         "Programmatic observation identifier"),
        ("VISIT_ID", visit_id(v.program, v.observation, v.visit), "Visit identifier"),
        ("OBSERVTN", f"{v.observation:03d}", "Observation number"),
        ("VISIT", f"{v.visit:03d}", "Visit number"),
        ("VISITGRP", f"{e.visit_group:02d}", "Visit group identifier"),
        ("SEQ_ID", str(e.sequence), "Parallel sequence identifier"),
        ("ACT_ID", f"{e.activity:02d}", "Activity identifier"),
        ("EXPOSURE", str(e.number), "Exposure request number"),
        ("TEMPLATE", mode.template, "Observation template used"),
        ("ENG_QUAL", "OK", "Engineering data quality indicator from EngDB"),
        ("TSOVISIT", mode.is_tso, "Time Series Observation visit indicator"),
        ("TARGPROP", v.target.proposer_name, "Proposer's name for the target"),
        ("TARGNAME", v.target.name, "Standard astronomical catalog name for target"),
        ("TARG_RA", v.target.ra, "Target RA at mid time of exposure"),
        ("TARG_DEC", v.target.dec, "Target Dec at mid time of exposure"),
        ("INSTRUME", mode.instrument, "Instrument used to acquire the data"),
        ("DETECTOR", e.detector.upper(), "Name of detector used to acquire the data"),
        ("FILTER", mode.filter, "Name of the filter element used"),
    ]
    if mode.pupil:
        cards.append(("PUPIL", mode.pupil, "Name of the pupil element used"))
    if mode.grating:
        cards.append(("GRATING", mode.grating, "Name of the grating element used"))
    if mode.fxd_slit:
        cards.append(("FXD_SLIT", mode.fxd_slit, "Name of fixed slit aperture used"))
    if e.msa_file:
        cards += [("MSAMETFL", e.msa_file, "MSA metadata file name"), ("MSAMETID", 1, "MSA metadata ID")]
    seconds = (seg.t_max - seg.t_min) * 86400.0
    cards += [
        ("EXP_TYPE", mode.exp_type, "Type of data in the exposure"),
        ("EXPSTART", seg.t_min, "UTC exposure start time"),
        ("EXPMID", (seg.t_min + seg.t_max) / 2.0, "UTC exposure mid time"),
        ("EXPEND", seg.t_max, "UTC exposure end time"),
        ("NINTS", e.nints, "Number of integrations in exposure"),
        ("NGROUPS", e.ngroups, "Number of groups in integration"),
        ("EFFEXPTM", round(seconds * 0.968, 3), "[s] Effective exposure time"),
        ("DURATION", round(seconds, 3), "[s] Total duration of exposure"),
    ]
    if e.segmented:
        cards += [("EXSEGNUM", seg.number, "Segment number"), ("EXSEGTOT", len(e.segments), "Total number of segments")]
    cards += [
        ("SUBARRAY", mode.subarray, "Subarray used"),
        ("PATT_NUM", e.patt_num, "Position number in primary pattern"),
        ("NUMDTHPT", e.numdthpt, "Total number of points in pattern"),
        ("RA_REF", e.ra, "[deg] Right ascension of the reference point"),
        ("DEC_REF", e.dec, "[deg] Declination of the reference point"),
        ("PA_V3", v.pa_v3, "[deg] Position angle of telescope V3 axis"),
    ]
    refs = crds.reference_keywords(mode.instrument_lc, e.detector, mode.filter.lower(), program.context, mode.reftypes)
    cards += [(key, value, "Reference file name") for key, value in refs]
    cards += [(key, "COMPLETE", text) for key, text in _STEPS]
    return cards


def combined_header(program: Program, c: Combined, product: Product, inputs: list[Exposure]) -> list[tuple]:
    mode = c.mode
    detectors = sorted({e.detector for e in inputs})
    observations = sorted({e.visit.observation for e in inputs})
    cards = _common(program, product.filename, _DATAMODEL.get(product.suffix, "ImageModel"), c.association.filename,
                    _processed(program))
    cards += [
        ("OBSERVTN", f"{observations[0]:03d}", "Observation number"),
        ("TARGNAME", c.target.name, "Standard astronomical catalog name for target"),
        ("INSTRUME", mode.instrument, "Instrument used to acquire the data"),
        ("DETECTOR", detectors[0].upper() if len(detectors) == 1 else "MULTIPLE", "Name of detector used to acquire the data"),
        ("FILTER", mode.filter, "Name of the filter element used"),
        ("EXP_TYPE", mode.exp_type, "Type of data in the exposure"),
        ("EXPSTART", min(e.t_min for e in inputs), "UTC exposure start time"),
        ("EXPEND", max(e.t_max for e in inputs), "UTC exposure end time"),
        ("EFFEXPTM", round(sum(e.exptime for e in inputs), 3), "[s] Effective exposure time"),
    ]
    msa = next((e.msa_file for e in inputs if e.msa_file), None)
    if msa:
        cards.append(("MSAMETFL", msa, "MSA metadata file name"))
    cards += [(k, v, "Reference file name") for k, v in crds.level3_keywords(mode.instrument_lc, mode.dataproduct_type,
                                                                              mode.filter.lower(), program.context)]
    return cards


def _hdrtab(inputs: list[tuple[Exposure, Segment]]) -> fits.BinTableHDU:
    columns = [
        fits.Column("FILENAME", "A80", array=np.array([e.calibrated(s) for e, s in inputs])),
        fits.Column("EXPSTART", "D", array=np.array([s.t_min for _, s in inputs])),
        fits.Column("EXPEND", "D", array=np.array([s.t_max for _, s in inputs])),
        fits.Column("DETECTOR", "A16", array=np.array([e.detector.upper() for e, _ in inputs])),
        fits.Column("EXP_TYPE", "A20", array=np.array([e.mode.exp_type for e, _ in inputs])),
    ]
    return fits.BinTableHDU.from_columns(columns, name="HDRTAB")


_TINY = np.zeros((2, 2), dtype=np.float32)
_SCI: bytes | None = None


def _extension_bytes(*hdus: fits.hdu.base.ExtensionHDU) -> bytes:
    """Extensions as they appear in a file, after the primary HDU."""
    buffer = io.BytesIO()
    fits.HDUList([fits.PrimaryHDU(), *hdus]).writeto(buffer)
    return buffer.getvalue()[len(fits.PrimaryHDU().header.tostring()):]


def _sci() -> bytes:
    global _SCI
    if _SCI is None:
        _SCI = _extension_bytes(fits.ImageHDU(_TINY, name="SCI"))
    return _SCI


def write_exposure(path: Path, cards: list[tuple]) -> None:
    path.write_bytes(fitscards.primary(cards) + _sci())


def write_combined(path: Path, cards: list[tuple], inputs: list[tuple[Exposure, Segment]]) -> None:
    path.write_bytes(fitscards.primary(cards) + _extension_bytes(fits.ImageHDU(_TINY, name="SCI"), _hdrtab(inputs)))


def write_msa(path: Path, program: Program, e: Exposure, sources: list[int]) -> None:
    """MSA metadata: which shutters were open on which source (two shutters per source, three nods)."""
    v = e.visit
    header = fits.Header([
        ("FILENAME", e.msa_file, "Name of the file"), ("PROGRAM", f"{program.program:05d}", "Program number"),
        ("OBSERVTN", f"{v.observation:03d}", "Observation number"), ("VISIT", f"{v.visit:03d}", "Visit number"),
        ("MSAMETID", 1, "MSA metadata ID"), ("TELESCOP", "JWST", ""), ("INSTRUME", "NIRSPEC", ""),
    ])
    n = len(sources)
    slitlets = np.repeat(np.arange(1, n + 1), 3)
    shutters = fits.BinTableHDU.from_columns([
        fits.Column("slitlet_id", "J", array=slitlets),
        fits.Column("msa_metadata_id", "J", array=np.ones(3 * n, dtype=np.int32)),
        fits.Column("shutter_quadrant", "J", array=1 + (slitlets % 4)),
        fits.Column("shutter_row", "J", array=10 + 2 * slitlets),
        fits.Column("shutter_column", "J", array=np.tile(np.array([100, 101, 102]), n)),
        fits.Column("source_id", "J", array=np.repeat(np.array(sources), 3)),
        fits.Column("primary_source", "A1", array=np.array(["Y"] * (3 * n))),
        fits.Column("dither_point_index", "J", array=np.tile(np.array([1, 2, 3]), n)),
    ], name="SHUTTER_INFO")
    info = fits.BinTableHDU.from_columns([
        fits.Column("program", "J", array=np.full(n, program.program)),
        fits.Column("source_id", "J", array=np.array(sources)),
        fits.Column("source_name", "A40", array=np.array([f"{program.program}_{s}" for s in sources])),
        fits.Column("ra", "D", array=np.array([round(e.ra + 0.0004 * (i - n / 2), 7) for i in range(n)])),
        fits.Column("dec", "D", array=np.array([round(e.dec + 0.0003 * ((i * 7) % 5 - 2), 7) for i in range(n)])),
    ], name="SOURCE_INFO")
    fits.HDUList([fits.PrimaryHDU(header=header), shutters, info]).writeto(path)
