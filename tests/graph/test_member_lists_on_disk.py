"""The member lists of the files of one command compared on disk (`across_spill.SpilledAcrossFiles`:
each association's list of each file goes to a partition, compared when it is replayed) give the
lines of the comparison in memory (`ingest.AcrossFiles`), in its order, and hold nothing per
association while the files are read."""

from __future__ import annotations

import errno
import random
import tracemalloc
import zlib
from pathlib import Path

import pytest

from mastgraph.model.records import Edge, Node
from mastgraph.model.vocabulary import Label, Rel
from mastgraph.pipeline import across_spill
from mastgraph.pipeline.across_spill import SpilledAcrossFiles, WorkFolderError, _partition, _row
from mastgraph.pipeline.ingest import AcrossFiles

P, A = Label.PRODUCT, Label.ASSOCIATION


def association(name: str, members: list[str], file: str, exptype: str = "science") -> list[Node | Edge]:
    """The records an association file gives: its Association (with its `products`), then its members."""
    records: list[Node | Edge] = [Node(A, name, {"products": [f"{name}_x"]}, origin=f"{file}:1")]
    for line, member in enumerate(members, 2):
        records.append(Edge(Rel.HAS_MEMBER, (A, name), (P, member), {"product": f"{name}_x", "exptype": exptype},
                            f"{file}:{line}"))
    return records


def conflicts(across, files: list[tuple[list[Node | Edge], bool]]) -> list[str]:
    """The lines of the comparison of `files` ([(records, failed on its own)]), as `ingest.compared` ends each."""
    try:
        for records, failed in files:
            for record in records:
                across.add(record)
            if failed:
                across.drop_file()
            across.end_file()
        return across.finish()
    finally:
        across.close()


def _random_files(rng: random.Random) -> list[tuple[list[Node | Edge], bool]]:
    """Association files naming a few associations again with the same or other members (some as
    a second product, a record conflict), listings whose sizes disagree, some failing on their own."""
    files = []
    for number in range(rng.randint(12, 30)):
        file = f"f{number}"
        if rng.random() < 0.7:
            members = rng.sample([f"u{n}" for n in range(6)], rng.randint(1, 4))
            records = association(f"jw{rng.randint(1, 5)}_asn", members, file,
                                  "science" if rng.random() < 0.9 else "background")
        else:
            records = [Node(P, f"u{rng.randint(0, 5)}", {"size": rng.choice((1, 2))}, origin=f"{file}:{line}")
                       for line in range(1, rng.randint(2, 5))]
        files.append((records, rng.random() < 0.1))
    return files


@pytest.mark.parametrize("seed, partitions, workers",
                         [*((seed, 1 + seed % 7, 1) for seed in range(30)), (30, 5, 2), (31, 8, 2)])
def test_on_disk_the_member_lists_that_differ_are_the_lines_of_memory(tmp_path, monkeypatch, seed, partitions,
                                                                       workers):
    """Whatever partition an association's lists fall in, however many blobs they are written in,
    replayed here or by worker processes; a file failing on its own compares none of its lists."""
    files = _random_files(random.Random(seed))
    in_memory = conflicts(AcrossFiles(), files)
    assert sum("members differ" in line for line in in_memory) >= 2
    monkeypatch.setattr(across_spill, "PARTITION_INPUT_BYTES", 1)  # a partition a byte
    monkeypatch.setattr(across_spill, "BUFFERED", 2)  # the lists written out every few files
    assert conflicts(SpilledAcrossFiles(tmp_path, partitions, workers), files) == in_memory


def test_the_random_files_have_both_kinds_of_conflicts_and_failed_files_whose_lists_differ():
    """(The files above have conflicts of records and of member lists, and failed files whose lists,
    were they compared, would give other lines.)"""
    runs = [_random_files(random.Random(seed)) for seed in range(30)]
    lines = [conflicts(AcrossFiles(), files) for files in runs]
    assert sum("members differ" in line for run in lines for line in run) >= 60
    assert sum("size" in line for run in lines for line in run) >= 20
    unfailed = [conflicts(AcrossFiles(), [(records, False) for records, _ in files]) for files in runs]
    assert sum(run != whole for run, whole in zip(lines, unfailed)) >= 3


@pytest.mark.parametrize("workers", [1, 2])
def test_a_partition_of_member_lists_only_is_replayed(tmp_path, monkeypatch, workers):
    """An association whose lists fall in a partition no record does."""
    count = 8
    for n in range(100):
        name = f"jw{n}_asn"
        files = [(association(name, ["u1", "u2"], "a"), False), (association(name, ["u1"], "b"), False)]
        rows = {_partition(_row(record, 0), count) for records, _ in files for record in records}
        listed = zlib.crc32(name.encode()) % count
        if listed not in rows:
            break
    assert listed not in rows
    in_memory = conflicts(AcrossFiles(), files)
    assert in_memory == [f"b:2: Association {name}: 1 members differ from the 2 members of a:2"]
    replayed: list[str] = []
    real = across_spill._replayed
    monkeypatch.setattr(across_spill, "_replayed", lambda parts, *args: (replayed.extend(parts), real(parts, *args))[1])
    monkeypatch.setattr(across_spill, "PARTITION_INPUT_BYTES", 1)
    assert conflicts(SpilledAcrossFiles(tmp_path, count, workers), files) == in_memory
    assert {int(Path(part).name[1:]) for part in replayed} == {*rows, listed}


def _held(tmp_path, associations: int) -> tuple[int, dict[str, int]]:
    """The bytes `SpilledAcrossFiles` holds after ending `associations` files, each giving an association
    of its own, and the length of each of its attributes that has one."""
    across = SpilledAcrossFiles(tmp_path, 16)
    files = [association(f"jw{n}_asn", [f"u{n}", f"u{n + 1}"], f"f{n}.json") for n in range(associations)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for records in files:
            for record in records:
                across.add(record)
            across.end_file()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    lengths = {name: len(value) for name, value in vars(across).items() if isinstance(value, (dict, list, set))}
    assert across.finish() == []
    across.close()
    return held, lengths


def test_ending_files_holds_nothing_per_association(tmp_path, monkeypatch):
    """Five times the associations: the memory held grows by the byte each record's mark takes (3 a file
    here), not by their member lists (some 140 bytes an association here when they were held till the end)."""
    monkeypatch.setattr(across_spill, "PARTITION_INPUT_BYTES", 1)
    monkeypatch.setattr(across_spill, "BUFFERED", 500)
    few, few_lengths = _held(tmp_path, 2_000)
    many, many_lengths = _held(tmp_path, 10_000)
    assert many - few < 8_000 * 16
    assert few_lengths == many_lengths  # (none of its dicts and lists grows)


def test_a_full_disk_while_member_lists_are_written_out_is_one_line(tmp_path, monkeypatch):
    class Full:
        """The work file on a full disk."""

        name = str(tmp_path / "rows")

        def tell(self) -> int:
            return 0

        def write(self, blob: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self) -> None:
            pass

    across = SpilledAcrossFiles(tmp_path, 1)
    try:
        across._blobs = Full()
        for record in association("jw1_asn", ["u1"], "a"):
            across.add(record)  # (its rows held: fewer than `BUFFERED`)
        monkeypatch.setattr(across_spill, "BUFFERED", 1)  # its member list written out as the file ends
        with pytest.raises(WorkFolderError) as caught:
            across.end_file()
        assert str(caught.value) == f"cannot write the work folder {across._dir}: No space left on device"
    finally:
        across.close()
