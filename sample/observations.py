"""Observation rows as `astroquery.mast.Observations.query_criteria` returns them (CAOM), as CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from .archive import Combined, Exposure, Program

COLUMNS = (
    "obsid", "obs_id", "obs_collection", "intentType", "instrument_name", "filters", "target_name",
    "target_classification", "s_ra", "s_dec", "t_min", "t_max", "t_exptime", "calib_level", "dataproduct_type",
    "proposal_id", "proposal_pi", "dataRights", "t_obs_release", "provenance_name",
)


def _exposure_row(program: Program, e: Exposure) -> list:
    return _row(program, e, e.ra, e.dec, e.t_min, e.t_max, e.exptime, 2)


def _combined_row(program: Program, c: Combined) -> list:
    science = c.science
    ra = sum(e.ra for e in science) / len(science)
    dec = sum(e.dec for e in science) / len(science)
    # Detectors read out at once count once: exposure time summed over distinct exposures.
    distinct = {(e.visit.observation, e.visit.visit, e.activity, e.number): e.exptime for e in science}
    return _row(program, c, ra, dec, c.t_min, c.t_max, sum(distinct.values()), 3)


def _row(program: Program, o: Exposure | Combined, ra: float, dec: float, t_min: float, t_max: float,
         exptime: float, level: int) -> list:
    target = o.target if isinstance(o, Combined) else o.visit.target
    return [
        o.obsid, o.obs_id, "JWST", o.intent, o.mode.instrument_name, o.mode.filters, target.name,
        target.classification, f"{ra:.7f}", f"{dec:.7f}", f"{t_min:.8f}", f"{t_max:.8f}", f"{exptime:.3f}", level,
        o.mode.dataproduct_type, str(program.program), program.pi, program.data_rights(t_max),
        f"{program.release(t_max):.8f}", "CALJWST",
    ]


def filename(program: int) -> str:
    return f"jw{program:05d}_observations.csv"


def write(path: Path, program: Program) -> int:
    """Every exposure-level and combined observation of the program; returns the row count."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for e in program.exposures:
            writer.writerow(_exposure_row(program, e))
        for c in program.combined:
            writer.writerow(_combined_row(program, c))
    return len(program.exposures) + len(program.combined)
