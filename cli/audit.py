"""`mastgraph audit`: the completeness and consistency report over the graph (graph/audit.py)."""

from __future__ import annotations

import json
from enum import Enum

import typer
from rich.markup import escape
from rich.table import Table

from mastgraph.graph import audit as graph_audit
from mastgraph.graph import db, runner
from mastgraph.graph.server import ServerError

from .common import console, ensure_running, errors_as_lines, fail, not_blank, settings
from .cypher import cell

#: Exit code of `--strict` when the audit found something (errors exit 1, bad usage 2).
FINDINGS_EXIT = 3


class ReportFormat(str, Enum):
    table = "table"
    json = "json"


def _example(row: dict) -> str:
    """One example row in a line: its product (or first column) and the rest in brief."""
    first = next(iter(row))
    rest = ", ".join(f"{k}={cell(v)}" for k, v in row.items() if k != first and v not in (None, [], ""))
    return f"{cell(row[first])}" + (f"  ({rest})" if rest else "")


def show_report(report: graph_audit.AuditReport) -> None:
    """The findings in a table, then each finding's examples one a line, printed whole (URIs and file
    names are never cut to the terminal's width, so they can be copied into `mastgraph cypher`)."""
    scope = f"program {report.program}" if report.program else "the whole graph"
    table = Table("finding", "count", title=f"mastgraph audit of {scope}", title_justify="left",
                  show_lines=True, header_style="bold")
    for finding in report.findings:
        count = f"{finding.count}+" if finding.capped else str(finding.count)
        table.add_row(f"{escape(finding.title)}\n[dim]{finding.query}[/]", count,
                      style=None if finding.count == 0 else "yellow")
    console.print(table, soft_wrap=False)
    for finding in report.findings:
        if not finding.examples:
            continue
        console.print(f"\n{escape(finding.title)} ([dim]{finding.query}[/]):", highlight=False)
        for row in finding.examples:
            console.print("  " + _example(row), soft_wrap=True, highlight=False, markup=False)  # (whole, whatever the console)
    if report.clean:
        console.print("no findings", style="green")
    else:
        console.print(f"{report.problems} finding(s); list them all with `mastgraph cypher NAME` (the dim names above)",
                      highlight=False)


def audit(
    program: str = typer.Option(None, "--program", "-P", help="Audit one program (e.g. 2733 or 02733).",
                                 callback=not_blank("leave --program out to audit the whole graph")),
    fmt: ReportFormat = typer.Option(ReportFormat.table, "--format", "-f", help="Output: table or json."),
    strict: bool = typer.Option(False, "--strict", help=f"Exit with code {FINDINGS_EXIT} when anything is found."),
    examples: int = typer.Option(5, "--examples", min=0, help="Examples shown per finding."),
    cap: int = typer.Option(10_000, "--cap", min=1, help="Count at most this many of each finding."),
    timeout: float = typer.Option(120.0, "--timeout", min=0.1, help="Seconds allowed to each check's query."),
) -> None:
    """Completeness and consistency report: untraceable L3 products, association members missing from the
    listings, products under several CRDS contexts, MRP disagreements, cycles, orphans, duplicates."""
    try:
        key = graph_audit.program_key(program)
    except ValueError as exc:
        raise fail(str(exc), 2)
    s = settings()
    with errors_as_lines(ServerError, db.DatabaseUnavailable, runner.CypherError):
        ensure_running(s)
        with db.connect(s) as drv:
            report = graph_audit.run_audit(drv, database=s.neo4j_database, program=key, examples=examples,
                                           cap=cap, timeout=timeout)
    if fmt is ReportFormat.json:
        typer.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        show_report(report)
    if strict and not report.clean:
        raise typer.Exit(FINDINGS_EXIT)


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
