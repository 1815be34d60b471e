"""`mastgraph ingest mast --program N` when the fetch goes wrong: a bad program number is a usage error
before anything is asked or written; each program is fetched into its own folder of the state folder,
the same at every run, each file under a temporary name renamed when whole, so a fetch that fails or
is stopped by Ctrl-C says so in one line, loads nothing and keeps only whole files, and a rerun
downloads only the rest; a second command fetching the same program meanwhile is refused in one line;
a load that fails after the fetch names the folder the files stay in and the command that loads them
without fetching again; each retry of a transient fault is shown, as the settings bound them. On recorded MAST answers (a dry run, or a Neo4j that does not answer: none is
reached)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer import rich_utils
from typer.testing import CliRunner

from mastgraph.cli import _entry, ingest
from mastgraph.cli.main import app
from mastgraph.loaders import mast

from ..loaders.test_mast import FakeMast, Observations, waits  # noqa: F401 - (waits: autouse, no retry sleeps)

UNCAL = ["jw01410001001_02101_00001_guider1_uncal.fits", "jw01410003001_02101_00001_guider1_uncal.fits",
         "jw01410014001_02101_00001_guider1_uncal.fits"]
TABLES = ["jw01410_observations.ecsv", "jw01410_products.ecsv"]


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
    return sorted((home / "mast").glob("*"))


def listing(folder: Path) -> list[str]:
    """The files of a program's folder, its lock aside (nothing else hidden: no temporary file)."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".lock")


def uncal_only(monkeypatch) -> None:
    monkeypatch.setattr(mast.fetch_program, "__kwdefaults__", {**mast.fetch_program.__kwdefaults__, "subgroups": ("UNCAL",)})


@pytest.mark.parametrize("program", ["abc", "-1", "99999999", "²", "2733.5"])
def test_a_bad_program_number_is_a_usage_error_before_anything(home, program):
    result = run("--program", "1410", "--program", program)
    assert result.exit_code == 2, result.output
    assert result.output == (f"error: Invalid value for '--program': proposal id {program!r} is not a JWST program "
                             "number: give at most 5 digits, e.g. 2733 (see mastgraph ingest --help)\n")
    assert not home.exists()  # (nothing made before the number was refused)


@pytest.mark.parametrize("args,message", [
    (["ingest", "mast"], "`mastgraph ingest mast` needs --program (e.g. --program 2733)"),
    (["ingest", "some/folder", "--program", "2733"], "--program goes with `mastgraph ingest mast`"),
])
def test_program_with_the_wrong_source_is_a_usage_error(home, args, message):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and result.output == f"error: {message}\n"
    assert not home.exists()


def test_a_failed_download_keeps_the_whole_files_and_a_rerun_downloads_only_the_rest(home, monkeypatch):
    fake = FakeMast("01410", monkeypatch)
    uncal_only(monkeypatch)
    fake.failing = {UNCAL[1]: 404}
    result = run("--program", "1410", "--dry-run")
    assert result.exit_code == 1
    folder = home / "mast" / "jw01410"
    assert errors(result.output) == [
        f"error: 1 of 3 downloads failed, first: {folder}/{UNCAL[1]}: HTTPError: 404 Client Error: Not Found for url: "
        f"https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:JWST/product/{UNCAL[1]}; nothing was loaded; the 4 "
        f"whole files fetched stay in {folder}: a rerun downloads only the rest"]
    assert fake.downloads == UNCAL  # (the others were still fetched after the one that failed)
    assert listing(folder) == sorted([UNCAL[0], UNCAL[2], *TABLES])

    fake.failing = {}
    again = run("--program", "1410", "--dry-run")
    assert fake.downloads == [*UNCAL, UNCAL[1]]  # (the missing file alone)
    assert fetched(home) == [folder] and listing(folder) == sorted([*UNCAL, *TABLES])
    assert all((folder / name).stat().st_size == 100713600 for name in UNCAL)
    # (the recorded downloads are not FITS files: refused by the load, as they should be; the tables load)
    assert again.exit_code == 1 and "parsed 2 of 5 files" in again.output, again.output


def test_a_rerun_of_a_whole_fetch_downloads_only_what_is_not_whole(home, monkeypatch):
    """A file under its own name at the listed size is whole (renamed only then); one of another size
    (MAST's file changed, or it was cut since) is downloaded again."""
    fake = FakeMast("01410", monkeypatch)
    uncal_only(monkeypatch)
    assert run("--program", "1410", "--dry-run").exit_code == 1  # (the recorded downloads are no FITS files)
    assert fake.downloads == UNCAL
    folder = home / "mast" / "jw01410"
    os.truncate(folder / UNCAL[2], 100)
    again = run("--program", "01410", "--program", "1410", "--dry-run")  # (the same program twice: once)
    assert fake.downloads == [*UNCAL, UNCAL[2]] and len(fake.criteria) == 2
    assert (folder / UNCAL[2]).stat().st_size == 100713600
    assert "parsed 2 of 5 files" in again.output, again.output


def test_a_rerun_removes_what_mast_no_longer_lists_and_says_so(home, monkeypatch):
    FakeMast("01410", monkeypatch)
    folder = home / "mast" / "jw01410"
    folder.mkdir(parents=True)
    (folder / "jw01410_20220101t000000_pool.csv").write_text("of an earlier processing\n")
    result = run("--program", "1410", "--dry-run")
    assert ("removed 1 file of an earlier fetch that MAST no longer lists (jw01410_20220101t000000_pool.csv)\n"
            in result.output), result.output
    assert not (folder / "jw01410_20220101t000000_pool.csv").exists()


def errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def test_ctrl_c_mid_download_leaves_no_cut_file_and_a_rerun_finishes(home, monkeypatch):
    fake = FakeMast("01410", monkeypatch)
    uncal_only(monkeypatch)

    def cut(url, local_filepath, *, timeout, continuation, cache, head_safe, verbose):  # (astroquery's)
        if UNCAL[1] not in url:  # (the second file: half of it written, then Ctrl-C)
            return fake.download_file(url, local_filepath, timeout=timeout, continuation=continuation, cache=cache,
                                      head_safe=head_safe, verbose=verbose)
        Path(local_filepath).write_bytes(b"SIMPLE  =  T" * 100)
        raise KeyboardInterrupt

    monkeypatch.setattr(Observations, "_download_file", cut)
    result = run("--program", "1410", "--dry-run")
    assert result.exit_code == 130
    folder = home / "mast" / "jw01410"
    assert errors(result.output) == [f"error: interrupted while fetching from MAST; nothing was loaded; the 3 whole "
                                     f"files fetched stay in {folder}: a rerun downloads only the rest"]
    assert listing(folder) == sorted([UNCAL[0], *TABLES])  # (the cut one went, no temporary file stays)

    monkeypatch.setattr(Observations, "_download_file", fake.download_file)
    again = run("--program", "1410", "--dry-run")
    assert fake.downloads == [UNCAL[0], UNCAL[1], UNCAL[2]]  # (the first one not again)
    assert again.exit_code == 1 and "parsed 2 of 5 files" in again.output, again.output
    assert listing(folder) == sorted([*UNCAL, *TABLES])


def test_a_temporary_file_of_a_killed_fetch_is_never_loaded_and_goes_at_the_rerun(home, monkeypatch):
    fake = FakeMast("01410", monkeypatch)
    uncal_only(monkeypatch)
    folder = home / "mast" / "jw01410"
    folder.mkdir(parents=True)
    (folder / f".{UNCAL[0]}.part").write_bytes(b"SIMPLE  =  T" * 10)  # (a fetch killed by SIGKILL)
    again = CliRunner().invoke(app, ["ingest", str(folder), "--dry-run"])
    assert again.exit_code == 1 and again.output.startswith("error: no files to load"), again.output
    run("--program", "1410", "--dry-run")
    assert fake.downloads == UNCAL and listing(folder) == sorted([*UNCAL, *TABLES])


def test_a_second_fetch_of_the_same_program_meanwhile_is_one_line(home, monkeypatch):
    fake = FakeMast("01410", monkeypatch)
    folder = home / "mast" / "jw01410"
    with ingest._program_folder(home, "01410"):  # (as the first command holds it, fetching then loading)
        result = run("--program", "1039", "--program", "1410", "--dry-run")
        assert result.exit_code == 1
        assert result.output == (f"error: program 01410 is being fetched into {folder} by another `mastgraph ingest "
                                 f"mast` (pid {os.getpid()}): run this again when it has finished (it fetches only "
                                 "what is missing then)\n")
        assert fake.criteria == []  # (nothing asked of MAST, nothing written)
        assert listing(home / "mast" / "jw01039") == [] and listing(folder) == []
    assert "parsed 2 of 2 files" in run("--program", "1410", "--dry-run").output  # (free again)


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
    uncal_only(monkeypatch)
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
    uncal_only(monkeypatch)
    monkeypatch.setenv("NEO4J_PASSWORD", "unused")
    result = run("--program", "1410")  # (NEO4J_URI: a port where nothing listens)
    [folder] = fetched(home)
    assert result.exit_code == 1
    [cause, last] = errors(result.output)
    assert "127.0.0.1:1" in cause, cause
    assert last == kept(folder)


def test_without_astroquery_it_says_how_to_install_before_making_anything(home, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "astroquery.mast", None)
    result = run("--program", "1410", "--dry-run")
    assert (result.exit_code, result.output) == (1, "error: live MAST needs astroquery, the optional extra: "
                                                    "pip install 'mastgraph[mast]'\n")
    assert not (home / "mast").exists()


def test_each_retry_is_shown_and_the_settings_bound_them(home, monkeypatch, waits):
    """MASTGRAPH_MAST_RETRIES, _RETRY_WAIT and _RETRY_MAX_WAIT; each retry is a line of its own when
    the output is not a terminal (on one, it is the progress line)."""
    fake = FakeMast("01410", monkeypatch)
    uncal_only(monkeypatch)
    monkeypatch.setenv("MASTGRAPH_MAST_RETRIES", "2")
    monkeypatch.setenv("MASTGRAPH_MAST_RETRY_WAIT", "3")
    monkeypatch.setenv("MASTGRAPH_MAST_RETRY_MAX_WAIT", "5")
    fake.failing = {UNCAL[1]: 503}
    result = run("--program", "1410", "--dry-run")
    folder = home / "mast" / "jw01410"
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.startswith("MAST ")] == [
        f"MAST download of {UNCAL[1]}: HTTP 503 Service Unavailable; retry 1 of 2 in 3 s",
        f"MAST download of {UNCAL[1]}: HTTP 503 Service Unavailable; retry 2 of 2 in 5 s"]
    assert waits == [3, 5]
    assert errors(result.output) == [
        f"error: MAST download of {UNCAL[1]} failed: HTTPError: 503 Server Error: Service Unavailable for url: "
        f"https://mast.stsci.edu/api/v0.1/Download/file?uri=mast:JWST/product/{UNCAL[1]} (still after 2 retries); "
        f"nothing was loaded; the 3 whole files fetched stay in {folder}: a rerun downloads only the rest"]
    assert fake.downloads == [UNCAL[0], UNCAL[1], UNCAL[1], UNCAL[1]]  # (MAST away: the third file not asked)

    fake.failing = {}
    again = run("--program", "1410", "--dry-run")
    assert fake.downloads[4:] == [UNCAL[1], UNCAL[2]] and "parsed 2 of 5 files" in again.output, again.output


def test_bad_retry_settings_are_one_line_before_anything(home, monkeypatch):
    fake = FakeMast("01410", monkeypatch)
    monkeypatch.setenv("MASTGRAPH_MAST_RETRIES", "many")
    result = run("--program", "1410", "--dry-run")
    assert result.exit_code == 2 and len(result.output.splitlines()) == 1, result.output
    assert result.output.startswith("error: bad configuration: MASTGRAPH_MAST_RETRIES='many': "), result.output
    assert fake.criteria == [] and not home.exists()
