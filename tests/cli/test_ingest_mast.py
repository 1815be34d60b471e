"""`mastgraph ingest mast --program N` when the fetch goes wrong: a bad program number is a usage error
before anything is asked or written; a fetch that fails or is stopped by Ctrl-C says so in one line
and leaves nothing of itself in the state folder (astroquery writes each download in place, so a
cut one looked whole there); a rerun fetches again and finishes; a load that fails after the fetch
names the folder the files stay in and the command that loads them without fetching again. On
recorded MAST answers (a dry run, or a Neo4j that does not answer: none is reached)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer import rich_utils
from typer.testing import CliRunner

from mastgraph.cli import _entry
from mastgraph.cli.main import app
from mastgraph.loaders import mast

from ..loaders.test_mast import FakeMast, Observations


@pytest.fixture
def home(monkeypatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("MASTGRAPH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # (none is reached: a dry run, or refused before)
    monkeypatch.setattr(rich_utils, "rich_format_error", rich_utils.rich_format_error)  # (restored after)
    _entry._one_line_usage_errors()
    return tmp_path / "home"


def run(*args: str):
    return CliRunner().invoke(app, ["ingest", "mast", *args])


def fetched(home: Path) -> list[Path]:
    return sorted(home.glob("mast-*"))


@pytest.mark.parametrize("program", ["abc", "-1", "99999999", "²", "2733.5"])
def test_a_bad_program_number_is_a_usage_error_before_anything(home, program):
    result = run("--program", "1410", "--program", program)
    assert result.exit_code == 2, result.output
    assert result.output == (f"error: Invalid value for '--program': proposal id {program!r} is not a JWST program "
                             "number: give at most 5 digits, e.g. 2733 (see mastgraph ingest --help)\n")
    assert fetched(home) == []  # (it made a folder for each attempt, then refused the number)


def test_a_failed_download_leaves_nothing_and_a_rerun_finishes(home, monkeypatch):
    fake = FakeMast("01410", monkeypatch)
    monkeypatch.setattr(mast.fetch_program, "__kwdefaults__", {**mast.fetch_program.__kwdefaults__, "subgroups": ("UNCAL",)})
    fake.status = "ERROR"
    result = run("--program", "1410", "--dry-run")
    assert result.exit_code == 1
    [error] = errors(result.output)
    assert error.startswith("error: 3 of 3 downloads failed, first: ") and error.endswith(
        "/jw01410001001_02101_00001_guider1_uncal.fits: ERROR HTTP 503; nothing was loaded"), error
    assert fetched(home) == []  # (the tables fetched before the downloads went with it)

    fake.status = "COMPLETE"
    again = run("--program", "1410", "--dry-run")
    [folder] = fetched(home)
    assert sorted(p.name for p in folder.iterdir()) == [
        "jw01410001001_02101_00001_guider1_uncal.fits", "jw01410003001_02101_00001_guider1_uncal.fits",
        "jw01410014001_02101_00001_guider1_uncal.fits", "jw01410_observations.ecsv", "jw01410_products.ecsv"]
    # (the recorded downloads are not FITS files: refused by the load, as they should be; the tables load)
    assert again.exit_code == 1 and "parsed 2 of 5 files" in again.output, again.output


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def test_ctrl_c_mid_download_leaves_no_cut_file_and_a_rerun_finishes(home, monkeypatch):
    fake = FakeMast("01039", monkeypatch)
    monkeypatch.setattr(mast.fetch_program, "__kwdefaults__", {**mast.fetch_program.__kwdefaults__, "subgroups": ("X1D",)})

    def cut(products, *, download_dir, **kwargs):  # (half the file written in place, then Ctrl-C)
        (Path(download_dir) / str(products[0]["productFilename"])).write_bytes(b"SIMPLE  =  T" * 100)
        raise KeyboardInterrupt

    monkeypatch.setattr(Observations, "download_products", cut)
    result = run("--program", "1039", "--dry-run")
    assert result.exit_code == 130
    assert errors(result.output) == ["error: interrupted while fetching from MAST; nothing was loaded"]
    assert fetched(home) == [] and not list(home.rglob("*x1d.fits"))

    monkeypatch.setattr(Observations, "download_products", fake.download_products)
    again = run("--program", "1039", "--dry-run")
    assert again.exit_code == 1  # (the recorded download is not a FITS file: refused by the load, as it should be)
    [folder] = fetched(home)
    assert (folder / "jw01039-o004_t001_miri_ch3-long_x1d.fits").stat().st_size == 190080
    assert "parsed 2 of 3 files" in again.output


def test_a_state_folder_where_nothing_can_be_made_is_one_line(home, monkeypatch):
    FakeMast("01410", monkeypatch)
    home.parent.mkdir(parents=True, exist_ok=True)
    home.write_text("a file, not a folder\n")
    result = run("--program", "1410", "--dry-run")
    assert result.exit_code == 1
    assert result.output.startswith(f"error: cannot make a folder for the MAST files in the state folder {home} ("), \
        result.output
    assert len(result.output.splitlines()) == 1


def kept(folder: Path) -> str:
    return (f"error: the files fetched from MAST stay in {folder}: `mastgraph ingest {folder}` loads them "
            "without fetching again")


def test_a_load_that_fails_after_the_fetch_names_the_folder_to_load_again(home, monkeypatch):
    fake = FakeMast("01410", monkeypatch)
    monkeypatch.setattr(mast.fetch_program, "__kwdefaults__", {**mast.fetch_program.__kwdefaults__, "subgroups": ("UNCAL",)})
    result = run("--program", "1410", "--dry-run")
    [folder] = fetched(home)
    assert result.exit_code == 1
    *refused, last = errors(result.output)  # (the recorded downloads are not FITS files: the load refuses them)
    assert len(refused) == 3 and all(line.startswith(f"error: {folder}/jw01410") for line in refused), refused
    assert last == kept(folder)

    # the command it names loads the same files, MAST not asked again, no folder added
    asked = len(fake.criteria)
    again = CliRunner().invoke(app, ["ingest", str(folder), "--dry-run"])
    assert again.exit_code == 1 and "parsed 2 of 5 files" in again.output, again.output
    assert len(fake.criteria) == asked and fetched(home) == [folder]
    assert "fetched from MAST" not in again.output  # (a folder named on the command line is the user's own)


def test_a_database_that_does_not_answer_after_the_fetch_names_the_folder(home, monkeypatch):
    FakeMast("01410", monkeypatch)
    monkeypatch.setattr(mast.fetch_program, "__kwdefaults__", {**mast.fetch_program.__kwdefaults__, "subgroups": ("UNCAL",)})
    monkeypatch.setenv("NEO4J_PASSWORD", "unused")
    result = run("--program", "1410")  # (NEO4J_URI: a port where nothing listens)
    [folder] = fetched(home)
    assert result.exit_code == 1
    [cause, last] = errors(result.output)
    assert "127.0.0.1:1" in cause, cause
    assert last == kept(folder)
