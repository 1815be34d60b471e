"""`mastgraph cypher NAME | FILE | -e 'MATCH ...'`: run Cypher read-only; `--list` shows the library."""

from __future__ import annotations

import csv
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from mastgraph.graph import db, queries, runner
from mastgraph.graph.server import ServerError

from .common import console, ensure_running, err_console, errors_as_lines, fail, not_blank, settings


class RowFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def library() -> list[queries.NamedQuery]:
    """The named queries one runs with `mastgraph cypher` (the schema file is applied by `init`)."""
    return [named for named in queries.all_queries() if named.name != "schema"]


def show_library() -> None:
    """Each library query: its name and parameters ([optional]), then what it answers."""
    for named in library():
        params = " ".join(spec.name if spec.required else f"[{spec.name}]" for spec in queries.param_specs(named))
        console.print(f"[bold cyan]{named.name}[/]  {escape(params)}", highlight=False)
        console.print(Padding(Text(named.description), (0, 0, 0, 4), expand=False), soft_wrap=False)
    console.print("[dim]Run one: mastgraph cypher NAME --param key=value ...  (see docs/cypher.md)[/]", highlight=False)


def cell(value: Any) -> str:
    """A value as one table or CSV cell: text as is, lists and maps as compact JSON, null as empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def print_rows(rows: runner.Rows, fmt: RowFormat) -> None:
    """Write a query's rows to stdout as a rich table, JSON (a list of objects) or CSV."""
    if fmt is RowFormat.json:
        typer.echo(json.dumps(rows.dicts(), indent=2, ensure_ascii=False))
    elif fmt is RowFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(rows.columns)
        writer.writerows([cell(v) for v in row] for row in rows.rows)
    else:
        table = Table(show_header=True, header_style="bold", show_lines=False)
        for column in rows.columns:
            table.add_column(column, overflow="fold")
        for row in rows.rows:
            table.add_row(*(Text(cell(v)) for v in row))
        print_whole(table)


def print_whole(table: Table) -> None:
    """A table with every value whole, never cut with an ellipsis: on a terminal, a value wider than its
    column folds onto the next line of its cell; into a file or a pipe (80 columns to rich), the table
    is as wide as its longest values, so that URIs can be copied and grepped."""
    if console.is_terminal:
        console.print(table, soft_wrap=False)
        return
    natural = Measurement.get(console, console.options.update_width(1_000_000), table).maximum
    Console(emoji=False, width=max(natural, console.width)).print(table, soft_wrap=False)


def _resolve(query: str | None, execute: str | None) -> tuple[str, queries.NamedQuery | None]:
    """The Cypher text to run and, for a library name or a file with a header, its description."""
    text, named = _text(query, execute)
    if not any(line.strip() and not line.strip().startswith("//") for line in text.splitlines()):
        # (refused here, before any connection: Neo4j would be sent an empty statement)
        given = "-e" if execute is not None else query
        raise fail(f"{given} holds no Cypher statement (nothing but comments or blank lines)", 2)
    return text, named


def _text(query: str | None, execute: str | None) -> tuple[str, queries.NamedQuery | None]:
    """The text of the library query, the file or the -e given."""
    if (query is None) == (execute is None):
        raise fail("give a library query name, a .cypher file, or -e 'CYPHER' (one of them); --list shows the library", 2)
    if execute is not None:
        return execute, None
    assert query is not None
    path = Path(query)
    if query.endswith(".cypher") or path.is_file():
        if not path.is_file():
            raise fail(f"no such Cypher file: {query}", 2)
        try:
            named = queries.parse(path.stem, path)
        except (OSError, UnicodeDecodeError) as exc:
            raise fail(f"cannot read {query}: {exc}", 2)
        return named.text, named
    try:
        named = queries.query(query)
    except KeyError:
        raise fail(f"no library query named {query!r}; `mastgraph cypher --list` shows them", 2)
    return named.text, named


def cypher(
    query: str = typer.Argument(None, metavar="[NAME|FILE]", help="A library query's name (see --list) or a .cypher file."),
    execute: str = typer.Option(
        None, "--execute", "-e", help="Cypher text to run instead of a name or file.",
        callback=not_blank("give a Cypher statement, e.g. -e 'MATCH (p:Product) RETURN count(p)'"),
    ),
    param: list[str] = typer.Option(
        [], "--param", "-p", metavar="KEY=VALUE",
        help="A query parameter; the value is read as JSON when it parses (numbers, lists, \"quoted\"), else as text.",
    ),
    fmt: RowFormat = typer.Option(RowFormat.table, "--format", "-f", help="Output: table, json or csv."),
    limit: int = typer.Option(1000, "--limit", "-n", min=1, help="Row cap (also the query's $limit when it takes one)."),
    timeout: float = typer.Option(30.0, "--timeout", min=0.1, help="Seconds before Neo4j stops the query."),
    list_: bool = typer.Option(False, "--list", "-l", help="List the library's queries with what they answer."),
    in_browser: bool = typer.Option(
        False, "--browser", help="Open the query in Neo4j Browser's editor with its parameters set (:param), instead of running it.",
    ),
) -> None:
    """Run Cypher read-only (Neo4j's READ access mode: writes are refused), with a timeout and a row cap."""
    if list_:
        show_library()
        return
    text, named = _resolve(query, execute)
    if in_browser:
        open_in_browser(text, named, param)
        return
    with errors_as_lines(runner.CypherError, code=2):  # (a usage error, as a bad option is)
        given = runner.parse_params(param, named)
        # One row more than the cap, so that a cut answer is noticed.
        params = runner.query_params(named, given, limit=limit + 1) if named else given
    s = settings()
    with errors_as_lines(ServerError, db.DatabaseUnavailable, runner.CypherError):
        ensure_running(s)
        with db.connect(s) as drv:
            try:
                rows = runner.run_read_only(drv, text, params, database=s.neo4j_database, timeout=timeout, limit=limit)
            except runner.WriteRefused as exc:
                err_console.print(str(exc), style="bold red", markup=False, highlight=False)
                raise typer.Exit(1) from None
    print_rows(rows, fmt)
    note = f"{len(rows.rows)} row{'s' if len(rows.rows) != 1 else ''}"
    if rows.truncated:
        note += f" (stopped at the row cap, --limit {limit})"
    err_console.print(note, style="dim", highlight=False)


def open_in_browser(text: str, named: queries.NamedQuery | None, param: list[str]) -> None:
    """`--browser`: the Browser link with the query in the editor and one `:param` line per parameter
    (a library query's optional parameters left out are `null`, so it uses its defaults)."""
    from mastgraph.graph.neo4j_browser import edit_link

    from .browser import connected_url, show

    with errors_as_lines(runner.CypherError, code=2):  # (a usage error, as a bad option is)
        given = runner.parse_params(param, named)
        params = runner.query_params(named, given) if named else given
    url = connected_url(settings())
    with errors_as_lines(ValueError):
        link = edit_link(url, text, params)
    show(link)


def register(app: typer.Typer) -> None:
    app.command("cypher")(cypher)
