"""The importer CSV writer on its own: exact cells, residuals, headers, the column census."""

from __future__ import annotations

import math
from collections import Counter

from mastgraph.graph.bulk_format import ARRAY_DELIMITER as D, Census, Columns, RowWriter, edge_header, node_header


def _write(tmp_path, columns: Columns, rows: list[tuple[list, dict]], extras: tuple[str, ...] = ()):
    writer = RowWriter(tmp_path / "data.csv", 1, columns, tail=(f"Product{D}L2b",), extras=extras)
    residuals = [writer.add(lead, props) for lead, props in rows]
    writer.close()
    return (tmp_path / "data.csv").read_text(), residuals, writer


def test_cells_are_exact(tmp_path):
    columns = Columns(("a", "b", "c", "d", "e"), ("string", "long", "double", "boolean", "string[]"))
    text, residuals, writer = _write(tmp_path, columns, [
        (["k1"], {"a": "", "b": 3, "c": 0.1, "d": False, "e": ["x", "", 'q"t']}),
        (["k,2"], {"c": math.nan, "d": True}),
        (["k3"], {"a": 'say "hi", then go', "c": -math.inf}),
    ])
    assert text.splitlines() == [
        f'"k1","",3,0.1,"false","x{D}{D}q""t","Product{D}L2b"',  # "" is an empty string ...
        f'"k,2",,,"NaN","true",,"Product{D}L2b"',  # ... an empty cell is no value
        f'"k3","say ""hi"", then go",,"-Infinity",,,"Product{D}L2b"',
    ]
    assert residuals == [None, None, None]
    assert writer.rows_written == 3 and not writer.multiline


def test_values_the_csv_cannot_hold_become_residuals(tmp_path):
    columns = Columns(("n", "tags", "xs"), ("long", "string[]", "double[]"))
    text, residuals, _ = _write(tmp_path, columns, [
        (["k1"], {"n": "seven", "tags": [], "xs": [1.0, 2]}),
        (["k2"], {"tags": [""], "xs": [1.0, math.inf]}),
        (["k3"], {"tags": [f"a{D}b"], "n": True, "odd name": 1}),
    ], extras=("odd name",))
    assert residuals == [[("n", "seven"), ("tags", []), ("xs", [1.0, 2])], [("tags", [""])],
                         [("n", True), ("tags", [f"a{D}b"]), ("odd name", 1)]]
    assert text.splitlines()[1] == f'"k2",,,"1.0{D}Infinity","Product{D}L2b"'


def test_line_breaks_mark_the_file_multiline(tmp_path):
    _, _, writer = _write(tmp_path, Columns(("a",), ("string",)), [(["k"], {"a": "one\ntwo"})])
    assert writer.multiline
    _, _, writer = _write(tmp_path, Columns(("a",), ("string",)), [(["k"], {"a": "one\rtwo"})])
    assert writer.multiline


def test_census_picks_each_property_type_by_majority():
    census = Census()
    census.add_shape("Product", ("size", "t_min"), (int, float), 10)
    census.add_shape("Product", ("size", "bad name"), (str, str), 2)
    other = Census()
    other.add_list("EngineeringSeries", "values", [1.0, 2.0])
    other.add_list("EngineeringSeries", "values", ["on"])
    other.add_list("EngineeringSeries", "values", [3.0])
    census.update(other)
    columns = census.columns()
    assert columns["Product"] == [("size", "long"), ("t_min", "double")]
    assert columns["EngineeringSeries"] == [("values", "double[]")]
    assert census.types[("Product", "size")] == Counter({"long": 10, "string": 2})


def test_headers():
    columns = Columns(("size", "tags"), ("long", "string[]"))
    assert node_header("Product", "uri", columns) == "uri:ID(Product),size:long,tags:string[],:LABEL\n"
    assert edge_header("Association", "Product", Columns(("product",), ("string",))) == \
        ":START_ID(Association),:END_ID(Product),:TYPE,product:string\n"


def test_the_importer_is_given_absolute_paths(tmp_path, monkeypatch):
    """The importer runs in the Neo4j home, so a work folder given relative to the caller's
    directory (the bench's `.mastgraph/bench/...`) must reach it as an absolute path."""
    from pathlib import Path

    from mastgraph.graph.bulk_import import ImportGroup, import_command
    from mastgraph.graph.server import LocalNeo4j
    from mastgraph.graph.settings import Settings

    monkeypatch.chdir(tmp_path)
    local = LocalNeo4j(Settings(neo4j_uri=None, home=tmp_path / "state"))
    java = type("Java", (), {"path": Path("/usr/bin/java")})()
    monkeypatch.setattr("mastgraph.graph.bulk_import.find_java", lambda env: java)
    groups = [ImportGroup("nodes", Path("work/csv/g0-header.csv"), r"work/csv/g0\.csv")]
    command = import_command(local, "neo4j", groups, [Path("work/csv/g0.csv")], Path("work/report.txt"),
                             heap="1g", memory=None, threads=None)
    assert f"--nodes={tmp_path}/work/csv/g0-header.csv,{tmp_path}/work/csv/g0\\.csv" in command
    assert f"--report-file={tmp_path}/work/report.txt" in command
    assert f"--multiline-fields={tmp_path}/work/csv/g0.csv" in command
