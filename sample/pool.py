"""Association pools: the pipe-separated table `asn_generate` reads, one row per Level-1b file,
with the columns of a real flight pool."""

from __future__ import annotations

from collections import Counter, defaultdict

from .archive import Exposure, Program
from .names import visit_id

COLUMNS = (
    "FILENAME", "OBS_ID", "PROGRAM", "OBS_NUM", "VISIT", "VISIT_ID", "VISITGRP", "VISITYPE", "SEQ_ID", "ACT_ID",
    "EXPOSURE", "EXP_TYPE", "NEXPOSUR", "EXPCOUNT", "INSTRUME", "DETECTOR", "CHANNEL", "TARGETID", "TARGPROP",
    "TARGNAME", "TARGTYPE", "TEMPLATE", "PNTGTYPE", "PNTG_SEQ", "TARGORDN", "EXPSPCIN", "DITHPTIN", "MOSTILNO",
    "MODULE", "FILTER", "PUPIL", "DITHERID", "PATTTYPE", "PATTSTRT", "NUMDTHPT", "PATTSIZE", "SUBPXPTS",
    "PATT_NUM", "SUBPIXEL", "APERNAME", "SDP_VER", "SUBARRAY", "GRATING", "FXD_SLIT", "BAND", "GWA_XTIL",
    "GWA_YTIL", "ASN_CANDIDATE", "EXPOSERR", "IS_PSF", "IS_IMPRT", "BKGDTARG", "TSOVISIT", "MSASTATE",
    "MSAMETFL", "OPMODE", "LAMP", "SPEC_NUM", "SPAT_NUM", "DMS_NOTE", "EXSEGTOT", "NINTS", "NGROUPS", "MTSHADOW",
)

NULL = "NULL"

_PATTERNS = {"NRC_IMAGE": "FULL", "MIR_IMAGE": "CYCLING", "NRS_MSASPEC": "3-SHUTTER-SLITLET", "NRC_CORON": "SMALL-GRID-DITHER"}
_APERTURES = {
    "NRC_IMAGE": "NRCALL_FULL", "MIR_IMAGE": "MIRIM_FULL", "NRS_MSASPEC": "NRS_FULL_MSA", "NRS_MSATA": "NRS_FULL_MSA",
    "NRS_CONFIRM": "NRS_FULL_MSA", "NRC_CORON": "NRCA5_MASK335R", "NRC_TACQ": "NRCA5_TAMASK335R",
    "NRC_TACONFIRM": "NRCA5_MASK335R", "NRS_BRIGHTOBJ": "NRS_S1600A1_SLIT", "NRS_WATA": "NRS_S1600A1_SLIT",
}


def candidates(e: Exposure) -> str:
    """ASN_CANDIDATE as the pool writes it: `[('o001', 'OBSERVATION'), ('c1001', 'MOSAIC')]`."""
    return str([(acid, kind.upper()) for acid, kind in e.candidates])


def _module(detector: str) -> str:
    return detector[3].upper() if detector.startswith("nrc") else NULL


def render(program: Program) -> str:
    """The pool's text (header line, then one row per uncal file)."""
    per_visit = Counter((e.visit.observation, e.visit.visit, e.number, e.activity) for e in program.exposures)
    planned: dict[tuple[int, int], int] = Counter(key[:2] for key in per_visit)
    running: dict[tuple[int, int], list] = defaultdict(list)
    lines = ["|".join(COLUMNS)]
    ctx = program.context
    for e in program.exposures:
        v = e.visit
        key = (v.observation, v.visit, e.number, e.activity)
        order = running[(v.observation, v.visit)]
        if key not in order:
            order.append(key)
        count = order.index(key) + 1
        mode = e.mode
        nirspec = mode.instrument == "NIRSPEC"
        for seg in e.segments:
            row = {
                "FILENAME": f"{seg.stem}_uncal.fits",
                "OBS_ID": f"V{visit_id(v.program, v.observation, v.visit)}P00000000{e.visit_group:02d}{e.sequence}{e.activity:02d}",
                "PROGRAM": str(v.program), "OBS_NUM": str(v.observation), "VISIT": str(v.visit),
                "VISIT_ID": visit_id(v.program, v.observation, v.visit), "VISITGRP": str(e.visit_group),
                "VISITYPE": "PRIME_TARGETED_FIXED", "SEQ_ID": str(e.sequence), "ACT_ID": f"{e.activity:02d}",
                "EXPOSURE": str(e.number), "EXP_TYPE": mode.exp_type, "NEXPOSUR": str(planned[(v.observation, v.visit)]),
                "EXPCOUNT": str(count), "INSTRUME": mode.instrument, "DETECTOR": e.detector.upper(),
                "CHANNEL": mode.channel or NULL, "TARGETID": str(v.target.number), "TARGPROP": v.target.proposer_name,
                "TARGNAME": v.target.name, "TARGTYPE": "FIXED", "TEMPLATE": mode.template,
                "PNTGTYPE": e.pointing_type, "PNTG_SEQ": str(count), "TARGORDN": str(v.target.number),
                "EXPSPCIN": str(e.number), "DITHPTIN": str(e.patt_num), "MOSTILNO": str(e.tile),
                "MODULE": _module(e.detector), "FILTER": mode.filter, "PUPIL": mode.pupil or NULL,
                "DITHERID": NULL, "PATTTYPE": _PATTERNS.get(mode.exp_type, "NONE"), "PATTSTRT": "1",
                "NUMDTHPT": str(e.numdthpt), "PATTSIZE": "DEFAULT" if e.numdthpt > 1 else NULL, "SUBPXPTS": NULL,
                "PATT_NUM": str(e.patt_num), "SUBPIXEL": NULL, "APERNAME": _APERTURES.get(mode.exp_type, NULL),
                "SDP_VER": ctx.sdp_ver, "SUBARRAY": mode.subarray, "GRATING": mode.grating or NULL,
                "FXD_SLIT": mode.fxd_slit or NULL, "BAND": NULL,
                "GWA_XTIL": "0.3388918" if nirspec else NULL, "GWA_YTIL": "0.1973864" if nirspec else NULL,
                "ASN_CANDIDATE": candidates(e), "EXPOSERR": NULL,
                "IS_PSF": ("T" if e.intent == "calibration" else "F") if mode.exp_type == "NRC_CORON" else NULL,
                "IS_IMPRT": NULL, "BKGDTARG": "F", "TSOVISIT": "T" if mode.is_tso else "F",
                "MSASTATE": "PRIMARYPARK_CONFIGURED" if e.msa_file else NULL, "MSAMETFL": e.msa_file or NULL,
                "OPMODE": NULL, "LAMP": "OFF", "SPEC_NUM": NULL, "SPAT_NUM": NULL, "DMS_NOTE": NULL,
                "EXSEGTOT": str(len(e.segments)) if e.segmented else NULL, "NINTS": str(e.nints),
                "NGROUPS": str(e.ngroups), "MTSHADOW": "NONE",
            }
            lines.append("|".join(row[c] for c in COLUMNS))
    return "\n".join(lines) + "\n"
