"""`mastgraph build PATH...`: the first load of a whole archive through Neo4j's bulk importer."""

from __future__ import annotations

import re
from pathlib import Path

import neo4j
import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from mastgraph.graph import db
from mastgraph.graph.settings import JVM_SIZE, MAX_WORKERS, NEO4J_SIZE
from mastgraph.pipeline.bulk import (
    IMPORTER_HEAP, BuildOptions, BuildReport, BulkError, build, write_report_json,
)
from mastgraph.graph.server import ServerError
from mastgraph.model.errors import first_line, one_line
from mastgraph.pipeline.across_spill import WorkFolderError
from mastgraph.pipeline import derive_tables

from .common import check_output_file, console, driver_logs, error_line, fail, not_blank, settings

PHASE_TITLES = {
    "prepare": "prepare",
    "parse": "parse",
    "csv": "write CSV",
    "derive": "derive",
    "import": "import",
    "index": "index",
    "residuals": "residual values",
}


def build_command(
    # (text, not Path: an empty argument would be Path('.'), the current folder, before any check)
    paths: list[str] = typer.Argument(..., help="Files or folders to load (the same as for `mastgraph ingest`).",
                                      callback=not_blank("give a file or folder (`.` for the current folder)")),
    force: bool = typer.Option(False, "--force", help="Replace the database even if it is not empty."),
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Skip bad rows (written to a rejects report) "
                                                            "instead of stopping before the import."),
    work_dir: Path = typer.Option(None, "--work-dir", help="Where the spill and CSV files go "
                                                           "(default: <state folder>/bulk-work)."),
    keep_work: bool = typer.Option(False, "--keep-work", help="Keep the CSV files after the build."),
    workers: int = typer.Option(0, "--workers", min=0, max=MAX_WORKERS, help="Processes that parse and write CSV "
                                f"(0, the default: one per core; at most {MAX_WORKERS})."),
    report_json: Path = typer.Option(None, "--report-json", help="Write the timings, counts, memory and disk "
                                                                 "figures of the build to this JSON file."),
    importer_heap: str = typer.Option(IMPORTER_HEAP, "--importer-heap", help="The importer's JVM heap."),
    importer_memory: str = typer.Option(None, "--importer-memory", help="The importer's off-heap memory limit "
                                                                        "(e.g. 4g or 50%; its default is 90%)."),
    derive_memory: str = typer.Option(derive_tables.MEMORY, "--derive-memory",
                                      help="DuckDB's memory for the derivation rules (it spills to the work folder "
                                           "beyond it), e.g. 1GB or 500MB."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Parse every file and write the importer's CSV, then "
                                                          "stop: bad files reported, counts and timings; the "
                                                          "server and the database are not touched."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the Neo4j driver's log on the console "
                                                                "(else it goes to <state folder>/logs/neo4j-driver.log)."),
) -> None:
    """Build the graph from scratch with Neo4j's bulk importer: the same loaders and the same graph as
    `mastgraph ingest`, much faster for a whole archive. The local server is stopped for the import."""
    # (checked now: the importer's JVM would refuse them only after the parse, the CSV and the server's stop)
    if not JVM_SIZE.fullmatch(importer_heap.strip()):
        raise fail(f"--importer-heap: not a JVM heap size (e.g. 2g, 512m): {importer_heap!r}", 2)
    if importer_memory is not None and not (NEO4J_SIZE.fullmatch(importer_memory.strip())
                                            or re.fullmatch(r"\d+(\.\d+)?%", importer_memory.strip())):
        raise fail(f"--importer-memory: not a memory size or a percentage (e.g. 4g, 50%): {importer_memory!r}", 2)
    s = settings()
    # The driver's log goes to its log file, not over the display.
    driver_logs(s, verbose)
    if report_json is not None:
        check_output_file(report_json, "--report-json")
    options = BuildOptions(force=force, skip_bad=skip_bad, work_dir=work_dir, keep_work=keep_work, workers=workers,
                           importer_heap=importer_heap, importer_memory=importer_memory, dry_run=dry_run,
                           derive_memory=derive_memory)
    with _RichProgress() as progress:
        try:
            report = build(s, [Path(p) for p in paths], options, progress)
        except BulkError as exc:
            progress.close()
            for line in exc.lines:
                error_line(one_line(line))
            raise fail(str(exc)) from None
        except (db.ConnectionLost, *db.CONNECTION_LOST):
            progress.close()
            raise fail(stopped(progress.phase, dry_run, f"Neo4j at {s.uri} stopped answering")) from None
        except KeyboardInterrupt:
            progress.close()
            raise fail(stopped(progress.phase, dry_run, "interrupted"), 130) from None
        except WorkFolderError as exc:
            progress.close()
            raise fail(stopped(progress.phase, dry_run, str(exc), "run the same command again once it can be "
                                                                 "written (or with --work-dir elsewhere)")) from None
        except (ServerError, db.DatabaseUnavailable, neo4j.exceptions.Neo4jError, OSError) as exc:
            progress.close()
            raise fail(first_line(exc)) from None
    _summary(report)
    if report_json:
        try:
            write_report_json(report, report_json)
        except OSError as exc:
            raise fail(f"cannot write --report-json {report_json} ({exc.strerror or exc}); the build itself "
                       "is done") from None
        console.print(f"report: {report_json}", markup=False)


#: The phases from which the database holds the (unfinished) import.
_IMPORTED = ("import", "index", "residuals")


def stopped(phase: str | None, dry_run: bool, what: str, again: str = "run the same command again") -> str:
    """The one line of a build stopped by a lost Neo4j, Ctrl-C or a work folder that cannot be
    written, saying what the database holds."""
    during = f"{what} during the build's {PHASE_TITLES.get(phase or '', phase or 'start')} phase"
    if dry_run or phase not in _IMPORTED:
        return f"{during}, before the import: nothing was written; {again}"
    return (f"{during}, after the import began: the database holds an unfinished graph; run the same command "
            "again with --force to build it anew (`mastgraph server start` first if the server is stopped)")


class _RichProgress:
    """One progress line per phase, with its own bar (or spinner), note and elapsed time."""

    def __init__(self) -> None:
        self.bar = Progress(SpinnerColumn(), TextColumn("[bold]{task.fields[title]:<16}"), BarColumn(),
                            TextColumn("{task.fields[note]}"), TimeElapsedColumn(), console=console,
                            disable=not console.is_terminal)
        self.tasks: dict[str, TaskID] = {}
        self.phase: str | None = None  # the phase started last

    def __enter__(self) -> "_RichProgress":
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.bar.stop()

    def start(self, phase: str, total: float | None, note: str = "") -> None:
        title = PHASE_TITLES.get(phase, phase)
        self.phase = phase
        self.tasks[phase] = self.bar.add_task(title, total=total, title=title, note=note)

    def update(self, phase: str, completed: float, note: str = "") -> None:
        task = self.tasks.get(phase)
        if task is not None:
            fields = {"note": note} if note else {}
            self.bar.update(task, completed=completed or None, **fields)

    def finish(self, phase: str, note: str = "") -> None:
        task = self.tasks.get(phase)
        if task is None:
            return
        total = self.bar.tasks[task].total or 1
        self.bar.update(task, total=total, completed=total, note=note)
        self.bar.stop_task(task)
        if not console.is_terminal:
            console.print(f"{PHASE_TITLES.get(phase, phase)}: {note}", highlight=False, markup=False)


def _mib(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB"


def _cpu(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.1f}"


def _summary(report: BuildReport) -> None:
    phases = Table(title="bulk build", show_header=True)
    phases.add_column("phase")
    phases.add_column("seconds", justify="right")
    phases.add_column("CPU s mastgraph", justify="right")
    phases.add_column("CPU s Neo4j", justify="right")
    python, neo4j = report.python_cpu_seconds, report.neo4j_cpu_seconds
    # (the server's CPU, from its start after the import, is on the indexes' row)
    neo4j_of = {"import": neo4j.get("import"), "index": neo4j.get("server")}
    for name in ("parse", "csv", "derive", "import", "index", "residuals"):
        if name in report.phases:
            phases.add_row(PHASE_TITLES[name], f"{report.phases[name]:.1f}", _cpu(python.get(name)),
                           _cpu(neo4j_of.get(name)))
    cpu_total = (_cpu(sum(python.values()) if python else None), _cpu(sum(neo4j.values()) if neo4j else None))
    if report.dry_run:
        phases.add_row("[bold]total[/] (dry run: parse and CSV only)", f"{report.total_seconds:.1f}", *cpu_total)
    else:
        phases.add_row("server stop + start", f"{report.server_restart_seconds:.1f}", "", "")
        phases.add_row("[bold]end to end[/] (to indexes online)", f"{report.end_to_end_seconds:.1f}", "", "")
        phases.add_row("[bold]total[/]", f"{report.total_seconds:.1f}", *cpu_total)
    console.print(phases, soft_wrap=False)

    counts = Table(title="graph", show_header=True)
    counts.add_column("kind")
    counts.add_column("name")
    counts.add_column("count", justify="right")
    counts.add_column("of which", justify="right")
    for label, n in report.nodes.items():
        key_only = report.key_only_nodes.get(label)
        counts.add_row("nodes", label, f"{n:,}", f"{key_only:,} key only" if key_only else "")
    for rel, n in report.relationships.items():
        derived = report.derived.get(rel)
        counts.add_row("relationships", rel, f"{n:,}", f"{derived:,} derived" if derived else "")
    console.print(counts, soft_wrap=False)
    if report.dry_run:
        console.print(
            f"dry run: {report.files:,} files, {report.records:,} records checked; the import would create "
            f"{report.imported_nodes:,} nodes and {report.imported_relationships:,} relationships (before the "
            f"derivations); Python peak RSS {_mib(report.python_peak_rss)}; nothing was written to the database",
            highlight=False)
        _rejects_line(report)
        return
    console.print(
        f"{report.files:,} files, {report.records:,} records; {report.products:,} products at "
        f"{report.products_per_second:,.0f} products/s end to end; Python peak RSS {_mib(report.python_peak_rss)}, "
        f"importer peak RSS {_mib(report.importer_peak_rss)}; database {_mib(report.database_bytes)} on disk",
        highlight=False)
    if report.residual_values:
        console.print(f"{report.residual_values:,} property values the importer's CSV cannot hold exactly were set "
                      "with Cypher after the import", highlight=False)
    if report.missing_ends_report:
        total = sum(report.key_only_nodes.values())
        console.print(f"{total:,} relationship ends were described by no record and were created with their key only; "
                      f"list: {report.missing_ends_report}", highlight=False, markup=False)
    _rejects_line(report)
    console.print(f"importer log: {report.importer_log}", style="dim", highlight=False, markup=False)


def _rejects_line(report: BuildReport) -> None:
    if report.rejects:
        console.print(f"{report.rejects:,} rows skipped; rejects report: {report.rejects_report}", highlight=False,
                      markup=False)


def register(app: typer.Typer) -> None:
    app.command("build")(build_command)
