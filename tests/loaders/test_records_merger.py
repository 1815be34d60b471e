"""Records and the within-file check (loaders/records.py): the records' own __init__ builds what the
dataclass's did, and `RecordMerger` accepts and refuses exactly what the former merger did, with
the same messages."""

from __future__ import annotations

import dataclasses
import inspect
import math
import pickle
import random
from dataclasses import dataclass
from typing import Any

import pytest

from mastgraph.model.vocabulary import EDGE_IDENTITY, Label, Rel
from mastgraph.loaders.names import ProductName
from mastgraph.loaders.records import Conflict, RecordMerger, _same
from mastgraph.model.records import Edge, Node, clean
from mastgraph.loaders.tables import Row


def test_records_are_built_as_the_dataclass_would() -> None:
    node = Node(Label.PRODUCT, "u")
    assert node.props == {} and node.labels == () and node.origin == ""
    assert Node(Label.PRODUCT, "v").props is not node.props  # a new dict each time
    assert Node(label=Label.PRODUCT, key="u", origin="f:1") == Node(Label.PRODUCT, "u", {}, (), "f:1")
    edge = Edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, "1"), (Label.PRODUCT, "u"), origin="f:2")
    assert edge.props == {} and edge.origin == "f:2"
    assert [p.name for p in inspect.signature(Node).parameters.values()] == ["label", "key", "props", "labels", "origin"]
    assert str(inspect.signature(Edge).parameters["props"]) == "props: 'Mapping[str, Any]' = <factory>"
    with pytest.raises(TypeError, match=r"Node.__init__\(\) missing 1 required positional argument: 'key'"):
        Node(Label.PRODUCT)  # type: ignore[call-arg]
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.key = "v"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(edge)) == edge and dataclasses.replace(node, key="w").key == "w"
    assert Row("f:3", {"a": 1}).error is None and Row("f:3", {}, "bad").error == "bad"
    name = ProductName("x.fits", "exposure", "cal", "fits", "2b", ())
    assert name.props == {} and ProductName("y.fits", "msa", "msa", "fits", None, (), {"a": 1}).props == {"a": 1}


# --------------------------------------------------------------------------- the former merger

@dataclass
class _FormerSeen:
    props: dict[str, Any]
    origins: dict[str, str]
    labels: set[Label]


class FormerMerger:
    """RecordMerger as it was before it kept the first record of a key as it is."""

    def __init__(self) -> None:
        self._nodes: dict = {}
        self._edges: dict = {}

    def add(self, record: Node | Edge) -> None:
        if isinstance(record, Node):
            key: tuple = record.ref
            seen = self._nodes.get(key)
            what = f"{record.label.value} {record.key}"
            table: dict = self._nodes
        else:
            key = record.ref
            seen = self._edges.get(key)
            what = f"{record.type.value} {record.start[1]} -> {record.end[1]}"
            table = self._edges
        props = clean(record.props)
        if seen is None:
            labels = set(record.labels) if isinstance(record, Node) else set()
            table[key] = _FormerSeen(dict(props), {k: record.origin for k in props}, labels)
            return
        for name, value in props.items():
            old = seen.props.get(name)
            if old is None:
                seen.props[name] = value
                seen.origins[name] = record.origin
            elif not _same(old, value):
                raise Conflict(
                    f"{record.origin}: {what}: {name} {value!r} conflicts with {old!r} ({seen.origins[name]})"
                )
        if isinstance(record, Node):
            seen.labels.update(record.labels)


VALUES = [None, None, "a", "a", "b", "", 1, 1, 2, True, False, 1.0, 1.0 + 1e-12, 1.5, 0.0, -0.0, math.nan, math.inf,
          -math.inf, "1", [1, 2], [1, 2], [1.0, 2], ["x"]]


def random_record(rng: random.Random, n: int):
    props = {name: rng.choice(VALUES) for name in rng.sample(["p", "q", "r", "kind", "product"], rng.randint(0, 4))}
    where = f"f.csv:{n}"
    if rng.random() < 0.5:
        label = rng.choice([Label.PRODUCT, Label.OBSERVATION])
        return Node(label, rng.choice(["k1", "k2", 3]), props, rng.choice([(), (Label.L2B,)]), where)
    rel, start = rng.choice([(Rel.HAS_MEMBER, Label.ASSOCIATION), (Rel.LINKED, Label.PRODUCT),
                             (Rel.HAS_PRODUCT, Label.OBSERVATION), (Rel.HAS_MEMBER, Label.OBSERVATION)])
    return Edge(rel, (start, rng.choice(["s1", "s2"])), (Label.PRODUCT, rng.choice(["e1", "e2"])), props, where)


def outcome(merger, record) -> str:
    try:
        merger.add(record)
    except Exception as exc:  # noqa: BLE001 - Conflict, or TypeError for a list in an identity property
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def test_merger_agrees_with_the_former_one() -> None:
    assert EDGE_IDENTITY  # the identity properties (product, kind) are among the random ones
    rng = random.Random(5)
    conflicts = 0
    for _ in range(3000):
        now, former = RecordMerger(), FormerMerger()
        for n in range(rng.randint(1, 12)):
            record = random_record(rng, n)
            got, expected = outcome(now, record), outcome(former, record)
            assert got == expected, record
            conflicts += got != "ok"
    assert conflicts > 1000


def test_conflict_names_the_record_that_gave_the_value() -> None:
    merger = RecordMerger()
    merger.add(Node(Label.PRODUCT, "u", {"size": None}, (), "a.csv:2"))
    merger.add(Node(Label.PRODUCT, "u", {"size": 10}, (), "a.csv:3"))
    with pytest.raises(Conflict, match=r"^a.csv:4: Product u: size 12 conflicts with 10 \(a.csv:3\)$"):
        merger.add(Node(Label.PRODUCT, "u", {"size": 12}, (), "a.csv:4"))
    merger.add(Edge(Rel.LINKED, (Label.PRODUCT, "a"), (Label.PRODUCT, "b"), {"kind": "preview", "n": 1.0}, "l.csv:2"))
    with pytest.raises(Conflict, match=r"^l.csv:3: LINKED a -> b: n 2.0 conflicts with 1.0 \(l.csv:2\)$"):
        merger.add(Edge(Rel.LINKED, (Label.PRODUCT, "a"), (Label.PRODUCT, "b"), {"kind": "preview", "n": 2.0}, "l.csv:3"))


# --------------------------------------------------------------------------- repeats

def written(records) -> dict:
    """What writing `records` in order leaves: per key, the properties (later values win, None
    ones skipped, each value with its type and sign, as the graph stores it) and the labels."""
    state: dict = {}
    for record in records:
        key = record.ref if isinstance(record, Node) else record.ref
        props, labels = state.setdefault(key, ({}, set()))
        props.update({k: v for k, v in record.props.items() if v is not None})
        if isinstance(record, Node):
            labels.update(record.labels)
    return {key: ({k: repr(v) for k, v in props.items()}, labels) for key, (props, labels) in state.items()}


def test_a_record_reported_as_a_repeat_changes_nothing_written() -> None:
    """`add` returns False only for a record whose writing would change nothing: writing the
    records it returned True for leaves exactly what writing all of them would."""
    rng = random.Random(11)
    dropped = 0
    values = [*VALUES, -0.0, 0.0, [0.0], [-0.0], [1.0, 2.0], [1, 2.0]]
    for _ in range(4000):
        merger = RecordMerger()
        everything, kept = [], []
        for n in range(rng.randint(1, 12)):
            record = random_record(rng, n)
            if record.props and rng.random() < 0.5:  # values of one type and sign, or not
                record = dataclasses.replace(record, props={k: rng.choice(values) for k in record.props})
            if everything and rng.random() < 0.4:  # an exact repeat of an earlier record
                record = dataclasses.replace(rng.choice(everything), origin=f"f.csv:{n}")
            try:
                new = merger.add(record)
            except (Conflict, TypeError):
                break
            everything.append(record)
            if new:
                kept.append(record)
        dropped += len(everything) - len(kept)
        assert written(kept) == written(everything), everything
    assert dropped > 2000

