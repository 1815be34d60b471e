"""The `mastgraph` command. Each sub-command lives in its own module of this package and
registers itself through a `register(app)` function, discovered here."""

from __future__ import annotations

import importlib
import pkgutil

import typer

from mastgraph import __version__

app = typer.Typer(
    name="mastgraph",
    help="Lineage of JWST/MAST data products in Neo4j, served over GraphQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mastgraph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """mastgraph: load MAST listings, associations, headers and engineering data into Neo4j; query lineage."""


def _register_commands() -> None:
    package = importlib.import_module("mastgraph.cli")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name in {"main", "common"}:
            continue
        module = importlib.import_module(f"mastgraph.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()
