"""`mastgraph download-list ID`: the files of a lineage view to download, as the explorer page lists them.

The same answer as the GraphQL field `downloadList`: both call `graph.downloads.download_list` (in
a read transaction through `graph.read.Reader`) and print `graph.download_export`; no HTTP.
"""

from __future__ import annotations

import asyncio
from enum import Enum
from pathlib import Path

import typer

from mastgraph.graph import download_export, downloads, read
from mastgraph.graph.server import ServerError

from .common import check_output_file, ensure_running, err_console, errors_as_lines, fail, settings


class Direction(str, Enum):
    up = "up"
    down = "down"


class ExportFormat(str, Enum):
    uris = "uris"
    curl = "curl"
    csv = "csv"


async def _read(s, request: downloads.DownloadRequest, timeout: float) -> dict | None:
    driver = read.open_driver(s)
    try:
        reader = read.Reader(driver, s.neo4j_database, timeout)
        return await downloads.download_list(reader, request, max_nodes=s.max_lineage_nodes)
    finally:
        await driver.close()


#: The command's names of `downloads.request`'s arguments (GraphQL's names in its errors).
_OPTIONS = {"id": "ID", "levels": "--level", "productTypes": "--product-type", "suffixes": "--suffix"}


def download_list(
    id: str = typer.Argument(..., help="A product URI or file name, an obsid or obs_id, a program (2733, jw02733) "
                             "or an association name."),
    all_files: bool = typer.Option(False, "--all", help="Every file, not only the Minimum Recommended Products."),
    direction: Direction = typer.Option(Direction.up, "--direction", help="up: what it was made from; down: what "
                                        "was made from it."),
    level: list[str] = typer.Option([], "--level", help="Keep only this level (1b, 2a, 2b, 3); repeatable."),
    product_type: list[str] = typer.Option([], "--product-type", help="Keep only this MAST product type "
                                           "(SCIENCE, AUXILIARY, INFO, PREVIEW ...); repeatable."),
    suffix: list[str] = typer.Option([], "--suffix", help="Keep only this suffix (uncal, cal, i2d ...); repeatable."),
    fmt: ExportFormat = typer.Option(ExportFormat.uris, "--format", "-f", help="MAST URI list, curl script or CSV."),
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    timeout: float = typer.Option(60.0, "--timeout", min=0.1, help="Seconds allowed to the read."),
) -> None:
    """List the files of a lineage view to download (MAST's Download Manager; see docs/api.md)."""
    s = settings()
    try:
        request = downloads.request(id, upstream=direction is Direction.up, all=all_files, levels=level,
                                    product_types=product_type, suffixes=suffix)
    except read.ArgumentError as exc:  # (named as the command's own argument or option, not GraphQL's)
        raise fail(f"{_OPTIONS.get(exc.argument, exc.argument)}: {exc.reason}", 2) from None
    if output is not None:
        check_output_file(output, "--output", make_folders=False)  # (written where it is given, as before)
    with errors_as_lines(ServerError, read.DatabaseUnavailable, read.QueryTimeout):
        ensure_running(s)
        answer = asyncio.run(_read(s, request, timeout))
    if answer is None:
        raise fail(f"nothing named {id!r} (give a product URI or file name, an obsid or obs_id, a program id "
                   f"or an association name)")
    text = download_export.FORMATS[fmt.value](answer["files"])
    if not answer["files"]:  # (an empty list is an answer, printed as such; why, on stderr)
        among = [] if all_files else ["among its Minimum Recommended Products"]
        if level or product_type or suffix:
            among.append("that pass --level, --product-type and --suffix")
        hint = "" if all_files else "; --all lists every file of the view"
        err_console.print(" ".join(["no files in this view", *among]) + hint, style="yellow", highlight=False)
    if answer["truncated"]:
        err_console.print(f"warning: more than MASTGRAPH_MAX_LINEAGE_NODES ({s.max_lineage_nodes}) products in the "
                          f"view; the list holds {s.max_lineage_nodes} of them", style="yellow")
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.write_text(text)
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror or exc}")
        err_console.print(f"wrote {output} ({answer['count']} files, {answer['total_size']:.0f} bytes)", style="dim",
                          markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("download-list")(download_list)
