"""The `mastgraph` console script (`pyproject.toml`): the command, with a Ctrl-C while the
commands are still being imported and a fault no command expected each ended in one line, as the
commands end their own errors. Nothing of mastgraph is imported before `run` is called."""

from __future__ import annotations

import sys

#: The exit status of a command stopped by Ctrl-C (128 + SIGINT), as the commands give it.
INTERRUPTED = 130


def run() -> None:
    try:
        from mastgraph.cli.main import app  # (imports every command: a second or so)

        _one_line_usage_errors()
        app(prog_name="mastgraph")
    except SystemExit as exc:
        if _silent_interrupt(exc):  # (Typer ends a Ctrl-C no command caught with status 130 and no word)
            sys.stderr.write("error: interrupted\n")
        raise
    except (KeyboardInterrupt, Exception) as exc:  # noqa: BLE001 - one line, an unexpected fault's traceback in a log
        if _interrupted(exc):  # (also a Ctrl-C inside an import, which Python wraps: "Error calling __set_name__")
            sys.stderr.write("error: interrupted\n")
            sys.exit(INTERRUPTED)
        sys.exit(unexpected(exc))


def _one_line_usage_errors() -> None:
    """A usage error (an option's value of the wrong type, a missing argument, an unknown option) in
    one line, as mastgraph's own errors: `error: <click's message> (see <command> --help)`, exit status
    2; Typer would print it as a box of several lines (`typer.rich_utils.rich_format_error`, which its
    `_main` looks up when it shows one). A group given no command (`mastgraph`, `mastgraph sample`)
    shows its help, and no error line after it."""
    from typer import rich_utils

    from mastgraph.model.errors import one_line

    def show(exc) -> None:
        if type(exc).__name__ == "NoArgsIsHelpError":  # (a group run bare: its help is shown, no error, as Typer does)
            return
        ctx = getattr(exc, "ctx", None)
        hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
        sys.stderr.write(f"error: {one_line(exc.format_message())}{hint}\n")

    rich_utils.rich_format_error = show


def _silent_interrupt(exc: SystemExit) -> bool:
    """Whether Typer turned a Ctrl-C that no command caught into this exit: its `Exit(130)` raised
    from the KeyboardInterrupt (a command's own `fail(..., 130)` has said its line, from None)."""
    stopped = exc.__context__
    return exc.code == INTERRUPTED and stopped is not None and isinstance(stopped.__cause__, KeyboardInterrupt)


def _interrupted(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt caused the exception (its causes and contexts, a few deep)."""
    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 8:
        if isinstance(cause, KeyboardInterrupt):
            return True
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return False


def unexpected(exc: BaseException) -> int:
    """Say in one line that the command failed unexpectedly, its traceback appended to the state
    folder's logs/errors.log (named in the line); the exit status."""
    from mastgraph.graph.settings import errors_log
    from mastgraph.model.errors import append_traceback, first_line

    log = errors_log()
    where = f"; details in {log}" if log and append_traceback(log, f"mastgraph {' '.join(sys.argv[1:])}") else ""
    sys.stderr.write(f"error: the command failed unexpectedly ({type(exc).__name__}: {first_line(exc)}){where}\n")
    return 1
