"""Engineering series as MAST's EDB serves them, over exposures' times; the mnemonic dictionary."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

from .formats import EDB_FILE, REAL, observation_rows

EPOCH = datetime(1858, 11, 17)


def _series(root: Path) -> list[Path]:
    return sorted(p for p in (root / "edb").glob("*.csv"))


def test_series_are_crlf_csv_with_the_edb_columns(demo: Path) -> None:
    real = (REAL / "edb").glob("*.csv").__next__().read_bytes().split(b"\r\n")[0]
    files = _series(demo)
    assert files
    for path in files:
        raw = path.read_bytes()
        assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
        lines = raw.decode("ascii").split("\r\n")[:-1]
        assert lines[0].encode() == real
        for line in lines[1:]:
            the_time, mjd, value, sql = line.split(",")
            moment = datetime.strptime(the_time, "%Y-%m-%d %H:%M:%S.%f")
            assert abs((EPOCH + timedelta(days=float(mjd)) - moment).total_seconds()) < 0.001
            assert value and sql in {"real", "float", "varchar"}
            if sql != "varchar":
                float(value)


def test_each_series_covers_its_asked_range_with_a_sample_beyond_each_end(demo: Path) -> None:
    for path in _series(demo):
        m = EDB_FILE.match(path.name)
        start = datetime.strptime(m["start"], "%Y%m%dT%H%M%S")
        end = datetime.strptime(m["end"], "%Y%m%dT%H%M%S")
        lines = path.read_text().splitlines()[1:]
        first = datetime.strptime(lines[0].split(",")[0], "%Y-%m-%d %H:%M:%S.%f")
        last = datetime.strptime(lines[-1].split(",")[0], "%Y-%m-%d %H:%M:%S.%f")
        assert first < start and last > end


def test_series_overlap_exposures_and_use_known_mnemonics(demo: Path) -> None:
    dictionary = json.loads((demo / "edb" / "edb_mnemonic_dictionary.json").read_text())
    real = json.loads((REAL / "edb" / "edb_mnemonic_dictionary.json").read_text())
    assert set(dictionary) == set(real) and dictionary["Count"] == len(dictionary["TlmMnemonics"])
    real_entries = {e["TlmMnemonic"]: e for e in real["TlmMnemonics"]}
    for entry in dictionary["TlmMnemonics"]:
        assert entry == real_entries[entry["TlmMnemonic"]]  # as the real EDB describes it
    known = {e["TlmMnemonic"] for e in dictionary["TlmMnemonics"]}
    windows = [(float(r["t_min"]), float(r["t_max"])) for r in observation_rows(demo)]
    overlapping = 0
    for path in _series(demo):
        assert EDB_FILE.match(path.name)["mnemonic"] in known
        mjds = [float(line.split(",")[1]) for line in path.read_text().splitlines()[1:]]
        overlapping += any(lo < max(mjds) and min(mjds) < hi for lo, hi in windows)
    assert overlapping == len(_series(demo))
