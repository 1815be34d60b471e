"""A file with more records than a transaction takes (10 x MASTGRAPH_BATCH_SIZE) is checked whole,
then written in parts of that many records, one transaction each (`pipeline.ingest._write_in_parts`):
a database whose transactions hold less memory than the whole file needs loads it, the graph is the
one a single transaction gives, and an association's member list that runs over several parts
is replaced once, with the whole list."""

from __future__ import annotations

import json
from pathlib import Path

import neo4j
import pytest

from mastgraph.bench.large_file import joined_listing
from mastgraph.graph import db
from mastgraph.graph.server import LocalNeo4j
from mastgraph.pipeline.ingest import IngestStopped, ingest_paths
from mastgraph.sample.generator import generate

from ..bulk.conftest import canonical_dump
from ..conftest import count, empty_graph, own_neo4j

#: What one transaction of the test's own Neo4j may hold: less than the whole listing needs, more
#: than a part of 10 x 50 of its records does.
TRANSACTION_MEMORY = "8MiB"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("parts")
    generate(out, "demo")
    return out


@pytest.fixture(scope="module")
def one_listing(demo: Path, tmp_path_factory) -> Path:
    """The demo sample's product listings as one file (as a listing of many observations is)."""
    listings = sorted(p for p in demo.rglob("*.csv") if "listings" in p.parts)
    header = listings[0].read_text().splitlines()[0]
    for path in listings:
        assert path.read_text().splitlines()[0] == header
    path = tmp_path_factory.mktemp("one") / "jw_all_products.csv"
    joined_listing(listings, path)
    return path


class _SmallTransactions(LocalNeo4j):
    def conf_text(self) -> str:
        return super().conf_text() + f"db.memory.transaction.max={TRANSACTION_MEMORY}\n"


def test_a_file_over_what_a_transaction_holds_loads_in_parts(graph, neo4j_settings, one_listing, tmp_path,
                                                             monkeypatch):
    whole = ingest_paths(graph, neo4j_settings, [one_listing])  # one transaction, on the session's Neo4j
    assert not whole.failed and whole.files[0].records > 6 * 500  # (several parts of 500)
    expected = canonical_dump(graph, neo4j_settings.neo4j_database)

    monkeypatch.setitem(db._DRIVER_OPTIONS, "max_transaction_retry_time", 0.5)  # (the refusal is "transient")
    with own_neo4j(tmp_path / "state", _SmallTransactions) as (settings, _):
        with db.connect(settings) as drv:
            at_once = ingest_paths(drv, settings, [one_listing])  # under the budget of 10 x 5000: one transaction
            assert at_once.files[0].error and "MemoryPoolOutOfMemoryError" in at_once.files[0].error
            assert count(drv, "MATCH (n) RETURN count(n)") == 0

            small = settings.model_copy(update={"batch_size": 50})  # parts of 500 records
            parts = ingest_paths(drv, small, [one_listing])
            assert not parts.failed, parts.files[0].error
            assert parts.files[0].records == whole.files[0].records
            assert canonical_dump(drv, settings.neo4j_database) == expected
            assert parts.written.total_nodes_created == whole.written.total_nodes_created

            again = ingest_paths(drv, small, [one_listing])  # loading it again changes nothing
            assert not again.failed and again.written.total_nodes_created == 0
            assert canonical_dump(drv, settings.neo4j_database) == expected


def _without_members(path: Path, out: Path, dropped: int) -> Path:
    document = json.loads(path.read_text())
    document["products"][0]["members"] = document["products"][0]["members"][dropped:]
    out.mkdir(parents=True, exist_ok=True)
    changed = out / path.name
    changed.write_text(json.dumps(document, indent=4))
    return changed


def test_a_member_list_over_several_parts_is_replaced_once_with_the_whole_list(graph, neo4j_settings, demo,
                                                                             tmp_path):
    database = neo4j_settings.neo4j_database
    first = max(demo.rglob("*_asn.json"), key=lambda p: p.stat().st_size)
    members = len(json.loads(first.read_text())["products"][0]["members"])
    assert members >= 40
    later = _without_members(first, tmp_path / "later", 3)

    assert not ingest_paths(graph, neo4j_settings, [first]).failed
    one = ingest_paths(graph, neo4j_settings, [later])  # in one transaction
    assert not one.failed and one.written.rels_deleted["HAS_MEMBER"] == 3
    expected = canonical_dump(graph, database)

    empty_graph(graph, database)
    assert not ingest_paths(graph, neo4j_settings, [first]).failed
    small = neo4j_settings.model_copy(update={"batch_size": 2})  # parts of 20 records
    told: list[str] = []
    parts = ingest_paths(graph, small, [later], progress=lambda result, stage: told.append(stage))
    assert not parts.failed and parts.files[0].records > 3 * 20
    total = -(-parts.files[0].records // 20)  # (one file alone: every record written)
    stages = [f"part {number} of {total}" for number in range(1, total + 1)]
    assert [stage for stage in told if stage.startswith("part ")] == stages
    assert parts.written.rels_deleted["HAS_MEMBER"] == 3  # no part removed a member a later part gives
    assert canonical_dump(graph, database) == expected
    assert count(graph, "MATCH (:Association)-[r:HAS_MEMBER]->() RETURN count(r)") == members - 3


def _level2(template: Path, out: Path, products: int, without_first_science: bool) -> Path:
    """A Level-2 association like `template` with `products` products, each of its own exposure
    (science) and the next one's (background); optionally the first without its science member."""
    document = json.loads(template.read_text())
    stem = document["products"][0]["name"].rsplit("_", 2)[0]  # (the exposure's name without its number)
    listed = []
    for number in range(1, products + 1):
        name = f"{stem}_{number:05d}_{document['products'][0]['name'].rsplit('_', 1)[1]}"
        following = f"{stem}_{number % products + 1:05d}_{name.rsplit('_', 1)[1]}"
        members = [{"expname": f"{name}_rate.fits", "exptype": "science", "exposerr": "null"},
                   {"expname": f"{following}_rate.fits", "exptype": "background", "exposerr": "null"}]
        listed.append({"name": name, "members": members[1:] if without_first_science and number == 1 else members})
    document["products"] = listed
    out.mkdir(parents=True, exist_ok=True)
    (out / template.name).write_text(json.dumps(document, indent=4))
    return out / template.name


def test_what_a_replaced_member_list_removed_is_derived_again_by_the_parts(graph, neo4j_settings, demo, tmp_path):
    """The member list is replaced before any part derives: the ANTECEDENT a product's file name
    implies, removed with the member it was also derived from, is made again by the part that
    touches the product (the first), as in one transaction."""
    database = neo4j_settings.neo4j_database
    template = next(path for path in sorted(demo.rglob("*_spec2_*_asn.json")))
    first = _level2(template, tmp_path / "first", 12, False)
    later = _level2(template, tmp_path / "later", 12, True)

    def load(settings) -> tuple:
        empty_graph(graph, database)
        assert not ingest_paths(graph, neo4j_settings, [first]).failed
        told: list[str] = []
        report = ingest_paths(graph, settings, [later], progress=lambda result, stage: told.append(stage))
        assert not report.failed and report.written.rels_deleted["HAS_MEMBER"] == 1
        return canonical_dump(graph, database), sum(stage.startswith("part ") for stage in told)

    whole, none = load(neo4j_settings)
    parted, parts = load(neo4j_settings.model_copy(update={"batch_size": 2}))
    assert none == 0 and parts >= 3
    assert parted == whole
    # the ANTECEDENT the first product's name implies, though its science member was removed:
    assert any(line.startswith("('ANTECEDENT'") and "00001" in line and "_cal.fits" in line for line in whole[1])


def test_a_stop_between_parts_says_how_many_parts_are_in_the_graph():
    lost = neo4j.exceptions.ServiceUnavailable("gone")
    stopped = IngestStopped(Path("big.csv"), 4, 0, lost, parts=(2, 7))
    assert stopped.describe("bolt://h:7687") == (
        "Neo4j at bolt://h:7687 stopped answering while loading big.csv; 4 files were loaded, 2 of the 7 parts "
        "of big.csv were written; run the same command again to finish")
    unknown = IngestStopped(Path("big.csv"), 1, 0, neo4j.exceptions.IncompleteCommit("no answer"), parts=(0, 7))
    assert unknown.describe("bolt://h:7687") == (
        "Neo4j at bolt://h:7687 stopped answering while loading big.csv; 1 file was loaded, 0 of the 7 parts "
        "of big.csv were written, whether part 1 was is unknown (its commit got no answer); run the same "
        "command again to finish")
    first = IngestStopped(Path("big.csv"), 1, 0, None, parts=(0, 7))  # Ctrl-C before any part committed
    assert "nothing of big.csv was written" in first.describe("bolt://h:7687") and first.interrupted
    full = IngestStopped(Path("big.csv"), 2, 0, None, parts=(3, 7), reason="cannot write the work folder /w: "
                                                                              "No space left on device")
    assert full.describe("bolt://h:7687") == (
        "cannot write the work folder /w: No space left on device while loading big.csv; 2 files were "
        "loaded, 3 of the 7 parts of big.csv were written; run the same command again to finish")
    assert not full.interrupted
    # the local server: how to start it again when it stopped answering (not for a full disk)
    assert stopped.describe("bolt://127.0.0.1:7687", local=True).endswith(
        "2 of the 7 parts of big.csv were written; start it with `mastgraph server start` (`mastgraph server logs` "
        "tells why it stopped), then run the same command again to finish")
    assert full.describe("bolt://127.0.0.1:7687", local=True) == full.describe("bolt://127.0.0.1:7687")


def test_the_records_of_the_parts_written():
    from mastgraph.pipeline.ingest import FileResult, _first_records
    from mastgraph.pipeline.parse_pass import Parsed

    every = Parsed(FileResult(Path("f.csv"), records=5))
    assert _first_records(every, 3).written == b"\x01\x01\x01\x00\x00"
    some = Parsed(FileResult(Path("f.csv"), records=6), written=b"\x00\x01\x00\x01\x01\x01")
    assert _first_records(some, 2).written == b"\x00\x01\x00\x01\x00\x00"
