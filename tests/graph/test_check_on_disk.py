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

from mastgraph.bench.large_file import joined_listing
from mastgraph.loaders import registry
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.model.records import Node
from mastgraph.model.vocabulary import Label
from mastgraph.pipeline import check_on_disk, ingest
from mastgraph.pipeline.across_spill import _row
from mastgraph.pipeline.ingest import _checked, ingest_paths
from mastgraph.sample.generator import generate

from ..bulk.conftest import canonical_dump
from ..conftest import empty_graph
from ..loaders.test_damage_property import damaged


def outcome(path: Path, skip_bad: bool, work: Path | None, loader=None) -> tuple[list[tuple], list[str], str | None]:
    """Of `_checked` on `path` (read by `loader`, else the one the registry picks): each record given,
    as a row, with the rejects noted by then; the rejects; what was raised (its kind and text)."""
    rejects: list = []
    given: list[tuple] = []
    try:
        for record in _checked(loader or registry.detect(path), path, skip_bad, rejects, work):
            given.append((_row(record, 0), len(rejects)))
    except Exception as exc:  # noqa: BLE001 - compared
        return given, [str(reject) for reject in rejects], f"{type(exc).__name__}: {exc}"
    return given, [str(reject) for reject in rejects], None


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
    joined = out / "jw_joined_products.csv"
    joined_listing(sorted(p for p in out.rglob("*.csv") if "listings" in p.parts), joined)
    return joined.read_text().splitlines()


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
    assert not list((Path(neo4j_settings.home) / "ingest-work").rglob("check-*"))


class _Given:
    """A loader giving `items`, then raising `error` (if any)."""

    kind = "given"

    def __init__(self, items: list, error: Exception | None = None) -> None:
        self.items, self.error = items, error

    def records(self, path: Path):
        yield from self.items
        if self.error is not None:
            raise self.error


def _product(key: str, size: int, line: int) -> Node:
    return Node(Label.PRODUCT, key, {"size": size}, (), f"f.csv:{line}")


@pytest.mark.parametrize("skip_bad", [False, True])
@pytest.mark.parametrize("items, error", [
    ([_product("a", 1, 1), _product("b", 1, 2)], OSError(5, "Input/output error")),
    ([_product("a", 1, 1)], ValueError("a loader's fault")),
    ([_product("a", 1, 1), Reject("f.csv:2", "bad"), _product("a", 2, 3), _product("b", 1, 4), Reject("f.csv:5", "x")],
     None),
    ([_product("a", 1, 1), Reject("f.csv:2", "bad"), _product("a", 2, 3)], None),
    ([_product("a", 1, 1), _product("a", 2, 2), _product("c", 1, 3)], LoadError("f.csv:4", "broken")),
], ids=["OSError", "ValueError", "rejects between", "reject then conflict", "conflict then LoadError"])
def test_what_a_loader_raises_comes_after_the_same_records(tmp_path, always_on_disk, items, error, skip_bad):
    path = tmp_path / "f.csv"
    path.write_text("x" * 100)
    work = tmp_path / "work"
    work.mkdir()
    in_memory = outcome(path, skip_bad, None, _Given(items, error))
    assert outcome(path, skip_bad, work, _Given(items, error)) == in_memory
    assert not list(work.iterdir())


def test_a_fits_file_is_never_checked_on_disk(tmp_path, always_on_disk):
    from mastgraph.loaders.fits_headers import FitsHeaderLoader
    from mastgraph.loaders.listings import ListingLoader

    path = tmp_path / "big.fits"
    path.write_bytes(b"SIMPLE  =" + b" " * 100)
    assert not check_on_disk.on_disk(path, FitsHeaderLoader()) and check_on_disk.on_disk(path, ListingLoader())
