"""A large file's records checked on disk (`pipeline.check_on_disk`) give what the check in memory
(`pipeline.ingest._checked`) gives: the same records in the same order with the repeats left out,
the same rejects in the same order, the same one-line refusal after the same records; and a load
of a large file gives the same graph."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mastgraph.loaders import registry
from mastgraph.pipeline import check_on_disk, ingest
from mastgraph.pipeline.across_spill import _row
from mastgraph.pipeline.ingest import BadFile, _checked, ingest_paths
from mastgraph.sample.generator import generate

from ..bulk.conftest import canonical_dump
from ..conftest import empty_graph
from ..loaders.test_damage_property import damaged


def outcome(path: Path, skip_bad: bool, work: Path | None) -> tuple[list[tuple], list[str], str | None]:
    """(the records given, as rows; the rejects; the refusal) of `_checked` on `path`."""
    rejects: list = []
    records: list[tuple] = []
    error = None
    try:
        for record in _checked(registry.detect(path), path, skip_bad, rejects, work):
            records.append(_row(record, 0))
    except BadFile as exc:
        error = str(exc)
    return records, [str(reject) for reject in rejects], error


@pytest.fixture
def always_on_disk(monkeypatch):
    """Every file checked on disk, in partitions of 4 kB of the file (several for most files)."""
    monkeypatch.setattr(check_on_disk, "ON_DISK_BYTES", -1)
    monkeypatch.setattr(check_on_disk, "PARTITION_BYTES", 4096)


def assert_same(path: Path, skip_bad: bool, work: Path) -> tuple[list[tuple], list[str], str | None]:
    in_memory = outcome(path, skip_bad, None)
    assert outcome(path, skip_bad, work) == in_memory
    assert not list(work.iterdir())  # the work folder is removed
    return in_memory


@pytest.fixture(scope="module")
def listing(tmp_path_factory) -> list[str]:
    """The lines of the demo sample's product listings, as one listing."""
    out = tmp_path_factory.mktemp("demo")
    generate(out, "demo")
    files = sorted(p for p in out.rglob("*.csv") if "listings" in p.parts)
    lines = files[0].read_text().splitlines()
    for path in files[1:]:
        lines += path.read_text().splitlines()[1:]
    return lines


def _damaged_listing(lines: list[str], seed: int, ending: str) -> str:
    """The listing with rows repeated, repeated with another value (a conflict), rows no loader takes
    (a reject), and an `ending`: none, or a line that refuses the whole file from there."""
    rng = random.Random(seed)
    header, rows = lines[0], list(lines[1:])
    columns = header.split(",")
    size = columns.index("size")
    for _ in range(40):
        at = rng.randrange(len(rows))
        cells = rows[rng.randrange(len(rows))].split(",")
        how = rng.choice(["repeat", "conflict", "reject", "fields"])
        if how == "conflict":
            cells[size] = str(int(cells[size] or 0) + 1)
        elif how == "reject":
            cells[columns.index("calib_level")] = "x"
        elif how == "fields":
            cells = cells[:-1]
        rows.insert(at, ",".join(cells))
    if ending == "bad utf-8":
        rows.insert(len(rows) * 2 // 3, "\udcff")
    elif ending == "field over csv's limit":
        rows.insert(len(rows) * 2 // 3, '"' + "a" * 200_000 + '"' + "," * (len(columns) - 1))
    return "\n".join([header, *rows]) + "\n"


@pytest.mark.parametrize("ending", ["", "bad utf-8", "field over csv's limit"])
@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("skip_bad", [False, True])
def test_a_damaged_listing_checked_on_disk_gives_what_the_check_in_memory_gives(listing, tmp_path, always_on_disk,
                                                                               seed, skip_bad, ending):
    path = tmp_path / "jw_products.csv"
    path.write_bytes(_damaged_listing(listing, seed, ending).encode("utf-8", "surrogateescape"))
    work = tmp_path / "work"
    work.mkdir()
    records, rejects, error = assert_same(path, skip_bad, work)
    assert records and (error is not None or not skip_bad or ending == "") and (rejects or not skip_bad)


def test_the_undamaged_listing_has_repeats_left_out_the_same_way(listing, tmp_path, always_on_disk):
    path = tmp_path / "jw_products.csv"
    path.write_text("\n".join([*listing, *listing[1:]]) + "\n")  # every row twice
    work = tmp_path / "work"
    work.mkdir()
    records, rejects, error = assert_same(path, False, work)
    assert error is None and not rejects and len(records) == len(outcome(path, False, None)[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=damaged(), skip_bad=st.booleans())
def test_damaged_real_files_checked_on_disk_give_what_the_check_in_memory_gives(tmp_path, case, skip_bad):
    source, data = case
    target = tmp_path / source.name
    target.write_bytes(data)
    work = Path(tempfile.mkdtemp(dir=tmp_path))  # (the examples share tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(check_on_disk, "ON_DISK_BYTES", -1)
        patch.setattr(check_on_disk, "PARTITION_BYTES", 1024)
        try:
            registry.detect(target)
        except Exception:  # (no loader takes it: nothing to check)
            return
        assert_same(target, skip_bad, work)


def test_a_large_file_checked_on_disk_loads_the_same_graph(graph, neo4j_settings, listing, tmp_path, monkeypatch):
    database = neo4j_settings.neo4j_database
    path = tmp_path / "jw_products.csv"
    path.write_text("\n".join([*listing, *listing[1:]]) + "\n")
    assert not ingest_paths(graph, neo4j_settings, [path]).failed
    expected = canonical_dump(graph, database)

    empty_graph(graph, database)
    monkeypatch.setattr(check_on_disk, "ON_DISK_BYTES", path.stat().st_size - 1)
    monkeypatch.setattr(check_on_disk, "PARTITION_BYTES", 64 * 1024)
    checked: list[Path] = []

    def counted(loader, path, skip_bad, rejects, parent):
        checked.append(path)
        return check_on_disk.checked_on_disk(loader, path, skip_bad, rejects, parent)

    monkeypatch.setattr(ingest, "checked_on_disk", counted)
    report = ingest_paths(graph, neo4j_settings, [path])
    assert not report.failed and checked == [path]
    assert canonical_dump(graph, database) == expected
    assert not list((Path(neo4j_settings.home) / "ingest-work").glob("check-*"))
