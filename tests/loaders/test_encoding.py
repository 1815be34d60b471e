"""Undecodable text is refused with the line it is on (not a byte offset), in every text format;
a table that looks like a product listing but names no product says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from mastgraph.pipeline.ingest import parse_file

from .test_domains import API_CSV, API_JSON, EDB, IMAGE3, OBS_ECSV, OBS_TABLE, POOL, PRODUCTS_ECSV, REAL

MANIFEST = REAL / "manifests" / "jw02733_mast_download_uris.txt"
DICTIONARY = REAL / "edb" / "edb_mnemonic_dictionary.json"


def with_bad_byte(source: Path, target: Path, line: int, after: str) -> int:
    """A copy of `source` with the byte 0xFF after the first `after` of `line`; its 1-based column."""
    raw = source.read_bytes().split(b"\n")
    at = raw[line - 1].index(after.encode()) + len(after)
    raw[line - 1] = raw[line - 1][:at] + b"\xff" + raw[line - 1][at:]
    target.write_bytes(b"\n".join(raw))
    return at + 1


@pytest.mark.parametrize("source, line, after", [
    (API_CSV, 3, "JWST,"), (API_JSON, 41, '"description":"'), (PRODUCTS_ECSV, 29, "83209967 "),
    (OBS_TABLE, 4, "1410,"), (OBS_ECSV, 16, "JWST "), (IMAGE3, 29, '"expname": "'), (POOL, 9, "jw09505"),
    (EDB, 5, "2022-"), (MANIFEST, 60, "mast:"), (DICTIONARY, 1, '"Count": 2449, '),
], ids=lambda v: v.name if isinstance(v, Path) else None)
def test_a_bad_byte_is_reported_at_its_line(tmp_path, source, line, after):
    target = tmp_path / source.name
    column = with_bad_byte(source, target, line, after)
    assert parse_file(target).error == f"{target}:{line}: not UTF-8 text (invalid start byte at column {column})"


def test_a_bad_byte_far_into_a_large_listing(tmp_path):
    """Far beyond the first chunk a text stream decodes: the line is still the bad byte's."""
    head, first, second = API_CSV.read_bytes().splitlines()
    rows = [first, second] * 2500  # MAST's repeated rows, read once each
    rows[4320] = rows[4320].replace(b"exposure/target", b"exposure/t\xe9rget")
    target = tmp_path / "large.csv"
    target.write_bytes(b"\n".join([head, *rows]) + b"\n")
    assert parse_file(target).error == f"{target}:4322: not UTF-8 text (invalid continuation byte at column {first.index(b'exposure/t') + 11})"


def test_a_table_that_looks_like_a_listing_without_product_names_says_so(tmp_path):
    head, *rows = [line.split(",") for line in API_CSV.read_text().splitlines()]
    keep = [i for i, column in enumerate(head) if column not in ("dataURI", "productFilename")]
    target = tmp_path / "products.csv"
    target.write_text("\n".join(",".join(r[i] for i in keep) for r in [head, *rows]) + "\n")
    assert parse_file(target).error == (f"{target}:1: a product listing needs a 'dataURI' or 'productFilename' "
                                        "column and this table has neither")
