"""Awkward values, duplicates across files and relationship ends no record describes: the bulk build
and the online ingest store exactly the same thing."""

from __future__ import annotations

import dataclasses
import math
import pickle
from pathlib import Path

from mastgraph.graph import db
from mastgraph.pipeline.bulk import BuildOptions, build
from mastgraph.pipeline.ingest import ingest_paths
from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders import registry
from mastgraph.model.records import Edge, Node

from .conftest import canonical_dump

P, A, R = Label.PRODUCT, Label.ASSOCIATION, Label.REFERENCE_FILE
ODD = 'mast:JWST/product/a,"b".fits'


class RecordsLoader:
    """A loader of files holding pickled records (origins numbered like rows of the file)."""

    kind = "records"

    def records(self, path: Path):
        with open(path, "rb") as fh:
            records = pickle.load(fh)
        for line, record in enumerate(records, start=2):
            yield dataclasses.replace(record, origin=f"{path}:{line}")


def detect_records(path: Path) -> RecordsLoader:
    """`detect` for both paths: online (patched into the registry) and bulk (BuildOptions.detect,
    which worker processes import by name)."""
    return RecordsLoader()


def write_records(path: Path, records: list, padding: int = 0) -> Path:
    path.write_bytes(pickle.dumps(records) + b"#" * padding)
    return path


FIRST = [
    Node(P, ODD, {
        "filename": 'a,"b".fits', "size": 2**62, "description": "line one\nline two\r\nend", "note": "  padded  ",
        "text": "Å ☄ \\ ' ;", "flag": True, "empty_text": "", "tags": ["x", "", "y;z"], "none_at_all": [],
        "only_empty": [""], "with_delimiter": ["a\x1fb", "c"], "scalar_delimiter": "p\x1fq",
        "floats": [1.5, math.inf, -0.0], "bools": [True, False], "ints": [1, -2], "mixed": 5, "t_min": math.nan,
        "Bad Name": "spaces", "unknown": None,
    }, (Label.L2B,)),
    Node(P, "mast:JWST/product/b.fits", {"mixed": "five", "t_min": 1.0, "t_max": math.inf}),
    Node(P, "mast:JWST/product/c.fits", {"mixed": 5.5, "t_min": -math.inf}),
    Node(A, "x", {"products": ["p1", "p2"], "asn_type": "image3"}),
    Edge(Rel.HAS_MEMBER, (A, "x"), (P, ODD), {"exptype": "science", "product": "p1", "weight": 1}),
    Edge(Rel.HAS_MEMBER, (A, "x"), (P, ODD), {"exptype": "back,ground", "product": "p2", "weight": "heavy"}),
    Edge(Rel.LINKED, (P, ODD), (P, "mast:JWST/product/nowhere.fits"), {"kind": "preview"}),
    Edge(Rel.USED_REFERENCE, (P, "mast:JWST/product/b.fits"), (R, "jwst_miri_flat_0001.fits"), {"reftype": "flat"}),
]
SECOND = [  # a later file: its non-null values win, labels add up, relationship props merge
    Node(P, ODD, {"size": 7, "description": None}, (Label.L3,)),
    Node(P, "mast:JWST/product/b.fits", {"mixed": 6}),
    Edge(Rel.HAS_MEMBER, (A, "x"), (P, ODD), {"exptype": "science", "product": "p1", "note": "later"}),
    Node(R, "jwst_miri_flat_0001.fits", {"reftype": "flat"}),
]


def test_awkward_values_and_duplicates_across_files(graph, neo4j_settings, bulk_settings, tmp_path, monkeypatch):
    files = [write_records(tmp_path / "first.rec", FIRST), write_records(tmp_path / "second.rec", SECOND)]
    monkeypatch.setattr(registry, "detect", detect_records)

    online = ingest_paths(graph, neo4j_settings, list(files), check_across_files=False)  # later wins, as in bulk
    assert not online.failed, online.failed[0].error
    report = build(bulk_settings, list(files),
                   BuildOptions(force=True, detect=detect_records, check_across_files=False))
    with db.connect(bulk_settings) as drv:
        bulk_dump = canonical_dump(drv)
        records, _, _ = drv.execute_query("MATCH (p:Product {uri: $uri}) RETURN p, labels(p) AS labels", uri=ODD)
    assert bulk_dump == canonical_dump(graph)

    stored = dict(records[0]["p"])
    assert stored["size"] == 7 and stored["description"] == "line one\nline two\r\nend"
    assert set(records[0]["labels"]) == {"Product", "L2b", "L3"}
    assert stored["none_at_all"] == [] and stored["only_empty"] == [""] and stored["empty_text"] == ""
    assert stored["with_delimiter"] == ["a\x1fb", "c"] and stored["scalar_delimiter"] == "p\x1fq"
    assert stored["Bad Name"] == "spaces" and math.isnan(stored["t_min"])
    # mixed, none_at_all, only_empty, with_delimiter, Bad Name and one weight cannot go through the CSV
    assert report.residual_values >= 6
    # the ends no record described exist, key only, and are reported with the line that named them
    assert report.key_only_nodes == {"Product": 1}
    lines = Path(report.missing_ends_report).read_text().splitlines()
    assert lines == [f"{tmp_path / 'first.rec'}:8: Product mast:JWST/product/nowhere.fits is named by a relationship "
                     "but described by no record; created with its key only"]


def test_later_files_win_across_worker_processes(graph, neo4j_settings, bulk_settings, tmp_path, monkeypatch):
    """Forty files, each its own task (300 kB on disk), parsed by two worker processes into three
    partitions: the merge puts every key's records back into file order."""
    files = []
    for i in range(40):
        files.append(write_records(tmp_path / f"f{i:02d}.rec", [
            Node(P, "mast:JWST/product/x.fits", {"size": i, "note": f"n{i}" if i % 3 == 0 else None},
                 (Label.L2B,) if i == 7 else ()),
            Node(P, f"mast:JWST/product/y{i % 5}.fits", {"v": i, "w": None if i % 2 else i}),
            Edge(Rel.HAS_MEMBER, (A, "x"), (P, f"mast:JWST/product/y{i % 5}.fits"),
                 {"exptype": "science", "product": "p", "seen": i}),
        ], padding=300_000))
    monkeypatch.setattr(registry, "detect", detect_records)

    online = ingest_paths(graph, neo4j_settings, list(files), check_across_files=False)  # later wins, as in bulk
    assert not online.failed, online.failed[0].error
    report = build(bulk_settings, files, BuildOptions(force=True, workers=2, partitions=3, detect=detect_records,
                                                      check_across_files=False))
    assert report.workers == 2
    # ten processes in turn (four tasks each), two at a time: the second to tenth append to the files
    # of the one they replace, so each partition has two spill files
    assert 3 <= report.spill_files <= 2 * 3
    with db.connect(bulk_settings) as drv:
        bulk_dump = canonical_dump(drv)
        records, _, _ = drv.execute_query("MATCH (p:Product {uri: 'mast:JWST/product/x.fits'}) RETURN p, labels(p) AS l")
    assert bulk_dump == canonical_dump(graph)
    assert dict(records[0]["p"])["size"] == 39 and dict(records[0]["p"])["note"] == "n39"
    assert set(records[0]["l"]) == {"Product", "L2b"}
