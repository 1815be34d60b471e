"""An empty or blank value where none makes sense is a usage error naming the option, before any
work (`audit --program ''` audited the whole graph, `ingest ''` loaded the current folder, `serve
--host ''` was refused only by the address lookup)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer import rich_utils
from typer.testing import CliRunner

from mastgraph.cli import _entry
from mastgraph.cli.main import app


@pytest.fixture
def run(monkeypatch, tmp_path: Path):
    """`mastgraph ...` with its usage errors in one line, as the console script shows them; a Neo4j
    that cannot be reached, so that an error about it means the value was not refused first."""
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(rich_utils, "rich_format_error", rich_utils.rich_format_error)  # (restored after)
    _entry._one_line_usage_errors()
    return lambda *args: CliRunner().invoke(app, list(args))


@pytest.mark.parametrize(("args", "line"), [
    (["audit", "--program", ""], "Invalid value for '--program' / '-P': empty; leave --program out to audit "
                                 "the whole graph (see mastgraph audit --help)"),
    (["audit", "-P", "  "], "Invalid value for '--program' / '-P': empty; leave --program out to audit "
                            "the whole graph (see mastgraph audit --help)"),
    (["prov", " "], "Invalid value for 'uri': empty; give a product URI, e.g. mast:JWST/product/<file name> "
                    "(see mastgraph prov --help)"),
    (["ingest", "listing.csv", ""], "Invalid value for 'paths': empty; give a file or folder (`.` for the "
                                    "current folder) (see mastgraph ingest --help)"),
    (["ingest", "mast", "--program", "2733", "--program", ""],
     "Invalid value for '--program': empty; give a JWST program number, e.g. 2733 (see mastgraph ingest --help)"),
    (["build", "--dry-run", ""], "Invalid value for 'paths': empty; give a file or folder (`.` for the "
                                 "current folder) (see mastgraph build --help)"),
    (["serve", "--host", ""], "Invalid value for '--host': empty; give an address, e.g. 127.0.0.1 "
                              "(see mastgraph serve --help)"),
    (["demo", "--host", " "], "Invalid value for '--host': empty; give an address, e.g. 127.0.0.1 "
                              "(see mastgraph demo --help)"),
])
def test_an_empty_value_is_a_usage_error_naming_its_option(run, tmp_path, args, line):
    (tmp_path / "listing.csv").write_text("obs_id,productFilename\n")
    result = run(*args)
    assert (result.exit_code, result.output) == (2, f"error: {line}\n")
    assert not (tmp_path / "home").exists()  # (nothing made: no state folder, no MAST download folder)


def test_a_program_is_still_audited(run):
    """A program given reaches the database (here none answers)."""
    result = run("audit", "--program", "2733")
    assert result.exit_code == 1 and "is not reachable" in result.output, result.output


@pytest.mark.parametrize("statement", ["", "  \n"])
@pytest.mark.parametrize("browser", [[], ["--browser"]], ids=["run", "browser"])
def test_an_empty_cypher_statement_is_refused_before_connecting(run, statement, browser):
    result = run("cypher", "-e", statement, *browser)
    assert (result.exit_code, result.output) == (2, "error: Invalid value for '--execute' / '-e': empty; give a "
                                                    "Cypher statement, e.g. -e 'MATCH (p:Product) RETURN count(p)' "
                                                    "(see mastgraph cypher --help)\n")


@pytest.mark.parametrize("text", ["", "// a description, no statement\n\n"])
def test_a_cypher_file_without_a_statement_is_refused_before_connecting(run, tmp_path, text):
    (tmp_path / "mine.cypher").write_text(text)
    result = run("cypher", "mine.cypher")
    assert (result.exit_code, result.output) == (2, "error: mine.cypher holds no Cypher statement (nothing but "
                                                    "comments or blank lines)\n")
    comment = run("cypher", "-e", "// MATCH (n) RETURN n")
    assert (comment.exit_code, comment.output) == (2, "error: -e holds no Cypher statement (nothing but comments or "
                                                      "blank lines)\n")
