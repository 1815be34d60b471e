"""A listing given in plain form (`plain_records`: tuples, no records made) goes through the
pipelines exactly as the records `_checked` passes on: a bulk parse worker spills the same
partitions, counts, census, conflicts and outcomes, and the online ingest's parse writes the same
rows (`parse_pass.parse_to_chunks`), file for file, on the real files, the demo sample, and files
that conflict within themselves or with each other."""

from __future__ import annotations

import csv
from dataclasses import fields
from pathlib import Path
from unittest import mock

from mastgraph.loaders import registry
from mastgraph.loaders.listings import ListingLoader
from mastgraph.pipeline import parse_pass
from mastgraph.pipeline.bulk_spill import ParseConfig, ParseWorker, read_spill

from .conftest import REAL


class AsRecords(ListingLoader):
    """A listing loader without the plain form: the worker reads its records."""

    plain_records = None


DETECT = registry.detect


def as_records(path: Path):
    loader = DETECT(path)
    return AsRecords() if type(loader) is ListingLoader else loader


def parse(folder: Path, tasks: list[list[tuple[int, str]]], detect=None) -> tuple:
    """What workers (one a task) spill and report: (spills by file name, outcomes, results)."""
    folder.mkdir()
    outcomes, results = [], []
    for number, task in enumerate(tasks):
        worker = ParseWorker(ParseConfig(folder, 3, False, detect=detect), f"w{number}")
        worker.run(task, outcomes.append)
        result = worker.finish()
        results.append((result.records, result.spilled_records, result.census, result.clashes.count,
                        result.clashes.found))
    spills = {path.name: list(read_spill(path)) for path in sorted(folder.glob("*.pkl"))}
    return spills, [vars(outcome) for _, outcome in outcomes], results


def assert_same(tmp_path: Path, files: list[Path], size: int) -> int:
    """The workers' output with the plain form and without, the files in tasks of `size`; how many
    files were combined in plain form."""
    numbered = [(index, str(path)) for index, path in enumerate(files)]
    tasks = [numbered[at:at + size] for at in range(0, len(numbered), size)]
    expected = parse(tmp_path / f"records-{size}", tasks, as_records)
    taken, original = [], ParseWorker._plain

    def plain(worker, loader, index, *args):
        took = original(worker, loader, index, *args)
        taken.append((index, took))
        return took

    with mock.patch.object(ParseWorker, "_plain", plain):
        given = parse(tmp_path / f"plain-{size}", tasks)
    assert given == expected
    assert len(taken) == len(files)
    return sum(took for _, took in taken)


def test_the_demo_sample_and_the_real_files_spill_the_same(tmp_path: Path, demo_sample: Path):
    files = registry.expand([demo_sample, REAL])
    listings = [path for path in files if type(registry.detect(path)) is ListingLoader]
    as_csv = [path for path in listings if path.suffix == ".csv"]  # (a JSON listing is read as records)
    assert len(as_csv) > 20 and len(listings) > len(as_csv)
    for size in (len(files), 7):
        assert assert_same(tmp_path, files, size) == len(as_csv)


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="") as fh:
        header, *rows = csv.reader(fh)
    return header, rows


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def conflicting_files(tmp_path: Path, demo_sample: Path) -> list[Path]:
    """Listings a, b and e agree but for one size (b's), c names a product twice with different
    sizes, d has a bad row."""
    base = next(p for p in registry.expand([demo_sample]) if p.name.endswith("_exposures_products.csv"))
    header, rows = _rows(base)
    size = header.index("size")
    other = [list(row) for row in rows[:5]]
    other[2][size] = str(int(other[2][size]) + 1)
    twice = [list(row) for row in rows[:5]] + [list(rows[1])]
    twice[-1][size] = "7"
    bad = [list(row) for row in rows[:5]]
    bad[3][size] = "-1"
    folder = tmp_path / "in"
    folder.mkdir()
    files = [_write(folder / "a.csv", header, rows), _write(folder / "b.csv", header, other),
             _write(folder / "c.csv", header, twice), _write(folder / "d.csv", header, bad),
             _write(folder / "e.csv", header, rows[3:])]
    return files


def test_files_that_conflict_spill_the_same(tmp_path: Path, demo_sample: Path):
    """Two listings that give one product different sizes (a conflict between files, found while
    combining), one that names a product twice with different sizes (refused by the check, read
    as records) and one with a bad row."""
    files = conflicting_files(tmp_path, demo_sample)
    assert assert_same(tmp_path, files, 5) == 3  # (a, b and e: c and d are read as records)
    spills, outcomes, results = parse(tmp_path / "again", [list(enumerate(map(str, files)))])
    assert results[0][3] == 1 and [bool(o["error"]) for o in outcomes] == [False, False, True, True, False]


def chunks_of(files: list[Path], out_path: Path, detect=None) -> tuple[list[tuple], int]:
    """What `parse_to_chunks` says of each file (its result but the time, the rows of its chunks as
    written and as handed on), and how many files it took in plain form."""
    said, given, original = [], [], parse_pass.plain_records

    def plain_records(*args):
        plain = original(*args)
        given.append(plain is not None)
        return plain

    with open(out_path, "wb") as out, mock.patch.object(registry, "detect", detect or registry.detect), \
            mock.patch.object(parse_pass, "plain_records", plain_records):
        for path in files:
            rows = []
            parsed = parse_pass.parse_to_chunks(path, False, out, on_chunk=rows.append)
            out.flush()
            result = {field.name: getattr(parsed.result, field.name) for field in fields(parsed.result)
                      if field.name != "seconds"}
            said.append((result, [list(parse_pass.read_rows([chunk])) for chunk in parsed.chunks], rows))
    return said, sum(given)


def test_the_online_parse_writes_the_same_rows(tmp_path: Path, demo_sample: Path):
    files = [*registry.expand([demo_sample, REAL]), *conflicting_files(tmp_path, demo_sample)]
    expected, none = chunks_of(files, tmp_path / "records.bin", as_records)
    given, plain = chunks_of(files, tmp_path / "plain.bin")
    assert given == expected
    csv_listings = sum(path.suffix == ".csv" and type(registry.detect(path)) is ListingLoader for path in files)
    assert none == 0 and plain == csv_listings - 2  # (c and d are read as records)
    assert sum(len(rows) for _, chunks, _ in given for rows in chunks) > 10_000
