"""MAST JSON tables read through a window of the text (`json_lines.JsonRecords` on a file): the same
records, origins and faults as the whole text gives, whatever the block size, and memory that does
not grow with the document."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mastgraph.loaders.json_lines import JsonRecords
from mastgraph.loaders.records import LoadError
from mastgraph.loaders.tables import read_table

API_JSON = (Path(__file__).resolve().parents[2] / "sample" / "data" / "real" / "listings" / "mastdocs_viz_products_api"
            / "products_jw01039-o004_t001_miri_ch3-long.json")
PATH = Path("listing.json")
#: Block sizes that cut the text everywhere: in names, strings, numbers, literals, escapes, whitespace.
BLOCKS = (1, 2, 3, 5, 8, 13, 64)

DOCUMENTS = [
    '{"status": "COMPLETE",\n "fields": [{"name": "obsID", "type": "string"}],\n "data": [\n'
    '   {"obsID": "1", "size": null},\n   {"obsID": "2", "size": 5}\n ],\n "paging": {"page": 1}}\n',
    '[{"obsID": 1},\n{"obsID": 2}]',
    '{"a": [{"obsID": 1}],\n "b": [\n{"obsID": 2}]}',
    "[]", "{}", "", "   \n ", '[{"obsID": 1},\n 7]',
    '{"status": 200, "count": 12345678901234567890, "ok": true, "none": null, "data": [{"x": -1.5e+3}]}',
    '[{"s": "a \\"quoted\\" \\u00e9 \\\\ text", "t": "\\ud83d\\ude00"}]',
    # faults
    '[{"obsID": 1},\n{"obsID": }]', '[{"obsID": 1}]\n]', '"obsID"', '[{"obsID": 1}', '[{"obsID": "unterminated}]',
    '{"data": [{"a": 1}] "more": 2}', '{"data": [{"a": 1},]}', '[{"a": tru}]', '[{"a": 1.}]', '[{"a": "\\u12"}]',
    '{"data": [{"a": 1}], 5: 3}', '{"data" [1]}', '[{"a": 1}\n\n\n{"b": 2}]', '[{"a": "x\ty"}]', '[1, 2',
    '{"status": 20', '{"status": "COMPLETE", "data": [{"a": 1}]} x',
]


def outcome(records: JsonRecords) -> tuple[list, tuple | None]:
    """The (origin, value) of each record up to the first fault, and the fault (origin, message)."""
    found = []
    try:
        for item in records:
            found.append(item)
    except LoadError as exc:
        return found, (exc.origin, exc.reason)
    return found, None


def same_through_any_window(text: str) -> None:
    whole = outcome(JsonRecords(PATH, text))
    for block in BLOCKS:
        assert outcome(JsonRecords(PATH, io.StringIO(text), block=block)) == whole, block


@pytest.mark.parametrize("text", DOCUMENTS)
def test_a_window_reads_as_the_whole_text(text: str) -> None:
    same_through_any_window(text)


def test_a_real_listing_through_any_window() -> None:
    same_through_any_window(API_JSON.read_text(encoding="utf-8"))


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                     st.text(max_size=12))
_RECORD = st.dictionaries(st.text(max_size=8), st.one_of(_SCALARS, st.lists(_SCALARS, max_size=3)), max_size=5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(st.one_of(_RECORD, _SCALARS), max_size=6), form=st.sampled_from(["list", "data", "obs"]),
       indent=st.sampled_from([None, 1, 2]), damage=st.one_of(st.none(), st.tuples(st.integers(0, 10**6),
                                                                                    st.sampled_from(["cut", "drop", "{", "}", '"', ",", "\\", "\n", "x"]))))
def test_any_document_or_damage_reads_as_the_whole_text(records, form, indent, damage) -> None:
    document = records if form == "list" else {"status": "COMPLETE", "data": records} if form == "data" else \
        {"jw01234-o001_t001": records, "fields": [{"name": "obsID"}]}
    text = json.dumps(document, indent=indent)
    if damage is not None:
        at, how = damage
        at %= len(text) + 1
        text = text[:at] if how == "cut" else text[:at] + text[at + 1:] if how == "drop" else text[:at] + how + text[at:]
    same_through_any_window(text)


def test_a_long_document_is_read_in_bounded_memory(tmp_path: Path) -> None:
    """A 24 MB listing read with a 64 KiB window: Python's allocations at their peak stay a small part
    of the file (the whole text alone would be its size)."""
    record = json.loads(API_JSON.read_text(encoding="utf-8"))["data"][0] if "data" in json.loads(
        API_JSON.read_text(encoding="utf-8")) else None
    record = record or {"obsID": "1", "productFilename": "jw01039004001_02101_00001_mirifulong_cal.fits"}
    path = tmp_path / "long.json"
    one = json.dumps(record, indent=1)
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"status": "COMPLETE", "data": [\n')
        count = 0
        while out.tell() < 24 * 2**20:
            out.write(("," if count else "") + one + "\n")
            count += 1
        out.write("]}\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        seen = 0
        with open(path, encoding="utf-8") as source:
            for where, value in JsonRecords(path, source, block=64 * 1024):
                seen += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seen == count
    assert where == f"{path}:{2 + (count - 1) * one.count(chr(10)) + (count - 1)}"
    assert peak < size / 20, (peak, size)


def test_a_json_table_from_a_file_reads_as_before(tmp_path: Path) -> None:
    """`read_table` of a JSON file goes through the window: rows, origins and a fault at the end."""
    path = tmp_path / "odd.json"
    path.write_text('{"data": [{"obsID": 1},\n 7,\n{"obsID": 3}], "x": }', encoding="utf-8")
    table = read_table(path)
    assert table.columns == ("obsID",)
    found = []
    with pytest.raises(LoadError, match="bad JSON") as caught:
        for row in table.rows:
            found.append((row.origin, row.values, row.error))
    assert found == [(f"{path}:1", {"obsID": 1}, None), (f"{path}:2", {}, "record is a JSON number, not an object"),
                     (f"{path}:3", {"obsID": 3}, None)]
    assert caught.value.origin == f"{path}:3"


def test_an_integer_past_the_readers_digit_limit_is_bad_json_at_its_line() -> None:
    """`int` refuses more than 4300 digits with a bare ValueError (no position): bad JSON at its line,
    through any window."""
    text = '{"data": [\n{"obsID": "' + "7" * 5000 + '"},\n{"obsID": 2,\n "size": ' + "1" * 5000 + "}]}"
    found, fault = outcome(JsonRecords(PATH, text))
    assert len(found) == 1 and fault == (f"{PATH}:4", "bad JSON: an integer of 5000 digits (the JSON reader takes at most 4300)")
    same_through_any_window(text)


@pytest.mark.parametrize("text, records", [
    ('{"x": {"obsID": 1, "productFilename": "a.fits"}}', None),
    ('{"status": "ERROR", "msg": "no such service"}', None),
    ('{"status": "COMPLETE", "data": []}', []),
    ('{"status": "COMPLETE", "data": [{"obsID": 1}], "stats": {"n": 1}}', [{"obsID": 1}]),
])
def test_an_object_with_no_list_of_records_is_no_table(text: str, records) -> None:
    """A JSON object whose members hold no list of records (a record where a list belongs, a saved
    error response) loaded nothing before, without a word; an empty list is a table of no rows, and
    other members beside a list are metadata."""
    if records is None:
        with pytest.raises(LoadError) as caught:
            list(JsonRecords(Path("t.json"), text))
        assert str(caught.value) == ('t.json:1: a JSON object with no list of records (MAST\'s tables are '
                                     '{"data": [...]}, {"<obs_id>": [...]} or a list)')
    else:
        assert [value for _, value in JsonRecords(Path("t.json"), text)] == records
