"""What an ingest holds of each file of a command: its `Parsed` kept on disk for the load
(`parse_pass.KeptFiles`), its result as a few numbers once final (`ingest.FileResults`)."""

from __future__ import annotations

from pathlib import Path

from mastgraph.graph.writer import WriteCounts
from mastgraph.loaders.records import FIRST, Reject
from mastgraph.pipeline.across_spill import load_marks
from mastgraph.pipeline.ingest import FileResult, FileResults, IngestReport
from mastgraph.pipeline.parse_pass import KEPT_GROUP, KeptFiles, Parsed, ParsedFiles


def _parsed(path: Path, records: int, marked: tuple[int, int] | None = None, written: bytes | None = None) -> Parsed:
    return Parsed(FileResult(path, "listing", records), chunks=[("work", 10 * records, records)],
                  marked=marked, written=written)


def test_kept_files_come_back_in_file_order_with_their_marks(tmp_path):
    files = [tmp_path / f"f{n}.csv" for n in range(KEPT_GROUP * 2 + 7)]
    work = ParsedFiles(tmp_path / "state")
    try:
        kept = KeptFiles(work, files)
        marks = bytearray()
        expected = {}
        for number, path in enumerate(files):
            if number % 5 == 3:  # (failed: not kept)
                continue
            own = bytes(([FIRST, 0, 1] if number % 2 else [1, 1, 1])[:1 + number % 3])
            parsed = _parsed(path, len(own), marked=(len(marks), len(marks) + len(own)))
            marks += own
            expected[path] = (len(own), load_marks(bytearray(own)))
            kept.add(number, parsed)
        kept.marks(marks)
        assert len(kept) == len(expected)
        read = [(p.result.path, p.result.records, p.written, p.chunks) for p in kept.values()]
        assert [(path, count, written) for path, count, written, _ in read] == \
            [(path, count, written) for path, (count, written) in expected.items()]
        assert any(written is not None for _, _, written, _ in read) and any(w is None for _, _, w, _ in read)
        assert all(chunks == [("work", 10 * count, count)] for _, count, _, chunks in read)
        # the load asks for every file in order: the kept ones come back, the others do not
        popped = [kept.pop(path) for path in files]
        assert [p.result.path for p in popped if p is not None] == list(expected)
        assert [path for path, p in zip(files, popped) if p is None] == [p for n, p in enumerate(files) if n % 5 == 3]
        assert kept.pop(files[0]) is None  # (done: nothing comes back twice)
        assert [p.result.path for p in kept.values()] == list(expected)  # (another reader from the start)
    finally:
        work.close()
    assert not (tmp_path / "state").exists() or not any((tmp_path / "state").iterdir())


def test_kept_files_compared_in_memory_keep_their_own_written(tmp_path):
    files = [tmp_path / "a.csv", tmp_path / "b.csv"]
    work = ParsedFiles(tmp_path / "state")
    try:
        kept = KeptFiles(work, files)
        kept.add(0, _parsed(files[0], 3, written=b"\x01\x00\x01"))
        kept.add(1, _parsed(files[1], 2))
        assert [(p.result.path, p.written) for p in kept.values()] == [(files[0], b"\x01\x00\x01"), (files[1], None)]
    finally:
        work.close()


def test_a_final_result_is_held_as_a_few_numbers_unless_it_has_more_to_say():
    report = IngestReport()
    plain, failed, rejecting, alone = (FileResult(Path(f"{n}.csv"), "listing") for n in range(4))
    for result in (plain, failed, rejecting, alone):
        report.files.append(result)
    plain.records, plain.seconds = 12, 0.5  # (changed until done)
    failed.error = "3.csv: bad"
    rejecting.records, rejecting.rejects = 4, [Reject("2.csv:3", "a reason")]
    replaced = FileResult(alone.path, "association", 7, counts=WriteCounts())
    report.files[-1] = replaced
    for result in (plain, failed, rejecting, replaced):
        report.done(result, None)
    assert report.files.held() == [failed, rejecting, replaced]  # (the plain one is numbers now)
    got = list(report.files)
    assert got[0] == FileResult(Path("0.csv"), "listing", 12, seconds=0.5) and got[0] is not plain
    assert got[1:] == [failed, rejecting, replaced] and report.files[-1] is replaced
    assert len(report.files) == 4 and report.records == 12 + 4 + 7
    assert report.failed == [failed] and [str(r) for r in report.rejects] == ["2.csv:3: a reason"]


def test_results_not_yet_done_are_held_as_they_are():
    results = FileResults()
    pending = FileResult(Path("a.csv"), "pool")
    results.append(pending)
    pending.records = 3
    assert results[0] is pending and results.records() == 3 and results.held() == [pending]
