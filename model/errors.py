"""What every package says of an exception in a one-line message."""

from __future__ import annotations


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (without the colon that announces the next line),
    or its type's name when it has none."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].rstrip(":")


def internal_error(path: object, exc: BaseException, log: str | None = None) -> str:
    """The one line of a file its loader failed on unexpectedly (a fault in mastgraph, not in the
    file): the file, the fault, and the log its traceback is appended to (`log`; by default the
    state folder's logs/errors.log), which outlives any work folder."""
    import os
    import traceback

    try:
        if not log:
            from mastgraph.graph.settings import get_settings

            log = os.path.join(os.path.abspath(get_settings().home), "logs", "errors.log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(f"--- {path}\n{traceback.format_exc()}")
        where = f"; details in {log}"
    except Exception:  # noqa: BLE001 - no log (bad settings, a folder that cannot be written): the line alone
        where = ""
    return f"{path}: the loader failed unexpectedly ({type(exc).__name__}: {first_line(exc)}){where}"
