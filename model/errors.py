"""What every package says of an exception in a one-line message."""

from __future__ import annotations


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (without the colon that announces the next line),
    or its type's name when it has none."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].rstrip(":")
