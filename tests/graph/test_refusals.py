"""Damaged real files against a real Neo4j: each is refused whole and the graph is unchanged."""

from __future__ import annotations

from mastgraph.pipeline.ingest import ingest_paths

from ..bulk.conftest import canonical_dump
from ..loaders.test_domains import API_CSV, CASES, IMAGE3


def test_every_damaged_copy_is_refused_and_leaves_the_graph_as_it_was(graph, neo4j_settings, tmp_path):
    report = ingest_paths(graph, neo4j_settings, [API_CSV, IMAGE3])
    assert not report.failed
    before = canonical_dump(graph, neo4j_settings.neo4j_database)
    damaged = []
    for index, (name, source, damage, reason) in enumerate(CASES):
        target = tmp_path / f"{index:02d}" / source.name
        target.parent.mkdir()
        damage(source, target)
        damaged.append((target, reason))
    report = ingest_paths(graph, neo4j_settings, [tmp_path])
    errors = {f.path: f.error for f in report.files}
    assert len(report.failed) == len(report.files) == len(CASES)
    for target, reason in damaged:
        assert errors[target].startswith(str(target)) and errors[target].endswith(f": {reason}")
    assert canonical_dump(graph, neo4j_settings.neo4j_database) == before


def _listing(folder, name: str, size: str):
    """The real products-API listing with the S3D product's size set to `size`."""
    from ..loaders.test_domains import cell

    target = folder / name
    cell(",", "size", size, row=0)(API_CSV, target)
    return target


def test_two_files_of_one_command_that_disagree_are_refused_before_anything_is_written(graph, neo4j_settings,
                                                                                      tmp_path):
    import pytest

    from mastgraph.pipeline.ingest import ConflictingFiles

    first, second = _listing(tmp_path, "a.csv", "370405440"), _listing(tmp_path, "b.csv", "370405441")
    with pytest.raises(ConflictingFiles) as caught:
        ingest_paths(graph, neo4j_settings, [tmp_path, IMAGE3])
    s3d = "mast:JWST/product/jw01039-o004_t001_miri_ch3-long_s3d.fits"
    assert caught.value.lines() == [
        f"{second}:2: Product {s3d}: size 370405441 conflicts with 370405440 ({first}:2)",
        "1 conflict between the files of this command (the same key with different values): nothing was written"]
    assert canonical_dump(graph, neo4j_settings.neo4j_database) == ([], [])
    # one command at a time, a later load updates as before
    assert not ingest_paths(graph, neo4j_settings, [first]).failed
    assert not ingest_paths(graph, neo4j_settings, [second]).failed
    size = graph.execute_query("MATCH (p:Product {uri: $uri}) RETURN p.size AS s", uri=s3d)[0][0]["s"]
    assert size == 370405441


def test_the_cli_names_both_files_of_a_conflict_in_one_line_each(graph, neo4j_settings, tmp_path):
    import os
    import subprocess
    import sys

    folder = tmp_path / "[mast]"  # (printed as it is: not taken for console markup)
    folder.mkdir()
    first, second = _listing(folder, "a.csv", "1"), _listing(folder, "b.csv", "2")
    env = {**os.environ, "NEO4J_URI": neo4j_settings.uri, "MASTGRAPH_HOME": str(tmp_path / "state")}
    if neo4j_settings.neo4j_password:
        env["NEO4J_PASSWORD"] = neo4j_settings.neo4j_password
    done = subprocess.run([sys.executable, "-m", "mastgraph.cli", "ingest", str(first), str(second)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith(f"error: {second}:2: ") and f"({first}:2)" in lines[0]
    assert lines[1].startswith("error: 1 conflict between the files of this command")


def test_a_dry_run_reports_the_conflicts_between_files_in_its_one_pass(tmp_path):
    import pytest

    from mastgraph.pipeline.ingest import ConflictingFiles

    first, second = _listing(tmp_path, "a.csv", "1"), _listing(tmp_path, "b.csv", "2")
    with pytest.raises(ConflictingFiles) as caught:
        ingest_paths(None, None, [first, second], dry_run=True)
    assert len(caught.value.conflicts) == 1 and caught.value.conflicts[0].startswith(f"{second}:2: ")
    assert not ingest_paths(None, None, [first], dry_run=True).failed


def test_an_association_named_again_with_other_members_in_one_command_is_refused(tmp_path):
    import json

    import pytest

    from mastgraph.pipeline.ingest import ConflictingFiles

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / IMAGE3.name, tmp_path / "b" / IMAGE3.name
    first.write_text(IMAGE3.read_text())
    doc = json.loads(IMAGE3.read_text())
    doc["products"][0]["members"].pop()  # the same association, one member fewer
    second.write_text(json.dumps(doc, indent=4))
    with pytest.raises(ConflictingFiles) as caught:
        ingest_paths(None, None, [tmp_path], dry_run=True)
    name = IMAGE3.name[: -len("_asn.json")]
    assert caught.value.conflicts == [f"{second}:16: Association {name}: 3 members differ from the 4 members of "
                                      f"{first}:16"]


def test_an_association_loaded_again_with_other_members_replaces_them_and_what_they_gave(graph, neo4j_settings,
                                                                                        tmp_path):
    """Command 1 loads the real image3 association; command 2 the same file with one member less:
    the graph is then the one a clean load of the second file makes (members and COMPOSITION)."""
    import json

    from ..conftest import empty_graph

    changed = tmp_path / "v2" / IMAGE3.name
    changed.parent.mkdir()
    doc = json.loads(IMAGE3.read_text())
    dropped = doc["products"][0]["members"].pop()["expname"]
    changed.write_text(json.dumps(doc, indent=4))
    name = IMAGE3.name[: -len("_asn.json")]

    def members_and_composition() -> tuple[int, int]:
        records, _, _ = graph.execute_query(
            "MATCH (a:Association {name: $name}) RETURN COUNT { (a)-[:HAS_MEMBER]->() } AS m, "
            "COUNT { MATCH (p:Product)-[:PRODUCED_BY]->(a) MATCH (p)-[c:COMPOSITION]->() RETURN c } AS c",
            name=name)
        return records[0]["m"], records[0]["c"]

    assert not ingest_paths(graph, neo4j_settings, [IMAGE3]).failed
    assert members_and_composition() == (4, 4)
    report = ingest_paths(graph, neo4j_settings, [changed])
    assert not report.failed and report.written.rels_deleted["HAS_MEMBER"] == 1
    assert members_and_composition() == (3, 3)
    gone = graph.execute_query("MATCH ()-[r]->(m:Product {filename: $f}) RETURN count(r) AS n", f=dropped)
    assert gone[0][0]["n"] == 0
    reloaded = canonical_dump(graph, neo4j_settings.neo4j_database)
    empty_graph(graph, neo4j_settings.neo4j_database)
    assert not ingest_paths(graph, neo4j_settings, [changed]).failed
    clean = canonical_dump(graph, neo4j_settings.neo4j_database)
    # the dropped member's Product node stays (a product does not vanish), described by the first file
    assert [line for line in reloaded[0] if line not in clean[0]] == [
        line for line in reloaded[0] if dropped in line]
    assert reloaded[1] == clean[1]
