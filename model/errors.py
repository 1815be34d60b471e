"""What every package says of an exception in a one-line message."""

from __future__ import annotations

from typing import Any


#: Line breaks and other control characters, as `one_line` shows them.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7f, 0x85)} | {
    ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: str) -> str:
    """`text` on one line: a line break or other control character in it (a file's name may hold
    one) shown as its escape (``\\n``, ``\\x1b``), so that a message stays one line of its report."""
    return text.translate(_CONTROLS) if not text.isprintable() else text


def shown(value: Any, limit: int = 64) -> str:
    """A value in a message: its repr, cut after `limit` characters (a 5,000-digit cell, a 100,000-character
    argument of an API request, is not echoed whole)."""
    return cut(repr(value), limit)


def cut(text: str, limit: int = 64) -> str:
    """Text as `shown` cuts a value's repr: whole up to `limit` characters, else its start and its length
    (for text already written as a message shows it: a header's value, a quoted name in another library's
    message)."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (without the colon that announces the next line),
    or its type's name when it has none."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].rstrip(":")


def append_traceback(log: str, heading: str) -> bool:
    """Append the traceback of the exception being handled to `log` (its folder made), under a
    `--- heading` line; False when it cannot be written (the caller's line then names no log)."""
    import os
    import traceback

    try:
        os.makedirs(os.path.dirname(log) or ".", exist_ok=True)
        with open(log, "a", encoding="utf-8", errors="backslashreplace") as fh:
            fh.write(f"--- {heading}\n{traceback.format_exc()}")
    except OSError:
        return False
    return True


def internal_error(path: object, exc: BaseException, log: str | None) -> str:
    """The one line of a file its loader failed on unexpectedly (a fault in mastgraph, not in the
    file): the file, the fault, and the log its traceback is appended to (`log`, in the state
    folder: it outlives any work folder; None: no log)."""
    where = f"; details in {log}" if log and append_traceback(log, str(path)) else ""
    return f"{path}: the loader failed unexpectedly ({type(exc).__name__}: {first_line(exc)}){where}"
