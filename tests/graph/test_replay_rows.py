"""The comparison on disk merges each partition's rows without making records (`across_spill._merge_rows`)
until a key is given a value not identical to the one it has, and then merges the partition again through
the `RecordMerger`: both ways give the same conflicts, marks and facts."""

from __future__ import annotations

import filecmp
import random
from pathlib import Path

import pytest

from mastgraph.model.records import Edge, Node
from mastgraph.model.vocabulary import Label, Rel
from mastgraph.pipeline import across_spill
from mastgraph.pipeline.across_spill import SpilledAcrossFiles

P, O, A = Label.PRODUCT, Label.OBSERVATION, Label.ASSOCIATION
#: Values equal to one another but not identical (1, 1.0, True; 0.0, -0.0; [1], [1.0]), a NaN, None.
VALUES = (1, 1.0, True, 2, 0.0, -0.0, 2.5, 2.5 + 1e-12, float("nan"), "a", "b", None, [1], [1.0], ["a"])


def _random_records(rng: random.Random, tricky: float) -> list[list]:
    """Files of records over a few keys; `tricky`: how often a value is drawn from VALUES rather than
    from values that never conflict in a non-identical way."""
    def value(name: str):
        if rng.random() < tricky:
            return rng.choice(VALUES)
        return {"size": 7, "t_min": 1.5, "t_max": 2.5, "stem": "s", "suffix": "cal"}.get(name, "x")

    files = []
    for number in range(rng.randint(1, 6)):
        records = []
        for line in range(rng.randint(0, 30)):
            origin = f"f{number}:{line + 1}"
            roll = rng.random()
            names = rng.sample(("size", "t_min", "t_max", "stem", "suffix", "program"), rng.randint(0, 4))
            props = {name: value(name) for name in names}
            if roll < 0.45:
                labels = tuple(rng.sample((Label.L2B, Label.L3, Label.PREVIEW, Label.CATALOG), rng.randint(0, 2)))
                records.append(Node(P, f"u{rng.randint(1, 6)}", props, labels, origin))
            elif roll < 0.55:
                labels = (Label.EXPOSURE,) if rng.random() < 0.5 else ()
                records.append(Node(O, f"o{rng.randint(1, 3)}", props, labels, origin))
            elif roll < 0.7:
                records.append(Edge(Rel.HAS_PRODUCT, (O, f"o{rng.randint(1, 3)}"), (P, f"u{rng.randint(1, 6)}"),
                                    props, origin))
            elif roll < 0.8:
                kind = {"kind": rng.choice(("preview", "guide_star"))}
                records.append(Edge(Rel.LINKED, (P, f"u{rng.randint(1, 6)}"), (P, f"u{rng.randint(1, 6)}"),
                                    {**props, **kind}, origin))
            elif roll < 0.9:
                records.append(Node(A, f"jw{rng.randint(1, 2)}_asn", {"products": ["jw1_x"], **props}, origin=origin))
            else:
                member = {"product": rng.choice(("jw1_x", "jw1_y")), "exptype": "science"}
                records.append(Edge(Rel.HAS_MEMBER, (A, f"jw{rng.randint(1, 2)}_asn"), (P, f"u{rng.randint(1, 6)}"),
                                    {**member, **props}, origin))
        files.append(records)
    return files


def _partitions(folder: Path, files: list[list]) -> tuple[SpilledAcrossFiles, list[str], list[str]]:
    """The files' records put into partitions on disk as the comparison does, ready to be replayed."""
    across = SpilledAcrossFiles(folder, 3 * across_spill.PARTITION_INPUT_BYTES)
    for records in files:
        for record in records:
            across.add(record)
        across.end_file()
    across._flush()
    across._flush_lists()
    for out in across._index.values():
        out.close()
    parts = [str(across._dir / f"p{part:03d}") for part in sorted(across._index)]
    return across, parts, list(across._names)


def _records_only(blobs):
    raise across_spill._NotIdentical


def _same_files(one: Path, other: Path) -> None:
    mine = sorted(path.relative_to(one) for path in one.rglob("*.csv"))
    assert mine == sorted(path.relative_to(other) for path in other.rglob("*.csv"))
    for path in mine:
        assert filecmp.cmp(one / path, other / path, shallow=False), path


@pytest.mark.parametrize("tricky", [0.0, 0.05, 0.4])
def test_rows_and_records_replay_alike(tmp_path, monkeypatch, tricky):
    rng = random.Random(20260712)
    ways = {"replayed": 0, "fell back": 0, "with facts": 0}
    merge_rows = across_spill._merge_rows

    def counted(blobs):
        try:
            return merge_rows(blobs)
        except across_spill._NotIdentical:
            ways["fell back"] += 1
            raise

    for case in range(60):
        folder = tmp_path / str(case)
        across, parts, names = _partitions(folder, _random_records(rng, tricky))
        try:
            for part in parts:
                monkeypatch.setattr(across_spill, "_merge_rows", counted)
                rows = across_spill.replay(part, names, str(folder / "rows"))
                ways["replayed"] += 1
                monkeypatch.setattr(across_spill, "_merge_rows", _records_only)
                records = across_spill.replay(part, names, str(folder / "records"))
                assert rows[0] == records[0], (case, part)  # the conflicts and their lines
                assert list(rows[1]) == list(records[1]), (case, part)  # the marks
                assert rows[2] == records[2]
            _same_files(folder / "rows", folder / "records")
            ways["with facts"] += any((folder / "rows").rglob("*.csv"))
        finally:
            across.close()
    assert ways["with facts"] > 0
    if tricky == 0.0:
        assert ways["fell back"] == 0  # (no value given otherwise: every partition merged as rows)
    else:
        assert 0 < ways["fell back"] < ways["replayed"]  # both ways were taken


@pytest.mark.parametrize("first, later", [(0.0, -0.0), ([1], [1.0]), ([0.0], [-0.0]), (1, 1.0), (1, True),
                                          (2.5, 2.5 + 1e-12), (float("nan"), float("nan")), ("a", "b"), (1.5, 1.5),
                                          ([1], [1])])
@pytest.mark.parametrize("edge", [False, True])
def test_a_value_given_again_equal_or_not(tmp_path, monkeypatch, first, later, edge):
    """One value given again by a later file, alone in its partition: the marks, the conflict and the
    facts (unusable when a value was written inexactly) are the merger's."""
    def record(value, origin):
        props = {"t_min": value, "stem": "s"}
        if edge:
            return Edge(Rel.HAS_PRODUCT, (O, "o1"), (P, "u1"), props, origin)
        return Node(P, "u1", props, (Label.L2B,), origin)

    across, parts, names = _partitions(tmp_path, [[record(first, "a:1")], [record(later, "b:1")]])
    merge_rows, fell_back = across_spill._merge_rows, []

    def watched(blobs):
        try:
            return merge_rows(blobs)
        except across_spill._NotIdentical:
            fell_back.append(True)
            raise

    identical = repr(first) == repr(later) and first == later
    try:
        (part,) = parts
        monkeypatch.setattr(across_spill, "_merge_rows", watched)
        rows = across_spill.replay(part, names, str(tmp_path / "rows"))
        assert fell_back == ([] if identical else [True])  # (merged as rows exactly when the value is identical)
        monkeypatch.setattr(across_spill, "_merge_rows", _records_only)
        records = across_spill.replay(part, names, str(tmp_path / "records"))
    finally:
        across.close()
    assert (rows[0], list(rows[1]), rows[2]) == (records[0], list(records[1]), records[2])
    _same_files(tmp_path / "rows", tmp_path / "records")
    assert len(rows[1]) == (1 if identical else 2)  # (a repeat is not marked)
