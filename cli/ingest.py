"""`mastgraph ingest PATH...` (and `mastgraph ingest mast --program N`)."""

from __future__ import annotations

import fcntl
import os
import shlex
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

import neo4j
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from mastgraph.graph import db
from mastgraph.pipeline.ingest import ConflictingFiles, FileResult, IngestReport, IngestStopped, ingest_paths
from mastgraph.pipeline.parse_pass import WorkFolderError
from mastgraph.graph.server import ServerError
from mastgraph.loaders import names, registry
from mastgraph.loaders.records import LoadError
from mastgraph.model.errors import one_line

from .common import (check_output_file, console, driver_logs, ensure_running, error_line, errors_as_lines, fail,
                     not_blank, settings)


def ingest(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(..., help="Files or folders to load; `mast` fetches from MAST (with --program).",
                                      callback=not_blank("give a file or folder (`.` for the current folder)")),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Load the good rows; write bad ones to a rejects report."),
    rejects: Path = typer.Option(None, "--rejects", help="Where to write the rejects report (needs --skip-bad)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Parse and check only; write nothing."),
    program: list[str] = typer.Option([], "--program", help="With `mast`: JWST program(s) to fetch.",
                                      callback=not_blank("give a JWST program number, e.g. 2733")),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the Neo4j driver's log on the console "
                                                                "(else it goes to <state folder>/logs/neo4j-driver.log)."),
) -> None:
    """Load MAST listings, observation rows, associations, pools, FITS headers, EDB data and links."""
    if rejects is not None and not skip_bad:  # (rows are skipped into a report only with --skip-bad)
        raise typer.BadParameter("needs --skip-bad: without it a bad row refuses its whole file and no rejects "
                                 "report is written", ctx, param_hint="'--rejects'")
    for number in program if paths == ["mast"] else ():  # (all, before anything is asked of MAST or written)
        try:
            names.program_key(number)
        except ValueError as exc:
            raise typer.BadParameter(f"{exc}: give at most 5 digits, e.g. 2733", ctx, param_hint="'--program'") from None
    if paths != ["mast"] and program:
        raise fail("--program goes with `mastgraph ingest mast`", 2)
    if paths == ["mast"] and not program:
        raise fail("`mastgraph ingest mast` needs --program (e.g. --program 2733)", 2)
    s = settings()
    driver_logs(s, verbose)
    if rejects is not None:
        check_output_file(rejects, "--rejects")
    if paths != ["mast"]:
        _load(s, paths, skip_bad, rejects, dry_run)
        return
    keys = list(dict.fromkeys(names.program_key(number) for number in program))
    from mastgraph.loaders import mast

    with errors_as_lines(mast.MastError):  # (astroquery missing: said before any folder is made)
        mast.observations_service()
    with ExitStack() as held:  # (each program's folder is this command's until it ends: fetch and load)
        folders = {key: held.enter_context(_program_folder(s.home, key)) for key in keys}
        files = _fetch_from_mast(s, folders)
        try:
            _load(s, [str(p) for p in files], skip_bad, rejects, dry_run)
        except BaseException as exc:  # (the load's own line said why; this one says where the fetch is)
            if not isinstance(exc, typer.Exit) or exc.exit_code:
                shown = ", ".join(one_line(str(f)) for f in folders.values())
                quoted = " ".join(one_line(shlex.quote(str(f))) for f in folders.values())
                error_line(f"the files fetched from MAST stay in {shown}: `mastgraph ingest {quoted}` loads them "
                           "without fetching again")
            raise


def _load(s, paths: Sequence[str], skip_bad: bool, rejects: Path | None, dry_run: bool) -> None:
    """Load the files and folders (`mastgraph ingest PATH...`): the summary, the rejects report,
    one line for each file that failed and exit code 1 if any did."""
    with errors_as_lines(LoadError):
        files = registry.expand([Path(p) for p in paths])
    if not files:
        raise fail("no files to load")
    try:
        report = _run(s, files, skip_bad, dry_run)
    except IngestStopped as exc:
        raise fail(exc.describe(s.uri, s.embedded), 130 if exc.interrupted else 1) from None
    except ConflictingFiles as exc:
        *conflicts, summary = exc.lines()
        for line in conflicts:
            error_line(one_line(line))
        raise fail(summary) from None
    except WorkFolderError as exc:
        raise fail(f"{exc}; nothing was written") from None
    except KeyboardInterrupt:
        raise fail("interrupted" + (" (--dry-run: nothing was written)" if dry_run else ""), 130) from None
    _summary(report, dry_run)
    if report.rejects:
        target = rejects or Path(s.home) / f"rejects-{time.strftime('%Y%m%dT%H%M%S')}.txt"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            # (surrogateescape: a path that is not UTF-8 is written back as its own bytes)
            target.write_text("".join(f"{one_line(str(r))}\n" for r in report.rejects), encoding="utf-8",
                              errors="surrogateescape")
        except OSError as exc:
            done = "nothing was written to the graph" if dry_run else "the good rows were loaded"
            raise fail(f"cannot write the rejects report {target} ({exc.strerror or exc}): {len(report.rejects)} "
                       f"rows skipped, {done}; give --rejects a file that can be written") from None
        console.print(f"{len(report.rejects)} rows skipped; rejects report: {target}", markup=False)
    for failed in report.failed:
        error_line(one_line(failed.error))
    if report.failed:
        raise typer.Exit(1)


def _run(s, files: Sequence[Path], skip_bad: bool, dry_run: bool) -> IngestReport:
    columns = (TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[records]} records"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal) as bar:
        task = bar.add_task("parsing" if dry_run else "loading", total=len(files), records=0)
        total = {"records": 0}

        def progress(result: FileResult, stage: str) -> None:
            if stage == "start":
                bar.update(task, description=f"{'parsing' if dry_run else 'loading'} {result.path.name}")
            elif stage != "done":  # (a large file's parts)
                bar.update(task, description=f"loading {result.path.name}, {stage}")
            else:
                total["records"] += result.records
                bar.update(task, advance=1, records=total["records"])

        if dry_run:
            return ingest_paths(None, s, files, skip_bad=skip_bad, dry_run=True, progress=progress)
        with errors_as_lines(ServerError, db.DatabaseUnavailable, neo4j.exceptions.Neo4jError):
            ensure_running(s)
            with db.connect(s) as drv:  # (ingest_paths applies the schema when any of it is missing)
                return ingest_paths(drv, s, files, skip_bad=skip_bad, progress=progress)


def _summary(report: IngestReport, dry_run: bool) -> None:
    loaded = len(report.files) - len(report.failed)
    console.print(
        f"{'parsed' if dry_run else 'loaded'} {loaded} of {len(report.files)} files, "
        f"{report.records} records in {report.seconds:.1f} s"
    )
    if dry_run or not loaded:
        return
    written, derived = report.totals()
    table = Table(title="graph changes", show_lines=False)
    for column in ("kind", "name", "created", "already there"):
        table.add_column(column, justify="right" if column in ("created", "already there") else "left")
    for name in sorted(set(written.nodes_created) | set(written.nodes_matched)):
        table.add_row("nodes", name, str(written.nodes_created[name]), str(written.nodes_matched[name]))
    for name in sorted(set(written.rels_created) | set(written.rels_matched)):
        table.add_row("relationships", name, str(written.rels_created[name]), str(written.rels_matched[name]))
    for name in sorted(written.rels_deleted):
        table.add_row("removed", name, str(written.rels_deleted[name]), "")
    for name in sorted(set(derived.rels_created) | set(derived.rels_deleted)):
        extra = f" ({derived.rels_deleted[name]} removed)" if derived.rels_deleted[name] else ""
        table.add_row("derived", name, f"{derived.rels_created[name]}{extra}", "")
    console.print(table, soft_wrap=False)
    if report.derivation:
        console.print(f"relationships derived {report.derivation}", markup=False)


@contextmanager
def _program_folder(home: Path, key: str) -> Iterator[Path]:
    """The folder a program is fetched into, the same at each run (`HOME/mast/jw<ppppp>`), so that a
    rerun resumes; held by this command alone (its `.lock`): a second command fetching the same program
    meanwhile is refused in one line, as its downloads would write the same temporary files."""
    folder = Path(home) / "mast" / f"jw{key}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = open(folder / ".lock", "a+", encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot make a folder for the MAST files in the state folder {home} ({exc.strerror or exc})") from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if not isinstance(exc, BlockingIOError):  # (a file system without locks)
                raise fail(f"cannot lock {folder / '.lock'} ({exc.strerror or exc}): the fetch needs it, so that "
                           "two commands do not fetch the same program at once") from None
            lock.seek(0)
            holder = lock.read().strip()
            by = f" (pid {holder})" if holder.isdigit() else ""
            raise fail(f"program {key} is being fetched into {folder} by another `mastgraph ingest mast`{by}: "
                       "run this again when it has finished (it fetches only what is missing then)") from None
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        yield folder  # (closing the file at the end releases the lock)


def _fetch_from_mast(s, folders: dict[str, Path]) -> list[Path]:
    """Fetch each program into its folder: the files to load. Each file is written under a temporary
    name and renamed when whole (loaders/mast.py), so a fetch that fails or is stopped leaves whole
    files only, which a rerun keeps: it fetches only the rest. Each retry of a transient fault is
    shown on the progress line (printed as a line of its own when the output is not a terminal)."""
    from mastgraph.loaders import mast
    from mastgraph.loaders.mast_retry import RetryPolicy

    files: list[Path] = []
    try:
        with _fetch_progress() as status:  # (closed before the error line, which it would otherwise cross)

            def retried(line: str) -> None:
                status(line)
                if not console.is_terminal:
                    console.print(line, markup=False, highlight=False)

            retry = RetryPolicy(retries=s.mast_retries, first_wait=s.mast_retry_wait,
                                max_wait=s.mast_retry_max_wait, on_retry=retried)

            def removed(paths: list[Path]) -> None:
                shown = ", ".join(path.name for path in paths[:3]) + (", ..." if len(paths) > 3 else "")
                console.print(f"removed {len(paths)} file{'s' if len(paths) > 1 else ''} of an earlier fetch that MAST "
                              f"no longer lists ({shown})", markup=False, highlight=False)

            for key, folder in folders.items():
                console.print(f"fetching program {key} from MAST into {folder}", markup=False)
                files += mast.fetch_program(key, folder, retry=retry, on_removed=removed,
                                            status=lambda text, key=key: status(f"program {key}: {text}"))
    except KeyboardInterrupt:
        raise fail(f"interrupted while fetching from MAST; nothing was loaded; {_kept(folders)}", 130) from None
    except (mast.MastError, LoadError) as exc:
        raise fail(f"{exc}; nothing was loaded; {_kept(folders)}") from None
    return files


@contextmanager
def _fetch_progress() -> Iterator[Callable[[str], None]]:
    """A progress line (on a terminal) saying what the fetch is doing; the callable sets its text."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("fetching from MAST")
        yield lambda text: bar.update(task, description=escape(text))


def _kept(folders: dict[str, Path]) -> str:
    """What a fetch that failed leaves for the rerun: its whole files (a temporary one is hidden)."""
    whole = sum(1 for folder in folders.values() for f in _listing(folder) if not f.name.startswith("."))
    if not whole:
        return "a rerun fetches it again"
    where = next(iter(folders.values())) if len(folders) == 1 else next(iter(folders.values())).parent
    return (f"the {whole} whole file{'s' if whole != 1 else ''} fetched stay{'s' if whole == 1 else ''} in {where}: "
            "a rerun downloads only the rest")


def _listing(folder: Path) -> list[Path]:
    try:
        return [f for f in folder.iterdir() if f.is_file()]
    except OSError:
        return []


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
