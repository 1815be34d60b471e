"""An output file given on the command line (--rejects, --report-json, --output) that cannot be written is
refused in one line before the command's work, not with "failed unexpectedly" after it."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mastgraph.cli import common
from mastgraph.cli.main import app


def test_a_folder_is_refused(tmp_path: Path, capsys) -> None:
    with pytest.raises(typer.Exit) as stopped:
        common.check_output_file(tmp_path, "--rejects")
    assert stopped.value.exit_code == 2
    assert capsys.readouterr().err == f"error: --rejects {tmp_path}: that is a folder; give a file name\n"


def test_a_file_in_place_of_a_folder_is_refused(tmp_path: Path, capsys) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(typer.Exit):
        common.check_output_file(tmp_path / "f" / "r.json", "--report-json")
    assert "cannot write it (a part of its folder is a file)" in capsys.readouterr().err


def test_a_writable_file_is_left_as_it_was(tmp_path: Path) -> None:
    common.check_output_file(tmp_path / "new" / "r.txt", "--rejects")
    assert not (tmp_path / "new" / "r.txt").exists()
    (tmp_path / "old.txt").write_text("kept")
    common.check_output_file(tmp_path / "old.txt", "--rejects")
    assert (tmp_path / "old.txt").read_text() == "kept"


def test_ingest_refuses_a_rejects_folder_before_parsing(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    result = CliRunner().invoke(app, ["ingest", "--dry-run", "--skip-bad", "--rejects", str(tmp_path),
                                      str(tmp_path / "nothing-here")])
    assert result.exit_code == 2 and "--rejects" in result.output and "no such file" not in result.output


@pytest.mark.parametrize("command", [
    ["prov", "mast:JWST/product/jw02733-o002_t001_miri_f1130w_i2d.fits"],
    ["download-list", "jw02733-o002_t001_miri_f1130w"],
])
def test_prov_and_download_list_refuse_an_output_folder_before_reading(monkeypatch, tmp_path: Path, command) -> None:
    """Refused before Neo4j is asked (none answers at this URI), not after the read."""
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")
    monkeypatch.setenv("NEO4J_PASSWORD", "x")
    result = CliRunner().invoke(app, [*command, "--output", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: --output {tmp_path}: that is a folder; give a file name\n"
    (tmp_path / "f").write_text("x")
    result = CliRunner().invoke(app, [*command, "-o", str(tmp_path / "f" / "out.txt")])
    assert result.exit_code == 2 and "cannot write it (a part of its folder is a file)" in result.stderr
    result = CliRunner().invoke(app, [*command, "-o", str(tmp_path / "new" / "out.txt")])
    assert result.exit_code == 2 and "cannot write it (No such file or directory)" in result.stderr
    assert not (tmp_path / "new").exists()
