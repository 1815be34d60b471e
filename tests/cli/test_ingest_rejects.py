"""`ingest --rejects FILE` names the report of the rows `--skip-bad` skips; without --skip-bad no row
is skipped and no report written, so --rejects alone is a usage error (it was silently ignored)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer import rich_utils
from typer.testing import CliRunner

from mastgraph.cli import _entry
from mastgraph.cli.main import app

from ..graph.test_ingest import EXP, row, write_listing


@pytest.fixture
def run(monkeypatch, tmp_path: Path):
    """`mastgraph ...` with its usage errors in one line, as the console script shows them."""
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # (none is reached: a dry run, or refused before)
    monkeypatch.setattr(rich_utils, "rich_format_error", rich_utils.rich_format_error)  # (restored after)
    _entry._one_line_usage_errors()
    return lambda *args: CliRunner().invoke(app, list(args))


@pytest.fixture
def listing(tmp_path: Path) -> Path:
    """A listing whose second row is bad (its size is not a number)."""
    return write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits"), row(f"{EXP}_cal.fits", size="x")])


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]], ids=["load", "dry-run"])
def test_rejects_without_skip_bad_is_a_usage_error(run, tmp_path, listing, dry_run):
    report = tmp_path / "rejects.txt"
    result = run("ingest", *dry_run, "--rejects", str(report), str(listing))
    assert (result.exit_code, result.output) == (2, "error: Invalid value for '--rejects': needs --skip-bad: without "
                                                    "it a bad row refuses its whole file and no rejects report is "
                                                    "written (see mastgraph ingest --help)\n")
    assert not report.exists() and not (tmp_path / "home").exists()


def test_rejects_with_skip_bad_is_where_the_report_goes(run, tmp_path, listing):
    report = tmp_path / "rejects.txt"
    result = run("ingest", "--dry-run", "--skip-bad", "--rejects", str(report), str(listing))
    assert result.exit_code == 0, result.output
    assert report.read_text() == f"{listing}:3: size 'x' is not an integer\n"
