"""The online ingest end to end: real files, bad input, --skip-bad, idempotence, the CLI's one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mastgraph.pipeline.ingest import ingest_paths

from ..conftest import count

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real"
HEADER = ("obsID,obs_collection,dataproduct_type,obs_id,description,type,dataURI,productType,"
          "productGroupDescription,productSubGroupDescription,productDocumentationURL,project,prvversion,"
          "proposal_id,productFilename,size,parent_obsid,dataRights,calib_level")
EXP = "jw02733002001_02103_00001_mirimage"


def row(name: str, size: str = "100", obsid: str = "9001", parent: str = "9001", mrp: str = "", ptype: str = "SCIENCE",
        obs_id: str = EXP, level: str = "2") -> str:
    return (f"{obsid},JWST,image,{obs_id},desc,S,mast:JWST/product/{name},{ptype},{mrp},"
            f"{name.rsplit('_', 1)[1].split('.')[0].upper()},,CALJWST,1.14,2733,{name},{size},{parent},PUBLIC,{level}")


def write_listing(folder: Path, name: str, rows: list[str]) -> Path:
    path = folder / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def graph_counts(drv) -> tuple[int, int]:
    return (count(drv, "MATCH (n) RETURN count(n)"), count(drv, "MATCH ()-[r]->() RETURN count(r)"))


def test_real_association_files_load_to_exactly_their_member_edges(graph, neo4j_settings):
    report = ingest_paths(graph, neo4j_settings, [REAL / "asn" / "jw09505"])
    assert not report.failed
    members = 0
    for path in sorted((REAL / "asn" / "jw09505").glob("*.json")):
        asn = json.loads(path.read_text())
        name = path.name[: -len("_asn.json")]
        expected = {(p["name"], m["expname"], m["exptype"]) for p in asn["products"] for m in p["members"]}
        records, _, _ = graph.execute_query(
            "MATCH (:Association {name: $name})-[r:HAS_MEMBER]->(m:Product) RETURN r.product AS p, m.filename AS f, r.exptype AS e",
            name=name)
        assert {(r["p"], r["f"], r["e"]) for r in records} == expected
        members += len(expected)
    assert count(graph, "MATCH (:Association)-[r:HAS_MEMBER]->() RETURN count(r)") == members
    # image3: the L3 product is composed of exactly its four science members, each down to its raw exposure
    records, _, _ = graph.execute_query(
        "MATCH (:Product {filename: 'jw09505-o001_t001_miri_f560w_i2d.fits'})-[:COMPOSITION]->(m) RETURN m.filename AS f")
    asn3 = json.loads((REAL / "asn/jw09505/jw09505-o001_20251216t202003_image3_00001_asn.json").read_text())
    assert {r["f"] for r in records} == {m["expname"] for m in asn3["products"][0]["members"]}
    # image2: each cal output -> its rate member; spec2 WFSS: the direct image, catalog and segmap are inputs
    assert count(graph, "MATCH (:L2b {suffix: 'cal'})-[:ANTECEDENT]->(:L2a {suffix: 'rate'}) RETURN count(*)") == 8
    assert count(graph, "MATCH (:L2b)-[r:ANTECEDENT {exptype: 'direct_image'}]->(:L3 {suffix: 'i2d'}) RETURN count(r)") == 4


def test_reloading_changes_nothing(graph, neo4j_settings):
    ingest_paths(graph, neo4j_settings, [REAL])
    first = graph_counts(graph)
    props_first = count(graph, "MATCH (n) RETURN sum(size(keys(n)))")
    report = ingest_paths(graph, neo4j_settings, [REAL])
    assert not report.failed
    written, derived = report.totals()
    assert written.total_nodes_created == 0 and written.total_rels_created == 0
    assert derived.total_rels_created == 0
    assert graph_counts(graph) == first
    assert count(graph, "MATCH (n) RETURN sum(size(keys(n)))") == props_first


@pytest.mark.parametrize("bad_row, reason", [
    (row(f"{EXP}_cal.fits", size="12kB"), "size"),
    (row(f"{EXP}_calx.fits"), "unknown suffix"),
    (row("jw2733_bad_name_cal.fits"), "naming rule"),
    (row(f"{EXP}_rate.fits", size="999"), "conflicts with"),
])
def test_bad_row_fails_the_whole_file(graph, neo4j_settings, tmp_path, bad_row, reason):
    good = [row(f"{EXP}_rate.fits"), row(f"{EXP}_uncal.fits", level="1")]
    path = write_listing(tmp_path, "listing.csv", good + [bad_row])
    report = ingest_paths(graph, neo4j_settings, [path])
    assert len(report.failed) == 1
    error = report.failed[0].error
    assert error.startswith(f"{path}:4: ") and reason in error and "\n" not in error
    assert graph_counts(graph) == (0, 0), "nothing of a bad file may be written"


def test_skip_bad_loads_the_good_rows(graph, neo4j_settings, tmp_path):
    path = write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits"), row(f"{EXP}_cal.fits", size="x"),
                                                   row(f"{EXP}_uncal.fits", level="1")])
    report = ingest_paths(graph, neo4j_settings, [path], skip_bad=True)
    assert not report.failed
    assert [str(r).split(": ")[0] for r in report.rejects] == [f"{path}:3"]
    assert count(graph, "MATCH (p:Product) RETURN count(p)") == 2
    assert count(graph, "MATCH (:L2a)-[:ANTECEDENT]->(:L1b) RETURN count(*)") == 1


def test_bad_json_is_one_line_and_other_files_still_load(graph, neo4j_settings, tmp_path):
    bad = tmp_path / "jw02733-o002_20240101t000000_image2_00001_asn.json"
    bad.write_text('{"asn_type": "image2",\n "products": [\n')
    shutil.copy(REAL / "asn/jw09505/jw09505-o001_20251216t202003_image3_00001_asn.json", tmp_path)
    report = ingest_paths(graph, neo4j_settings, [tmp_path])
    assert [f.path.name for f in report.failed] == [bad.name]
    assert report.failed[0].error.startswith(str(bad)) and "\n" not in report.failed[0].error
    assert count(graph, "MATCH (a:Association) RETURN count(a)") == 1


def _cli(args: list[str], settings, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEO4J_URI": settings.uri, "MASTGRAPH_HOME": str(tmp_path / "home")}
    return subprocess.run([sys.executable, "-m", "mastgraph.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_cli_bad_file_gives_one_line_and_exit_code(graph, neo4j_settings, tmp_path):
    path = write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits"), row(f"{EXP}_cal.fits", size="x")])
    proc = _cli(["ingest", str(path)], neo4j_settings, tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and f"{path}:3:" in errors[0] and "size" in errors[0]
    assert graph_counts(graph) == (0, 0)


def test_cli_skip_bad_writes_a_rejects_report(graph, neo4j_settings, tmp_path):
    path = write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits"), row(f"{EXP}_cal.fits", size="x")])
    rejects = tmp_path / "rejects.txt"
    proc = _cli(["ingest", "--skip-bad", "--rejects", str(rejects), str(path)], neo4j_settings, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert rejects.read_text().startswith(f"{path}:3: ")
    assert count(graph, "MATCH (p:Product) RETURN count(p)") == 1


def test_cli_rejects_report_of_a_file_whose_name_is_not_utf8(graph, neo4j_settings, tmp_path):
    """The report holds the file's name as its bytes (the path the user can open), not a traceback."""
    path = write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits"), row(f"{EXP}_cal.fits", size="x")])
    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/list\xffing.csv"))
    path.rename(odd)
    rejects = tmp_path / "rejects.txt"
    proc = _cli(["ingest", "--dry-run", "--skip-bad", "--rejects", str(rejects), str(tmp_path)], neo4j_settings,
                tmp_path)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert rejects.read_bytes().startswith(os.fsencode(tmp_path) + b"/list\xffing.csv:3: size ")


def test_cli_file_name_with_a_line_break_stays_one_line(neo4j_settings, tmp_path):
    """A file whose name holds a line break: its errors, its rejects (ingest's and the bulk build's,
    whose workers hand theirs on as lines) are each one line, the break shown as ``\\n``."""
    folder = tmp_path / "in"
    folder.mkdir()
    path = write_listing(folder, "bad\nname.csv", [row(f"{EXP}_rate.fits"), row(f"{EXP}_cal.fits", size="x")])
    shown = f"{folder}/bad\\nname.csv:3: size "
    for command in (["ingest", "--dry-run"], ["build", "--dry-run"]):
        proc = _cli([*command, str(folder)], neo4j_settings, tmp_path)
        errors = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 1 and errors[0].startswith(f"error: {shown}"), proc.stderr
        assert len(errors) == (1 if command[0] == "ingest" else 2)  # (the build's last line: how many files failed)
        rejects = tmp_path / "rejects.txt"
        proc = _cli([*command, "--skip-bad", str(folder)] + (["--rejects", str(rejects)] if command[0] == "ingest"
                                                            else []), neo4j_settings, tmp_path)
        assert proc.returncode == 0 and "Traceback" not in proc.stderr + proc.stdout, proc.stderr
        report = rejects if command[0] == "ingest" else max((tmp_path / "home").glob("rejects-*.txt"))
        assert report.read_text().splitlines() == [f"{shown}'x' is not an integer"]


def test_cli_dry_run_writes_nothing(graph, neo4j_settings, tmp_path):
    proc = _cli(["ingest", "--dry-run", str(REAL / "asn")], neo4j_settings, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "parsed 22 of 22 files" in proc.stdout
    assert graph_counts(graph) == (0, 0)
