"""Engineering Database (EDB) series as MAST serves them, and the mnemonic dictionary.

One file per mnemonic and asked time range, `<MNEMONIC>-<start>-<end>.csv`, CRLF lines
`theTime,MJD,euvalue,sqldataType`, with one extra sample on each side of the range. The ranges
asked here cover an exposure with a margin, so the series overlap those exposures' times.
"""

from __future__ import annotations

import json
import math
import random
from datetime import timedelta
from pathlib import Path

from .archive import Exposure
from .names import edb_filename
from .timeline import MJD_EPOCH, SECOND, edb_stamp

#: The mnemonics written, as the real EDB dictionary describes them.
MNEMONICS: dict[str, dict[str, object]] = {
    "SA_ZATTEST1": {"Subsystem": "ACS", "RawType": "FL32", "EUType": "FL32", "SQLType": "REAL", "AllPoints": 1},
    "SA_ZATTEST2": {"Subsystem": "ACS", "RawType": "FL32", "EUType": "FL32", "SQLType": "REAL", "AllPoints": 1},
    "SA_ZATTEST3": {"Subsystem": "ACS", "RawType": "FL32", "EUType": "FL32", "SQLType": "REAL", "AllPoints": 1},
    "SA_ZATTEST4": {"Subsystem": "ACS", "RawType": "FL32", "EUType": "FL32", "SQLType": "REAL", "AllPoints": 1},
    "INRSI_GWA_X_TILT_AVGED": {"Subsystem": "NIRSPEC", "RawType": "FL32", "EUType": "FL32", "SQLType": "REAL", "AllPoints": 1},
    "INRSI_GWA_Y_TILT_AVGED": {"Subsystem": "NIRSPEC", "RawType": "FL32", "EUType": "FL32", "SQLType": "REAL", "AllPoints": 1},
    "INRSH_LAMP_SEL": {"Subsystem": "NIRSPEC", "RawType": "UI16", "EUType": "DS", "SQLType": "VARCHAR(50)", "AllPoints": 1},
    "IMIR_HK_FW_CUR_POS": {"Subsystem": "MIRI", "RawType": "UI16", "EUType": "DS", "SQLType": "VARCHAR(50)", "AllPoints": 1},
    "IGDP_NRC_A_T_FWA_LW_FW": {"Subsystem": "NIRCAM", "RawType": "FL32", "EUType": "FL32", "SQLType": "REAL", "AllPoints": 1},
    "IGDP_NRC_A_FW_LW_ELEM": {"Subsystem": "NIRCAM", "RawType": "UI8", "EUType": "DS", "SQLType": "VARCHAR(50)", "AllPoints": 1},
}

_ATTITUDE = ("SA_ZATTEST1", "SA_ZATTEST2", "SA_ZATTEST3", "SA_ZATTEST4")
_INSTRUMENT = {
    "NIRSPEC": ("INRSI_GWA_X_TILT_AVGED", "INRSI_GWA_Y_TILT_AVGED", "INRSH_LAMP_SEL"),
    "MIRI": ("IMIR_HK_FW_CUR_POS",),
    "NIRCAM": ("IGDP_NRC_A_T_FWA_LW_FW", "IGDP_NRC_A_FW_LW_ELEM"),
}
MARGIN = 30.0  # seconds asked before and after an exposure
SAMPLES = 48  # samples per asked range (the cadence follows from it)
MS_PER_DAY = 86_400_000

DICTIONARY = "edb_mnemonic_dictionary.json"


def _sql_type(mnemonic: str) -> str:
    """The `sqldataType` column: the dictionary's SQL type without its length, in lower case."""
    return str(MNEMONICS[mnemonic]["SQLType"]).split("(")[0].lower()


def _attitude(e: Exposure) -> tuple[float, float, float, float]:
    """The attitude quaternion for the exposure's pointing and roll (RA, Dec, PA_V3)."""
    a, d, r = (math.radians(x) / 2.0 for x in (e.ra, -e.dec, e.visit.pa_v3))
    ca, sa, cd, sd, cr, sr = math.cos(a), math.sin(a), math.cos(d), math.sin(d), math.cos(r), math.sin(r)
    return (
        cr * sd * ca - sr * cd * sa,
        cr * cd * sa + sr * sd * ca,
        sr * cd * ca - cr * sd * sa,
        cr * cd * ca + sr * sd * sa,
    )


def _values(mnemonic: str, e: Exposure) -> tuple[object, float]:
    """A level for the mnemonic during the exposure and the size of its sample-to-sample jitter."""
    if mnemonic in _ATTITUDE:
        return _attitude(e)[_ATTITUDE.index(mnemonic)], 2e-8
    return {
        "INRSI_GWA_X_TILT_AVGED": (0.3388918, 2e-6),
        "INRSI_GWA_Y_TILT_AVGED": (0.1973864, 2e-6),
        "INRSH_LAMP_SEL": ("NO_LAMP", 0.0),
        "IMIR_HK_FW_CUR_POS": (e.mode.filter, 0.0),
        "IGDP_NRC_A_T_FWA_LW_FW": (38.91, 0.004),
        "IGDP_NRC_A_FW_LW_ELEM": (e.mode.filter, 0.0),
    }[mnemonic]


def mnemonics_for(e: Exposure) -> tuple[str, ...]:
    return _ATTITUDE + _INSTRUMENT.get(e.mode.instrument, ())


def write_series(folder: Path, e: Exposure, rng: random.Random) -> list[str]:
    """The EDB files for an exposure's time range; returns their names."""
    # The asked range, in whole seconds as the file name gives it; samples in whole milliseconds.
    start_ms = math.floor((e.t_min - MARGIN * SECOND) * 86_400) * 1000
    end_ms = math.ceil((e.t_max + MARGIN * SECOND) * 86_400) * 1000
    step = max((end_ms - start_ms) // SAMPLES, 256)
    first = start_ms - round(step * rng.uniform(0.2, 0.95))  # one sample before the asked range
    count = (end_ms - first) // step + 2  # ... and one after it
    times = [first + k * step for k in range(count)]
    written = []
    for mnemonic in mnemonics_for(e):
        level, jitter = _values(mnemonic, e)
        sql = _sql_type(mnemonic)
        lines = ["theTime,MJD,euvalue,sqldataType"]
        for ms in times:
            if isinstance(level, str):
                value = level
            else:
                value = f"{level + rng.gauss(0.0, jitter) if jitter else level:.10f}"
            lines.append(f"{_edb_time(ms)},{ms / MS_PER_DAY:.10f},{value},{sql}")
        name = edb_filename(mnemonic, edb_stamp(start_ms / MS_PER_DAY), edb_stamp(end_ms / MS_PER_DAY))
        (folder / name).write_bytes(("\r\n".join(lines) + "\r\n").encode("ascii"))
        written.append(name)
    return written


def _edb_time(ms: int) -> str:
    return (MJD_EPOCH + timedelta(milliseconds=ms)).strftime("%Y-%m-%d %H:%M:%S.%f")


def write_dictionary(folder: Path) -> None:
    """`edb_mnemonic_dictionary.json`: `{"Count": n, "TlmMnemonics": [...]}` as the EDB serves it."""
    entries = [{"TlmMnemonic": name, **spec} for name, spec in MNEMONICS.items()]
    (folder / DICTIONARY).write_text(json.dumps({"Count": len(entries), "TlmMnemonics": entries}), encoding="utf-8")


class Selection:
    """Which exposures get engineering series: one exposure per distinct exposure time (its first
    detector), for every science exposure (`every=0`) or for the first one of every `every`-th
    visit, counting visits across the archive."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.visits = 0

    def choose(self, exposures: list[Exposure]) -> list[Exposure]:
        chosen, seen, visits = [], set(), []
        for e in exposures:
            key = (e.visit.observation, e.visit.visit, e.activity, e.number, round(e.t_min, 9))
            if e.pointing_type != "SCIENCE" or key in seen:
                continue
            seen.add(key)
            if self.every == 0:
                chosen.append(e)
            elif e.visit not in visits:
                visits.append(e.visit)
                self.visits += 1
                if self.visits % self.every == 1 or self.every == 1:
                    chosen.append(e)
        return chosen
