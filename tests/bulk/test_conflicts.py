"""Two files of one build that give one key different values (one product with two sizes; one
association file name with different members) stop `mastgraph build` before the import, with the
lines `mastgraph ingest` prints for the same files, wherever the two files' records meet: in one
parse worker's run of files, or in a partition's merge (tests/graph/test_refusals.py: the online side)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mastgraph.graph import db
from mastgraph.graph.settings import Settings
from mastgraph.pipeline import bulk
from mastgraph.pipeline.bulk import BuildOptions, BulkError, build
from mastgraph.pipeline.bulk_conflicts import origin_code, origin_text
from mastgraph.pipeline.bulk_files import iter_files
from mastgraph.pipeline.ingest import ConflictingFiles, ingest_paths

from ..loaders.test_domains import API_CSV, IMAGE3, cell
from .conftest import canonical_dump

S3D = "mast:JWST/product/jw01039-o004_t001_miri_ch3-long_s3d.fits"


def conflicting_files(folder: Path) -> list[Path]:
    """The real products-API listing twice, its S3D product's size changed in the second; the real
    image3 association twice, one member fewer in the second."""
    folder.mkdir(parents=True, exist_ok=True)
    first, second = folder / "a.csv", folder / "b.csv"
    cell(",", "size", "370405440", row=0)(API_CSV, first)
    cell(",", "size", "370405441", row=0)(API_CSV, second)
    (folder / "x").mkdir()
    (folder / "y").mkdir()
    (folder / "x" / IMAGE3.name).write_text(IMAGE3.read_text())
    doc = json.loads(IMAGE3.read_text())
    doc["products"][0]["members"].pop()
    (folder / "y" / IMAGE3.name).write_text(json.dumps(doc, indent=4))
    return [first, second, folder / "x" / IMAGE3.name, folder / "y" / IMAGE3.name]


def ingest_lines(folder: Path, skip_bad: bool = False) -> list[str]:
    with pytest.raises(ConflictingFiles) as caught:
        ingest_paths(None, None, [folder], dry_run=True, skip_bad=skip_bad)
    return caught.value.lines()


def one_file_a_task(paths, estimated, workers):
    """Each file a task of its own: no two files are combined in one parse worker, so their records
    meet only in the merge of their partition."""
    return ([(index, str(path))] for index, path in enumerate(iter_files(paths)))


@pytest.mark.parametrize("workers, partitions, tasks", [
    (1, 1, "runs"),  # one run of files: the parse worker's combining finds them
    (1, 5, "files"),  # one file a task: the merge of each partition finds them
    (2, 3, "files"),  # and with worker processes, the files parsed by different workers
])
def test_the_build_refuses_what_ingest_refuses_wherever_the_records_meet(tmp_path, monkeypatch, workers,
                                                                          partitions, tasks):
    folder = tmp_path / "in"
    first, second, asn_first, asn_second = conflicting_files(folder)
    expected = ingest_lines(folder)
    assert expected == [
        f"{second}:2: Product {S3D}: size 370405441 conflicts with 370405440 ({first}:2)",
        f"{asn_second}:16: Association {IMAGE3.name[:-len('_asn.json')]}: 3 members differ from the 4 members of "
        f"{asn_first}:16",
        "2 conflicts between the files of this command (the same key with different values): nothing was written"]
    if tasks == "files":
        monkeypatch.setattr(bulk, "file_tasks", one_file_a_task)
    settings = Settings(neo4j_uri=None, home=tmp_path / "state")
    with pytest.raises(BulkError) as caught:
        build(settings, [folder], BuildOptions(dry_run=True, workers=workers, partitions=partitions))
    assert [*caught.value.lines, str(caught.value)] == expected


def test_skip_bad_does_not_pass_a_conflict_between_files(tmp_path):
    """As `mastgraph ingest --skip-bad`: bad rows are skipped, files that disagree still refused."""
    folder = tmp_path / "in"
    conflicting_files(folder)
    with pytest.raises(BulkError) as caught:
        build(Settings(neo4j_uri=None, home=tmp_path / "state"), [folder], BuildOptions(dry_run=True, skip_bad=True))
    assert [*caught.value.lines, str(caught.value)] == ingest_lines(folder, skip_bad=True)


def test_files_that_agree_pass(tmp_path, monkeypatch):
    """The same listing and association in two folders, a third listing naming the same product
    with the same values: no conflict, however the files meet."""
    folder = tmp_path / "in"
    for name in ("x", "y"):
        (folder / name).mkdir(parents=True)
        (folder / name / IMAGE3.name).write_text(IMAGE3.read_text())
        (folder / name / API_CSV.name).write_bytes(API_CSV.read_bytes())
    cell(",", "size", "370405440", row=0)(API_CSV, folder / "z.csv")
    assert not ingest_paths(None, None, [folder], dry_run=True).failed
    monkeypatch.setattr(bulk, "file_tasks", one_file_a_task)
    report = build(Settings(neo4j_uri=None, home=tmp_path / "state"), [folder],
                   BuildOptions(dry_run=True, workers=1, partitions=3))
    assert report.files == 5 and report.nodes


def test_the_cli_refuses_before_the_import_and_says_what_ingest_says(bulk_settings, tmp_path):
    folder = tmp_path / "in"
    conflicting_files(folder)
    with db.connect(bulk_settings) as drv:
        drv.execute_query("MERGE (:Program {program: '09997'})")
        before = canonical_dump(drv)
    logs = set(Path(bulk_settings.home).glob("import-*.log"))
    env = {**os.environ, "MASTGRAPH_HOME": str(bulk_settings.home), "MASTGRAPH_BOLT_PORT": str(bulk_settings.bolt_port),
           "COLUMNS": "400"}
    env.pop("NEO4J_URI", None)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "mastgraph.cli", *args], capture_output=True, text=True, env=env,
                              timeout=600)

    built, ingested = run("build", "--force", str(folder)), run("ingest", "--dry-run", str(folder))
    assert built.returncode == ingested.returncode == 1
    assert "Traceback" not in built.stderr + built.stdout
    lines = built.stderr.strip().splitlines()
    assert lines == ingested.stderr.strip().splitlines() and len(lines) == 3
    assert lines[0].startswith(f"error: {folder / 'b.csv'}:2: ") and f"({folder / 'a.csv'}:2)" in lines[0]
    assert set(Path(bulk_settings.home).glob("import-*.log")) == logs, "the importer ran"
    with db.connect(bulk_settings) as drv:
        assert canonical_dump(drv) == before


@pytest.mark.parametrize("origin", ["/data/a.csv:12", "/data/a.csv", "/data/a.csv:row 3", "/elsewhere/b.csv:4",
                                    "/data/a.csv:99999999999"])
def test_an_origin_is_carried_as_its_file_index_and_line(origin):
    code = origin_code(origin, 7, "/data/a.csv")
    assert origin_text(code, {7: "/data/a.csv"}) == origin
    if origin in ("/data/a.csv:12", "/data/a.csv"):
        assert type(code) is int
