"""What every sub-command shares: settings, one-line errors, the rich console."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from mastgraph.graph.settings import Settings, get_settings

# emoji=False: a path or value holding `:name:` (a file `run:cat:x.csv`, `127.0.0.1:-1:`) is printed as
# it is, not with an emoji in place of that part. soft_wrap: a message is one line however long (a
# terminal folds it on screen; redirected to a file or a pipe it stays one line, not cut at 80
# columns); tables and progress bars are laid out to the width as before.
console = Console(emoji=False, soft_wrap=True)
err_console = Console(stderr=True, emoji=False, soft_wrap=True)


def error_line(message: str) -> None:
    """Print one error line, as it is: a bracketed word in it (a path, a value, an extra's name) is
    not taken for console markup."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear error (no traceback) and return the Exit to raise."""
    error_line(message)
    return typer.Exit(code)


def not_blank(hint: str) -> Callable[[Any], Any]:
    """A Typer callback refusing an empty or blank text value (or one among a repeatable option's
    values) where none makes sense, before the command runs: a usage error naming the option, exit
    status 2. `hint` says what to give instead."""

    def check(value: Any) -> Any:
        values = value if isinstance(value, (list, tuple)) else [value]
        if any(isinstance(v, str) and not v.strip() for v in values):
            raise typer.BadParameter(f"empty; {hint}")
        return value

    return check


def settings() -> Settings:
    """The settings of a command (every command asks once); the driver's log goes to its file."""
    try:
        s = get_settings()
    except Exception as exc:  # pydantic's ValidationError: bad environment values
        raise fail(f"bad configuration: {describe_settings_error(exc)}", 2) from None
    if not any(getattr(h, "mastgraph", False) for h in logging.getLogger("neo4j").handlers):
        driver_logs(s)
    return s


#: Variables whose value an error line does not repeat (a URI may hold a password).
_SECRET_VARIABLES = {"NEO4J_URI", "NEO4J_PASSWORD", "MASTGRAPH_API_TOKEN"}


def describe_settings_error(exc: Exception) -> str:
    """Each bad environment value in one line: the variable, the value given and why it is refused."""
    from mastgraph.model.errors import first_line, one_line

    try:
        errors = exc.errors(include_url=False)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - not pydantic's: its first line
        return first_line(exc)
    parts = []
    for error in errors:
        name = ".".join(str(part) for part in error.get("loc", ()))
        reason = str(error.get("msg", "")).removeprefix("Value error, ")
        if not name:  # (a check of several variables, which its reason names)
            parts.append(reason)
            continue
        value = error.get("input")
        shown = isinstance(value, str) and repr(value) not in reason and name not in _SECRET_VARIABLES
        given = f"={value!r}" if shown else ""
        parts.append(f"{name}{given}: {reason}")
    return one_line("; ".join(parts)) if parts else first_line(exc)


def check_output_file(path: Path, option: str, make_folders: bool = True) -> None:
    """Refuse, before the command's work, an output file it could not write at the end (a folder, a
    folder that cannot be made, or with `make_folders` false one that does not exist, no permission):
    one line naming the option, exit code 2. The file is opened for appending, so nothing of an
    existing one changes; one that did not exist is removed."""
    if path.is_dir():
        raise fail(f"{option} {path}: that is a folder; give a file name", 2)
    existed = path.exists()
    try:
        if make_folders:
            path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        reason = "a part of its folder is a file" if isinstance(exc, (FileExistsError, NotADirectoryError)) else \
            exc.strerror or str(exc)
        raise fail(f"{option} {path}: cannot write it ({reason})", 2) from None
    if not existed:
        try:
            os.unlink(path)
        except OSError:
            pass


def ensure_running(s: Settings) -> None:
    """On the embedded default, start the local server when it is not running. Its line ("Neo4j ...
    started in ...") goes to stderr: the read commands' stdout is their answer alone (JSON, CSV, a
    PROV document, a download list, a Neo4j Browser link), whether or not they had to start Neo4j."""
    if s.embedded:
        from mastgraph.graph.server import LocalNeo4j

        local = LocalNeo4j(s)
        if not local.running():
            err_console.print(local.start(), style="dim", highlight=False)


@contextmanager
def errors_as_lines(*kinds: type[BaseException], code: int = 1) -> Iterator[None]:
    """Turn the named exception kinds into one-line errors with exit code `code` (1; 2 for a usage
    error: what the command line gives is wrong, before anything is read)."""
    try:
        yield
    except kinds as exc:
        raise fail(str(exc), code) from None


#: Where the Neo4j driver's log goes unless `-v` asks for it on the console (under MASTGRAPH_HOME).
DRIVER_LOG = Path("logs") / "neo4j-driver.log"


def driver_logs(s: Settings, verbose: bool = False) -> None:
    """Send the Neo4j driver's log (its retries and lost connections are warnings) to a file under
    the state folder, or with `verbose` to the console: never onto the command's own output."""
    logger = logging.getLogger("neo4j")
    for handler in [h for h in logger.handlers if getattr(h, "mastgraph", False)]:
        logger.removeHandler(handler)
        handler.close()
    handler: logging.Handler
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        logger.setLevel(logging.DEBUG)
    else:
        try:
            target = Path(s.home) / DRIVER_LOG
            target.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(target, encoding="utf-8", delay=True)  # (made when first written)
        except OSError:
            handler = logging.NullHandler()
        logger.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.mastgraph = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.propagate = False
