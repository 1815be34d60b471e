"""What every sub-command shares: settings, one-line errors, the rich console."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from mastgraph.graph.settings import Settings, get_settings

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear error (no traceback) and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def settings() -> Settings:
    try:
        return get_settings()
    except Exception as exc:  # pydantic's ValidationError: bad environment values
        raise fail(f"bad configuration: {str(exc).splitlines()[-2:] if str(exc) else exc}", 2)


@contextmanager
def errors_as_lines(*kinds: type[BaseException]) -> Iterator[None]:
    """Turn the named exception kinds into one-line errors with exit code 1."""
    try:
        yield
    except kinds as exc:
        raise fail(str(exc)) from None


def is_tty() -> bool:
    return sys.stderr.isatty()
