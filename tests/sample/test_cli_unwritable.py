"""`mastgraph sample generate --out` where nothing can be written: one line saying so."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from mastgraph.cli.main import app


def test_a_file_in_place_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("mine")
    result = CliRunner().invoke(app, ["sample", "generate", "--out", str(tmp_path / "f" / "sample")])
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"error: cannot write the sample into {tmp_path / 'f' / 'sample'}: "), result.output
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1  # (the progress bar left a blank line)
    assert (tmp_path / "f").read_text() == "mine"
