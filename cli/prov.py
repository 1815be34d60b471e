"""`mastgraph prov URI`: a product's lineage as a W3C PROV document (graph/prov.py)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from mastgraph.graph import db, runner
from mastgraph.graph import prov as graph_prov
from mastgraph.graph.server import ServerError

from .common import check_output_file, ensure_running, err_console, errors_as_lines, fail, not_blank, settings


class ProvFormat(str, Enum):
    json = "json"
    provn = "provn"
    xml = "xml"
    dot = "dot"


def prov(
    uri: str = typer.Argument(..., help="The product's URI, e.g. mast:JWST/product/jw02733-o002_t001_miri_f1130w_i2d.fits",
                              callback=not_blank("give a product URI, e.g. mast:JWST/product/<file name>")),
    depth: int = typer.Option(3, "--depth", "-d", help="Lineage steps followed down from the product."),
    fmt: ProvFormat = typer.Option(ProvFormat.json, "--format", "-f", help="PROV-JSON, PROV-N, PROV-XML or Graphviz DOT."),
    output: Path = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    timeout: float = typer.Option(60.0, "--timeout", min=0.1, help="Seconds allowed to the read."),
) -> None:
    """Export a product's provenance (W3C PROV-DM, built with the `prov` package); see docs/provenance.md."""
    s = settings()
    with errors_as_lines(graph_prov.ProvError, code=2):  # (a usage error, before anything is read)
        graph_prov.check_request(fmt.value, depth, s.max_lineage_depth)
    if output is not None:
        check_output_file(output, "--output", make_folders=False)  # (written where it is given, as before)
    with errors_as_lines(ServerError, db.DatabaseUnavailable, runner.CypherError, graph_prov.ProvError):
        ensure_running(s)
        with db.connect(s) as drv:
            subgraph = graph_prov.fetch(drv, uri, database=s.neo4j_database, depth=depth,
                                        limit=s.max_lineage_nodes, timeout=timeout)
        if subgraph is None:
            raise fail(f"no product with URI {uri!r} (URIs look like mast:JWST/product/<file name>)")
        text = graph_prov.serialize(graph_prov.document(subgraph), fmt.value)
    if subgraph.truncated:
        err_console.print(f"warning: more than {s.max_lineage_nodes} products in reach; the document holds the "
                          f"nearest ones (lower --depth, or raise MASTGRAPH_MAX_LINEAGE_NODES)", style="yellow")
    if output is None:
        typer.echo(text)
    else:
        try:
            output.write_text(text + "\n")
        except OSError as exc:
            raise fail(f"cannot write {output}: {exc.strerror or exc}")
        err_console.print(f"wrote {output} ({len(subgraph.products)} products, PROV-{fmt.value.upper()})", style="dim",
                          markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("prov")(prov)
