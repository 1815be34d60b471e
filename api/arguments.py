"""Argument values as the graph wants them: program ids, cursors, product filters, pages.

Each function names the argument it refuses (`BadArgument`), so clients see which one is wrong.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from enum import Enum
from typing import Any

from mastgraph.model.errors import shown
from mastgraph.model.vocabulary import LEVEL_LABELS, Label
from mastgraph.graph.compiler import Page

from .errors import BadArgument, LimitExceeded

#: Page size when `first` is not given (never more than the configured maximum).
DEFAULT_PAGE_SIZE = 100

#: Product levels as the graph stores them (model/vocabulary.py LEVEL_LABELS).
LEVELS = tuple(LEVEL_LABELS)

_PROGRAM = re.compile(r"^(?:jw)?0*(\d{1,5})$", re.IGNORECASE | re.ASCII)  # (\d alone takes "٢٧٣٣")
#: The prefix of a keyset page's cursor, by the kind of its items: a cursor of another kind's list is refused.
CURSOR_PREFIXES = {Label.PRODUCT: "uri:", Label.OBSERVATION: "obsid:", Label.ENGINEERING_SERIES: "series:"}
_MEMBER_CURSOR_PREFIX = "member:"


def program_id(value: str, argument: str = "id") -> str:
    """A JWST program (proposal) id as the graph keys it: five digits, zero-padded ("02733")."""
    match = _PROGRAM.match(value.strip())
    if not match:
        raise BadArgument(argument, f"{shown(value)} is not a JWST program id (up to 5 digits, e.g. 2733 or 02733)")
    return match.group(1).zfill(5)


_NOT_A_CURSOR = "not a cursor of this list (use a `cursor` or `pageInfo.endCursor` it returned)"


def _encoded(prefix: str, text: str) -> str:
    return base64.urlsafe_b64encode((prefix + text).encode()).decode()


def _decoded(cursor: str, prefix: str) -> str | None:
    """The text after `prefix` that `cursor` encodes; None when it encodes none."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        return None
    return text[len(prefix):] if text.startswith(prefix) else None


def encode_cursor(key: str, label: Label = Label.PRODUCT) -> str:
    """The cursor of an item of a keyset page: its key (a product's URI, an observation's obsid ...)."""
    return _encoded(CURSOR_PREFIXES[label], key)


def decode_cursor(cursor: str | None, argument: str = "after", label: Label = Label.PRODUCT) -> str:
    """The key a cursor of a page of `label` items stands for ("" for no cursor: the first page)."""
    if not cursor:
        return ""
    key = _decoded(cursor, CURSOR_PREFIXES[label])
    if key is None:
        raise BadArgument(argument, _NOT_A_CURSOR)
    return key


def encode_member_cursor(after: list[str]) -> str:
    """The cursor of an association member: its product's URI and the association product it belongs to."""
    return _encoded(_MEMBER_CURSOR_PREFIX, json.dumps(list(after)))


def decode_member_cursor(cursor: str | None, argument: str = "after") -> tuple[str, str]:
    """The (product URI, association product) pair a member cursor stands for (("", "") for none)."""
    if not cursor:
        return ("", "")
    text = _decoded(cursor, _MEMBER_CURSOR_PREFIX)
    try:
        pair = json.loads(text) if text is not None else None
    except ValueError:
        pair = None
    if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
        raise BadArgument(argument, _NOT_A_CURSOR)
    return (pair[0], pair[1])


def reference_file_name(name: str) -> str:
    """A reference file name without the `crds://` scheme FITS headers give it."""
    return name.strip().removeprefix("crds://")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def product_filters(value: Any, argument: str = "filter") -> tuple[tuple[str, Any], ...]:
    """A ProductFilter (input object, as a dict or an object) as (graph filter, value) pairs."""
    if value is None:
        return ()
    items = value.items() if isinstance(value, dict) else vars(value).items()
    out: list[tuple[str, Any]] = []
    for name, raw in items:
        raw = _plain(raw)
        if raw is None:
            continue
        name = _snake(name)
        if name == "program":
            raw = program_id(str(raw), f"{argument}.program")
        elif name == "level":
            raw = str(raw).strip().lower()
            if raw not in LEVELS:
                raise BadArgument(f"{argument}.level", f"{shown(raw)} is not a product level ({', '.join(LEVELS)})")
        elif name in ("instrument", "suffix", "product_type"):
            raw = str(raw).strip()
            if not raw:  # an instrument prefix of "" matched every product, a suffix or type none
                raise BadArgument(f"{argument}.{_camel(name)}", "an empty value matches nothing")
            raw = raw.upper() if name == "product_type" else raw.lower()
        out.append((name, raw))
    return tuple(sorted(out))


def page_size(first: int | None, max_page_size: int, default: int = DEFAULT_PAGE_SIZE) -> int:
    """`first` checked against the maximum (already refused before execution), or the default, clamped."""
    if first is None:
        return min(default, max_page_size)
    if first < 0:
        raise BadArgument("first", "must be 0 or more")
    if first > max_page_size:
        raise LimitExceeded(f"argument `first` is {first}; at most {max_page_size} per page", argument="first",
                            limit="max_page_size", maximum=max_page_size)
    return first


def page(first: int | None, after: str | None, max_page_size: int, filters=(), count: bool = False,
         members: bool = False, label: Label = Label.PRODUCT) -> Page:
    """A keyset page of `label` items (`members`: of association members, whose cursors are pairs)."""
    cursor = decode_member_cursor(after) if members else decode_cursor(after, label=label)
    return Page(first=page_size(first, max_page_size), after=cursor, filters=tuple(filters), count=count)


def list_size(first: int | None, max_page_size: int) -> int:
    """The most items of a capped list (its `first`): the maximum page size when not given."""
    return page_size(first, max_page_size, default=max_page_size)


def list_cap(first: int | None, max_page_size: int) -> Page:
    """The cap of a relation list (its `first`, `list_size`)."""
    return Page(first=list_size(first, max_page_size))
