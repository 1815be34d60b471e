"""EDB time series and the mnemonic dictionary: the real files, and broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders.edb import EdbLoader, MnemonicDictionaryLoader
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.model.records import Edge, Node

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real" / "edb"
SERIES = REAL / "SA_ZATTEST2-20220202T222458-20220202T222459.csv"
DICTIONARY = REAL / "edb_mnemonic_dictionary.json"
HEADER = "theTime,MJD,euvalue,sqldataType"
NAME = "SA_ZATTEST1-20220202T222458-20220202T222459.csv"


def write(tmp_path: Path, *rows: str, name: str = NAME) -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode())
    return path


def series_of(records) -> Node:
    (node,) = [r for r in records if isinstance(r, Node) and r.label == Label.ENGINEERING_SERIES]
    return node


def test_real_series_is_detected():
    assert EdbLoader.detect(SERIES, SERIES.read_bytes()[:65536])
    assert not MnemonicDictionaryLoader.detect(SERIES, SERIES.read_bytes()[:65536])


def test_real_series_exactly():
    records = list(EdbLoader().records(SERIES))
    key = "SA_ZATTEST2-20220202T222458-20220202T222459"
    where = f"{SERIES}:1"
    assert records == [
        Node(Label.ENGINEERING_SERIES, key, {
            "mnemonic": "SA_ZATTEST2", "t_min": 59612.9340022801, "t_max": 59612.9340170949, "n_samples": 6,
            "times": [59612.9340022801, 59612.9340052431, 59612.9340082060, 59612.9340111690, 59612.9340141319,
                      59612.9340170949],
            "values": [-0.7914493680, -0.7914494276, -0.7914494276, -0.7914494276, -0.7914493680, -0.7914493680],
            "sql_type": "real"}, (), where),
        Node(Label.MNEMONIC, "SA_ZATTEST2", {}, (), where),
        Edge(Rel.OF_MNEMONIC, (Label.ENGINEERING_SERIES, key), (Label.MNEMONIC, "SA_ZATTEST2"), {}, where),
    ]


def test_text_mnemonic_values_stay_text(tmp_path):
    path = write(tmp_path, HEADER, "2022-02-02 22:24:57.797000,59612.93,ON,varchar",
                 "2022-02-02 22:24:58.053000,59612.94,OFF,varchar")
    node = series_of(EdbLoader().records(path))
    assert node.props["values"] == ["ON", "OFF"] and node.props["sql_type"] == "varchar"


def test_unknown_value_is_left_out(tmp_path):
    path = write(tmp_path, HEADER, "t,59612.93,1.5,real", "t,59612.94,NaN,real", "t,59612.95,,real")
    records = list(EdbLoader().records(path))
    assert not [r for r in records if isinstance(r, Reject)]
    assert series_of(records).props["times"] == [59612.93] and series_of(records).props["n_samples"] == 1


def test_empty_series(tmp_path):
    node = series_of(EdbLoader().records(write(tmp_path, HEADER)))
    assert node.props == {"mnemonic": "SA_ZATTEST1", "n_samples": 0, "times": [], "values": []}


# ---- broken files: one test per case ----

def test_file_name_without_mnemonic_is_a_load_error(tmp_path):
    path = write(tmp_path, HEADER, "t,59612.93,1.5,real", name="zattest.csv")
    with pytest.raises(LoadError, match="MNEMONIC"):
        list(EdbLoader().records(path))


@pytest.mark.parametrize("start, end, bad", [("20221302T222458", "20221303T222459", "20221302T222458"),
                                             ("20220202T222458", "20220299T222459", "20220299T222459"),
                                             ("20220202T256058", "20220203T222459", "20220202T256058")])
def test_file_name_with_an_impossible_date_is_a_load_error(tmp_path, start, end, bad):
    path = write(tmp_path, HEADER, "t,59612.93,1.5,real", name=f"SA_ZATTEST2-{start}-{end}.csv")
    with pytest.raises(LoadError) as caught:
        list(EdbLoader().records(path))
    assert str(caught.value) == f"{path}: EDB file name: {bad} is not a date and time (yyyymmddThhmmss)"


def test_missing_column_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match="euvalue"):
        list(EdbLoader().records(write(tmp_path, "theTime,MJD,sqldataType", "t,59612.93,real")))


def test_non_numeric_mjd_is_a_reject(tmp_path):
    path = write(tmp_path, HEADER, "t,59612.93,1.5,real", "t,soon,1.6,real", "t,59612.95,1.7,real")
    records = list(EdbLoader().records(path))
    (reject,) = [r for r in records if isinstance(r, Reject)]
    assert reject.origin == f"{path}:3" and "MJD" in reject.reason and "soon" in reject.reason
    assert series_of(records).props["n_samples"] == 2


def test_sample_out_of_time_order_is_a_reject(tmp_path):
    path = write(tmp_path, HEADER, "t,59612.93,1.5,real", "t,59612.92,1.6,real")
    (reject,) = [r for r in EdbLoader().records(path) if isinstance(r, Reject)]
    assert reject.origin == f"{path}:3" and "time order" in reject.reason


def test_non_numeric_value_is_a_reject(tmp_path):
    path = write(tmp_path, HEADER, "t,59612.93,high,real")
    (reject,) = [r for r in EdbLoader().records(path) if isinstance(r, Reject)]
    assert "euvalue" in reject.reason and "high" in reject.reason


def test_short_row_is_a_reject(tmp_path):
    path = write(tmp_path, HEADER, "t,59612.93")
    (reject,) = [r for r in EdbLoader().records(path) if isinstance(r, Reject)]
    assert "fields" in reject.reason


def test_long_row_is_a_reject(tmp_path):
    """A row with a field more than the header (a stray comma) is refused as a listing's would be."""
    path = write(tmp_path, HEADER, "t,59612.93,1.5,real", "t,59612.94,1.5,real,x")
    (reject,) = [r for r in EdbLoader().records(path) if isinstance(r, Reject)]
    assert (reject.origin, reject.reason) == (f"{path}:3", "5 fields where the header has 4")


def test_changing_sql_type_is_a_reject(tmp_path):
    path = write(tmp_path, HEADER, "t,59612.93,1.5,real", "t,59612.94,ON,varchar")
    (reject,) = [r for r in EdbLoader().records(path) if isinstance(r, Reject)]
    assert "sqldataType" in reject.reason


# ---- the mnemonic dictionary ----

def test_real_dictionary_is_detected():
    assert MnemonicDictionaryLoader.detect(DICTIONARY, DICTIONARY.read_bytes()[:65536])


def test_real_dictionary_gives_one_mnemonic_per_entry():
    entries = json.loads(DICTIONARY.read_text())["TlmMnemonics"]
    records = list(MnemonicDictionaryLoader().records(DICTIONARY))
    assert len(records) == len(entries) == 2449
    assert all(isinstance(r, Node) and r.label == Label.MNEMONIC for r in records)
    assert records[0] == Node(Label.MNEMONIC, "FGDP_SCTA_OFFSET_D",
                              {"subsystem": "FOS", "raw_type": "FL64", "eu_type": "FL64", "sql_type": "FLOAT"},
                              (), f"{DICTIONARY}:1")
    assert {r.key for r in records} == {e["TlmMnemonic"] for e in entries}


def test_dictionary_origins_are_lines(tmp_path):
    path = tmp_path / "dict.json"
    path.write_text(json.dumps({"TlmMnemonics": [{"TlmMnemonic": "A", "Subsystem": "X"},
                                                 {"TlmMnemonic": "B", "SQLType": "REAL"}]}, indent=2))
    records = list(MnemonicDictionaryLoader().records(path))
    assert [(r.key, r.origin) for r in records] == [("A", f"{path}:3"), ("B", f"{path}:7")]
    assert records[1].props == {"sql_type": "REAL"}


def test_dictionary_without_tlmmnemonics_is_a_load_error(tmp_path):
    path = tmp_path / "dict.json"
    path.write_text('{"Count": 0}')
    with pytest.raises(LoadError, match="TlmMnemonics"):
        list(MnemonicDictionaryLoader().records(path))


def test_dictionary_bad_json_is_a_load_error(tmp_path):
    path = tmp_path / "dict.json"
    path.write_text('{"TlmMnemonics": [\n{"TlmMnemonic": }]}')
    with pytest.raises(LoadError) as err:
        list(MnemonicDictionaryLoader().records(path))
    assert err.value.origin == f"{path}:2"


def test_dictionary_entry_without_name_is_a_reject(tmp_path):
    path = tmp_path / "dict.json"
    path.write_text('{"TlmMnemonics": [{"Subsystem": "X"}, {"TlmMnemonic": "A"}]}')
    records = list(MnemonicDictionaryLoader().records(path))
    assert isinstance(records[0], Reject) and "TlmMnemonic" in records[0].reason
    assert records[1].key == "A"


def test_quote_left_open_is_a_load_error_at_its_row(tmp_path):
    """A quoted field still open at the file's end refuses the file at the row where it starts (csv's
    reader would take the rest of the file into it); a row of quoted lines is named by its first line."""
    path = write(tmp_path, HEADER, "t,59612.93,1.5,real", '"t\nx",59612.94,high,real', 't,"59612.95,1.7,real',
                 "t,59612.96,1.8,real")
    records = EdbLoader().records(path)
    with pytest.raises(LoadError) as caught:
        list(records)
    assert str(caught.value) == (f"{path}:5: bad CSV: a quoted field of the record that starts on this line is not "
                                 "closed before the file ends")
    closed = write(tmp_path, HEADER, "t,59612.93,1.5,real", '"t\nx",59612.94,high,real',
                   name="SA_ZATTEST1-20220202T222458-20220202T222500.csv")
    (reject,) = [r for r in EdbLoader().records(closed) if isinstance(r, Reject)]
    assert reject.origin == f"{closed}:3" and "high" in reject.reason


@pytest.mark.parametrize("field", ["Subsystem", "RawType", "EUType", "SQLType"])
@pytest.mark.parametrize("value, kind", [(["FOS"], "list"), ({"a": 1}, "object")])
def test_a_dictionary_field_that_is_a_json_list_or_object_is_a_reject(tmp_path, field, value, kind):
    """Kept as text: a JSON list or object is refused, not kept as its Python text ("['FOS']")."""
    entry = {"TlmMnemonic": "SA_ZATTEST2", "Subsystem": "FOS", "RawType": "FL64", "EUType": "FL64", "SQLType": "FLOAT"}
    entry[field] = value
    path = tmp_path / "edb_mnemonic_dictionary.json"
    path.write_text(json.dumps({"TlmMnemonics": [entry]}), encoding="utf-8")
    records = list(MnemonicDictionaryLoader().records(path))
    assert [(type(r), getattr(r, "reason", None)) for r in records] == [
        (Reject, f"TlmMnemonics[0] {field}: a JSON {kind} is not text")]


@pytest.mark.parametrize("mjd", ["5_9612.934", "\u0665\u0669\u0666\u0661\u0662.934"])
def test_an_mjd_python_alone_reads_as_a_number_is_a_reject(tmp_path, mjd):
    """Python's float takes underscores and other scripts' digits; MAST writes neither."""
    path = write(tmp_path, HEADER, f"2022-02-02 22:24:57.797000,{mjd},1.0,real")
    (reject,) = [r for r in EdbLoader().records(path) if isinstance(r, Reject)]
    assert reject.reason == f"MJD {mjd!r} is not a number"
