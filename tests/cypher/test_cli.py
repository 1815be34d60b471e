"""`mastgraph cypher`, `mastgraph audit` and `mastgraph prov` as a user runs them (NEO4J_URI = the test Neo4j)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from prov.model import ProvDocument

from mastgraph.cli.audit import FINDINGS_EXIT
from mastgraph.cli.cypher import library

from ..conftest import count
from .conftest import ImagingProgram


def one_line_error(result) -> str:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_list_shows_every_library_query_with_its_description(cli):
    result = cli("cypher", "--list")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for named in library():
        assert named.name in result.stdout
        assert " ".join(named.description.split())[:40] in text
    assert "schema " not in result.stdout


def test_named_query_as_json_table_and_csv(cli, imaging: ImagingProgram):
    result = cli("cypher", "lineage_up", "--param", f"uri={imaging.exposures[0].uncal}", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["product"], r["distance"]) for r in rows] == [
        (imaging.exposures[0].rate, 1), (imaging.exposures[0].cal, 2), (imaging.l3, 3)]
    assert "3 rows" in result.stderr
    table = cli("cypher", "composition_tree", "-p", f"uri={imaging.l3}")
    assert table.exit_code == 0 and "dither" in table.stdout
    as_csv = cli("cypher", "minimum_recommended_products", "-p", f"observation={imaging.obsid}", "-f", "csv")
    assert list(csv.DictReader(io.StringIO(as_csv.stdout))) == [
        {"observation": imaging.obs_id, "product": imaging.l3, "filename": imaging.l3.rsplit("/", 1)[-1],
         "level": "3", "mrp": "true", "mast_mrp": "true"}]


def test_limit_caps_rows_and_sets_the_query_limit(cli, imaging: ImagingProgram):
    result = cli("cypher", "lineage_down", "-p", f"uri={imaging.l3}", "--limit", "2", "-f", "json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 2
    assert "row cap" in result.stderr
    raw = cli("cypher", "-e", "UNWIND range(1, 10) AS i RETURN i", "--limit", "4", "-f", "json")
    assert [r["i"] for r in json.loads(raw.stdout)] == [1, 2, 3, 4]
    assert "row cap" in raw.stderr


def test_file_and_inline_queries_take_params(cli, imaging: ImagingProgram, tmp_path):
    path = tmp_path / "levels.cypher"
    path.write_text("// Products of one level in a program.\n// params: program (string), level (string)\n"
                    "MATCH (p:Product {program: $program}) WHERE p.level = $level RETURN p.uri AS uri ORDER BY uri\n")
    result = cli("cypher", str(path), "-p", f"program={imaging.program}", "-p", "level=1b", "-f", "json")
    assert result.exit_code == 0, result.output
    assert [r["uri"] for r in json.loads(result.stdout)] == sorted(e.uncal for e in imaging.all_exposures)
    inline = cli("cypher", "-e", "RETURN $xs AS xs, $n * 2 AS twice", "-p", "xs=[1,2]", "-p", "n=21", "-f", "json")
    assert json.loads(inline.stdout) == [{"xs": [1, 2], "twice": 42}]


def test_a_write_is_refused_in_one_line(cli, imaging, graph):
    before = count(graph, "MATCH (n) RETURN count(n)")
    result = cli("cypher", "-e", "CREATE (:Product {uri: 'mast:JWST/product/new.fits'})")
    assert result.exit_code == 1
    assert one_line_error(result) == "refused: this query writes (CREATE) and mastgraph runs Cypher read-only (READ access mode)"
    assert count(graph, "MATCH (n) RETURN count(n)") == before


@pytest.mark.parametrize("args,message,code", [
    ((), "give a library query name", 2),
    (("no_such_query",), "no library query named 'no_such_query'", 2),
    (("lineage_down",), "lineage_down needs --param uri=", 2),
    (("lineage_down", "-p", "uri=x", "-p", "colour=red"), "not colour", 2),
    (("lineage_down", "-p", "uri=x", "-p", "depth=abc"), "--param depth takes a whole number, 0 or more (int), not 'abc'", 2),
    (("lineage_down", "-p", "uri=x", "-p", "depth=99"), "--param depth is at most 12, not '99'", 2),
    (("lineage_down", "-p", "uri=x", "-p", "depth=abc", "--browser"), "--param depth takes a whole number", 2),
    (("-e", "RETURN $x", "-p", "x=1", "-p", "x=2"), "--param x is given twice", 2),
    (("-e", "MATCH (n RETURN n"), "Cypher syntax error", 1),
    (("missing.cypher",), "no such Cypher file", 2),
    (("-e", "RETURN 1", "lineage_down"), "one of them", 2),
])
def test_bad_input_gets_one_line(cli, args, message, code, graph):
    result = cli("cypher", *args)
    assert result.exit_code == code
    assert message in one_line_error(result)


def test_audit_of_a_clean_graph(cli, imaging):
    clean = cli("audit", "--strict")
    assert clean.exit_code == 0, clean.output
    assert "no findings" in clean.stdout


def test_audit_strict_and_json(cli, planted):
    program, problems = planted
    table = cli("audit")
    assert table.exit_code == 0, table.output
    assert "lineage cycles" in table.stdout and "orphan_products" in table.stdout
    assert all(uri in table.stdout for uri in problems.orphan_products | problems.unlisted_members)
    strict = cli("audit", "--strict", "--format", "json", "--program", str(int(program.program)))
    assert strict.exit_code == FINDINGS_EXIT
    report = json.loads(strict.stdout)
    assert report["program"] == program.program and not report["clean"]
    counts = {f["check"]: f["count"] for f in report["findings"]}
    assert counts["cycles"] == len(problems.cycles) and counts["orphan_products"] == len(problems.orphan_products)
    other = cli("audit", "--strict", "--program", "9999")
    assert other.exit_code == 0
    bad = cli("audit", "--program", "jw02733")
    assert bad.exit_code == 2 and "bad program" in one_line_error(bad)


def test_prov_command(cli, imaging: ImagingProgram, tmp_path):
    result = cli("prov", imaging.l3, "--format", "provn", "--depth", "2")
    assert result.exit_code == 0, result.output
    doc = ProvDocument.deserialize(content=result.stdout, format="provn")
    entities = {str(r.identifier) for r in doc.get_records() if r.is_element()}
    assert "jwst:" + imaging.l3.rsplit("/", 1)[-1] in entities
    out = tmp_path / "l3.json"
    written = cli("prov", imaging.l3, "-o", str(out))
    assert written.exit_code == 0 and ProvDocument.deserialize(out, format="json") is not None
    missing = cli("prov", "mast:JWST/product/none.fits")
    assert missing.exit_code == 1 and "no product with URI" in one_line_error(missing)
    deep = cli("prov", imaging.l3, "--depth", "99")
    assert deep.exit_code == 2 and "depth must be between 0 and" in one_line_error(deep)


def test_a_table_shows_each_value_whole_however_narrow_the_terminal(cli, imaging: ImagingProgram, monkeypatch):
    """Into a file or a pipe rich takes 80 columns (here 60), and cut the URIs to `mast:JWST/produ…`."""
    monkeypatch.setenv("COLUMNS", "60")
    result = cli("cypher", "composition_tree", "-p", f"uri={imaging.l3}")
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    for exposure in imaging.exposures:
        line = next(line for line in result.stdout.splitlines() if exposure.cal in line)
        assert exposure.rate in line and exposure.uncal in line and "dither" in line


def test_an_empty_download_list_says_why_on_stderr(cli, imaging: ImagingProgram):
    """A raw exposure's upstream view holds no MRP: stdout is the (empty) list, stderr says why."""
    empty = cli("download-list", imaging.exposures[0].uncal)
    assert empty.exit_code == 0 and empty.stdout == ""
    assert empty.stderr == ("no files in this view among its Minimum Recommended Products; --all lists every file "
                            "of the view\n")
    whole = cli("download-list", imaging.exposures[0].uncal, "--all")
    assert whole.exit_code == 0 and whole.stderr == ""
    assert whole.stdout.splitlines() == [imaging.exposures[0].uncal, imaging.guide_star]  # (its guide star: LINKED)
    filtered = cli("download-list", imaging.exposures[0].uncal, "--all", "--level", "3", "-f", "csv")
    assert filtered.stdout.startswith("uri,filename,") and len(filtered.stdout.splitlines()) == 1
    assert filtered.stderr == "no files in this view that pass --level, --product-type and --suffix\n"


def test_prov_and_download_list_notes_are_one_line_each(cli, imaging: ImagingProgram, monkeypatch, tmp_path):
    """A cut document or list warns in one line however narrow the console (rich wrapped it at 80
    columns), and the file written is named as given (`[bold]` in it was taken for markup)."""
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setenv("MASTGRAPH_MAX_LINEAGE_NODES", "1")
    out = tmp_path / "[bold]l3.provn"
    prov = cli("prov", imaging.l3, "-f", "provn", "-o", str(out))
    assert prov.exit_code == 0, prov.output
    assert prov.stderr.splitlines() == [
        "warning: more than 1 products in reach; the document holds the nearest ones (lower --depth, or raise "
        "MASTGRAPH_MAX_LINEAGE_NODES)",
        f"wrote {out} (1 products, PROV-PROVN)"]
    listed = cli("download-list", imaging.l3, "--all")
    assert listed.exit_code == 0 and listed.stdout.splitlines() == [imaging.l3]
    assert listed.stderr.splitlines() == [
        "warning: more than MASTGRAPH_MAX_LINEAGE_NODES (1) products in the view; the list holds 1 of them"]
