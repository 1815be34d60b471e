"""Engineering Database (EDB) time series and the EDB mnemonic dictionary.

An EDB file is what MAST serves for one mnemonic and time range,
``<MNEMONIC>-<yyyymmddThhmmss>-<yyyymmddThhmmss>.csv`` (CRLF, header
``theTime,MJD,euvalue,sqldataType``, one extra sample on each side of the asked range). It becomes
one ``EngineeringSeries`` keyed by the file stem, its ``Mnemonic`` and ``OF_MNEMONIC``. Samples
must come in time order; a row out of order, or with a time or value that is not a number, is a
Reject; a sample whose value is unknown (empty, NULL, NaN) is left out.

The mnemonic dictionary is a JSON document ``{"TlmMnemonics": [{TlmMnemonic, Subsystem, RawType,
EUType, SQLType}, ...]}``: one ``Mnemonic`` per entry.
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders import domains
from mastgraph.loaders.associations import read_json
from mastgraph.loaders.records import LoadError, Record, Reject, not_utf8, origin
from mastgraph.loaders.table_csv import csv_records
from mastgraph.loaders.table_values import UNKNOWN_VALUES, json_kind, known
from mastgraph.model.records import Edge, Node, clean
from mastgraph.loaders.table_values import float_of_text
from mastgraph.model.errors import shown

#: MAST's EDB file names: ``<MNEMONIC>-<start>-<end>.csv``.
EDB_NAME = re.compile(r"^(?P<mnemonic>[A-Za-z0-9_]+)-(?P<start>\d{8}[Tt]\d{6})-(?P<end>\d{8}[Tt]\d{6})$")
EDB_RULE = "<MNEMONIC>-<yyyymmddThhmmss>-<yyyymmddThhmmss>.csv"
REQUIRED_COLUMNS = ("MJD", "euvalue", "sqldataType")
#: SQL types whose values are text (kept as str); all others are numbers (kept as float).
TEXT_SQL_TYPE = re.compile(r"^(?:n?varchar|n?char|n?text|string)\b", re.IGNORECASE)
_MISSION_START, _MISSION_END = domains.MISSION_START_MJD, domains.MISSION_END_MJD


@dataclass
class _Series:
    times: list[float] = field(default_factory=list)
    values: list[float | str] = field(default_factory=list)
    sql_type: str | None = None


@functools.lru_cache(maxsize=256)
def is_text(sql_type: str | None) -> bool:
    return bool(sql_type and TEXT_SQL_TYPE.match(sql_type.strip()))


def _number(text: str) -> float | None:
    try:
        value = float_of_text(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class EdbLoader:
    """One MAST EDB response (CSV) per file."""

    kind: ClassVar[str] = "edb"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        return path.suffix.lower() == ".csv" and head.lstrip(b"\xef\xbb\xbf").startswith(b"theTime,MJD,")

    def records(self, path: Path) -> Iterator[Record]:
        match = EDB_NAME.match(path.stem)
        if not match:
            raise LoadError(origin(path), f"EDB file name does not follow {EDB_RULE}")
        for end in ("start", "end"):
            try:
                datetime.strptime(match[end].upper(), "%Y%m%dT%H%M%S")
            except ValueError:
                raise LoadError(origin(path), f"EDB file name: {match[end]} is not a date and time "
                                              "(yyyymmddThhmmss)") from None
        if match["start"].upper() > match["end"].upper():
            raise LoadError(origin(path), f"EDB file name: the range starts at {match['start']}, "
                                          f"after its end {match['end']}")
        mnemonic = match["mnemonic"].upper()
        series = _Series()
        yield from self._samples(path, series)
        key = path.stem
        props = {
            "mnemonic": mnemonic,
            "t_min": series.times[0] if series.times else None,
            "t_max": series.times[-1] if series.times else None,
            "n_samples": len(series.times),
            "times": series.times,
            "values": series.values,
            "sql_type": series.sql_type,
        }
        where = origin(path, 1)
        yield Node(Label.ENGINEERING_SERIES, key, clean(props), (), where)
        yield Node(Label.MNEMONIC, mnemonic, {}, (), where)
        yield Edge(Rel.OF_MNEMONIC, (Label.ENGINEERING_SERIES, key), (Label.MNEMONIC, mnemonic), {}, where)

    def _samples(self, path: Path, series: _Series) -> Iterator[Reject]:
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                header, rows = csv_records(path, stream)
                columns = self._columns(path, header)
                needed = (len(header), *(columns[name] for name in REQUIRED_COLUMNS))
                for start, row in rows:
                    if row:
                        reason = self._sample(row, columns, needed, series)
                        if reason is not None:
                            yield Reject(origin(path, start), reason)
        except UnicodeDecodeError as exc:
            raise not_utf8(path, exc) from None
        except csv.Error as exc:
            raise LoadError(origin(path), f"bad CSV ({exc})") from None

    @staticmethod
    def _columns(path: Path, header: list[str] | None) -> dict[str, int]:
        columns = {name.strip(): index for index, name in enumerate(header or [])}
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            raise LoadError(origin(path, 1), f"EDB header lacks column(s) {', '.join(missing)}")
        return columns

    @staticmethod
    def _sample(row: list[str], columns: dict[str, int], needed: tuple[int, int, int, int],
                series: _Series) -> str | None:
        """Add one row's sample to the series; the reason when the row is refused."""
        width, mjd_at, value_at, type_at = needed  # the header's fields, then REQUIRED_COLUMNS' indexes
        if len(row) != width:
            return f"{len(row)} fields where the header has {width}"
        mjd_text, value_text, sql_type = row[mjd_at].strip(), row[value_at].strip(), row[type_at].strip()
        mjd = _number(mjd_text)
        if mjd is None:
            return f"MJD {shown(mjd_text)} is not a number"
        if not _MISSION_START <= mjd <= _MISSION_END:  # (domains.mjd's own test, inline: a row per sample)
            try:
                domains.mjd(mjd, "MJD")
            except domains.BadValue as exc:
                return str(exc)
        if series.times and mjd < series.times[-1]:
            return (f"MJD {mjd_text} comes before the previous sample ({shown(series.times[-1])}): "
                    "samples must be in time order")
        sql_type = sql_type or series.sql_type
        if series.sql_type and sql_type and sql_type.lower() != series.sql_type.lower():
            return f"sqldataType {shown(sql_type)} differs from the series' {shown(series.sql_type)}"
        if value_text.lower() in UNKNOWN_VALUES:
            return None
        value: float | str | None = value_text if is_text(sql_type) else _number(value_text)
        if value is None:
            return f"euvalue {shown(value_text)} is not a number (sqldataType {shown(sql_type)})"
        series.sql_type = series.sql_type or sql_type
        series.times.append(mjd)
        series.values.append(value)
        return None


class MnemonicDictionaryLoader:
    """The EDB mnemonic dictionary (JSON with ``TlmMnemonics``)."""

    kind: ClassVar[str] = "edb_dictionary"
    FIELDS: ClassVar[dict[str, str]] = {"Subsystem": "subsystem", "RawType": "raw_type",
                                         "EUType": "eu_type", "SQLType": "sql_type"}

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        return path.suffix.lower() == ".json" and b'"TlmMnemonics"' in head

    def records(self, path: Path) -> Iterator[Record]:
        doc = read_json(path)
        entries = doc.get("TlmMnemonics") if isinstance(doc, dict) else None
        if not isinstance(entries, list):
            raise LoadError(origin(path, getattr(doc, "line", 1)),
                            "no 'TlmMnemonics' list (not an EDB mnemonic dictionary)")
        for index, entry in enumerate(entries):
            where = origin(path, getattr(entry, "line", doc.line))
            name = known(entry.get("TlmMnemonic")) if isinstance(entry, dict) else None
            if name is None:
                yield Reject(where, f"TlmMnemonics[{index}] has no TlmMnemonic")
                continue
            if type(name) is not str:
                yield Reject(where, f"TlmMnemonics[{index}] TlmMnemonic: {json_kind(name)} is not a name")
                continue
            props = {prop: known(entry.get(key)) for key, prop in self.FIELDS.items()}
            containers = [key for key, prop in self.FIELDS.items() if isinstance(props[prop], (list, dict))]
            if containers:  # (kept as text: a JSON list or object is not, nor is its Python text)
                yield Reject(where, f"TlmMnemonics[{index}] {containers[0]}: {json_kind(entry[containers[0]])} is not text")
                continue
            props = {k: (str(v) if v is not None else None) for k, v in props.items()}
            yield Node(Label.MNEMONIC, str(name).upper(), clean(props), (), where)
