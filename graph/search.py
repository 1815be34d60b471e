"""Prefix search over the look-up keys, and the examples offered on an empty search page.

`search` turns typed text into one prefix per key (`cypher/api/search.cypher`), each answered by
an index seek: product file names (a `mast:JWST/product/` URI is searched by its file name),
observation `obs_id` (text) or `obsid` (digits), program ids (`2733`, `02733`, `jw02733`) and
association names. JWST names are lower case, so the text is lower-cased: the search ignores case.

Hits are ordered: exact matches first, then by kind (PRODUCT, OBSERVATION, PROGRAM, ASSOCIATION),
then by the name that matched (the file name, obs_id or obsid, five-digit program id, association
name). A cursor stands for the last hit's place in that order, so pages neither repeat nor skip.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from . import queries
from .read import ArgumentError

#: Kinds of hit, in the order they are listed.
KINDS = ("PRODUCT", "OBSERVATION", "PROGRAM", "ASSOCIATION")
_RANK = {kind: rank for rank, kind in enumerate(KINDS)}

_URI_PREFIX = "mast:jwst/product/"
_PROGRAM = re.compile(r"^(?:jw)?(\d{1,5})$", re.ASCII)  # (\d alone takes "٢٧٣٣")


@dataclass(frozen=True)
class Prefixes:
    """The prefix searched for each key (None: that key cannot match the text)."""

    filename: str | None = None
    obs_id: str | None = None
    obsid: str | None = None
    program: str | None = None
    proposal: str | None = None
    association: str | None = None
    #: The text as typed (lower case), for "exact match" (a URI is compared as a URI).
    exact: str = ""


def prefixes(text: str) -> Prefixes:
    """Which key could start with what the user typed."""
    typed = text.strip().lower()
    if not typed:
        raise ArgumentError("text", "type at least one character")
    if typed.startswith(_URI_PREFIX):
        name = typed[len(_URI_PREFIX):]
        return Prefixes(filename=name, exact=name) if name else Prefixes(filename="", exact="")
    if typed.startswith("mast:") and _URI_PREFIX.startswith(typed):  # typing a URI: every product
        return Prefixes(filename="", exact=typed)
    digits = typed.isdigit()
    program = proposal = None
    match = _PROGRAM.match(typed)
    if match:
        number = match.group(1)
        if number.startswith("0") or len(number) == 5:
            program = number
        else:
            proposal = number
    return Prefixes(
        filename=None if digits else typed,
        obs_id=None if digits else typed,
        obsid=typed if digits else None,
        program=program,
        proposal=proposal,
        association=None if digits else typed,
        exact=typed,
    )


def encode_cursor(place: tuple[int, int, str]) -> str:
    return base64.urlsafe_b64encode(("search:" + json.dumps(list(place))).encode()).decode()


def decode_cursor(cursor: str | None) -> tuple[int, int, str] | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith("search:"):
            exact, rank, name = json.loads(text[len("search:"):])
            if exact in (0, 1) and rank in range(len(KINDS)) and isinstance(name, str):
                return (exact, rank, name)
    except (binascii.Error, UnicodeError, ValueError, TypeError):
        pass
    raise ArgumentError("after", "not a cursor of this search (use the `endCursor` it returned)")


def _is_exact(hit: dict, typed: str) -> bool:
    if hit["kind"] == "PROGRAM":
        match = _PROGRAM.match(typed)
        return match is not None and match.group(1).zfill(5) == hit["key"]
    return typed in (hit["name"], hit["label"], hit["key"].lower())


def place(hit: dict, typed: str) -> tuple[int, int, str]:
    """A hit's place in the order: exact matches first, then kind, then the name that matched."""
    return (0 if _is_exact(hit, typed) else 1, _RANK[hit["kind"]], hit["name"])


def detail(hit: dict) -> str | None:
    """A short description of a hit, from the fields the search query returns."""
    kind = hit["kind"]
    if kind == "PRODUCT":
        level = f"Level {hit['level']}" if hit.get("level") else None
        parts = [level, hit.get("product_type"), hit.get("suffix"), hit.get("instrument")]
        if hit.get("members"):
            parts.append(f"{hit['members']} members")
    elif kind == "OBSERVATION":
        parts = ["combined" if hit.get("combined") else "exposure", hit.get("instrument"), hit.get("filters"),
                 hit.get("target")]
        if hit.get("members"):
            parts.append(f"{hit['members']} members")
    elif kind == "PROGRAM":
        count = hit.get("observations") or 0
        parts = [f"PI {hit['pi']}" if hit.get("pi") else None, f"{count} observation{'s' if count != 1 else ''}"]
    else:
        count = hit.get("members") or 0
        parts = [hit.get("asn_type"), hit.get("asn_rule"), f"{count} member{'s' if count != 1 else ''}"]
    text = ", ".join(str(p) for p in parts if p)
    return text or None


def _hit(raw: dict) -> dict[str, Any]:
    return {"kind": raw["kind"], "key": raw["key"], "label": raw["label"], "detail": detail(raw)}


async def search(reader, text: str, first: int, after: str | None = None) -> dict[str, Any]:
    """A page of hits: ``{"hits": [...], "end_cursor": str | None, "has_next_page": bool}``."""
    if first < 0:
        raise ArgumentError("first", "must be 0 or more")
    wanted = prefixes(text)
    cursor = decode_cursor(after)
    after_names = {kind: "" for kind in KINDS}
    keys = {"PRODUCT": ("filename",), "OBSERVATION": ("obs_id", "obsid"), "PROGRAM": ("program", "proposal"),
            "ASSOCIATION": ("association",)}
    given = {name: getattr(wanted, name) for names in keys.values() for name in names}
    if cursor is not None and cursor[0] == 1:  # past the exact matches: resume each kind after the cursor
        for kind, rank in _RANK.items():
            if rank < cursor[1]:
                given.update({name: None for name in keys[kind]})
            elif rank == cursor[1]:
                after_names[kind] = cursor[2]
    # one more than a page, and one more for an exact match that sorts first in its kind
    params = {**given, "after": after_names, "limit": first + 2}
    raw = (await reader.values(queries.text("api/search"), params))[0]
    ranked = sorted(((place(h, wanted.exact), h) for h in raw), key=lambda item: item[0])
    seen: set[tuple[str, str]] = set()
    hits = []
    for where, hit in ranked:
        if cursor is not None and where <= cursor:
            continue
        if (hit["kind"], hit["key"]) in seen:
            continue
        seen.add((hit["kind"], hit["key"]))
        hits.append((where, hit))
    shown = hits[:first]
    return {
        "hits": [_hit(h) for _, h in shown],
        "end_cursor": encode_cursor(shown[-1][0]) if shown else None,
        "has_next_page": len(hits) > first,
    }


#: The examples of each driver's database, with the graph's node and relationship counts they were
#: read at: `examples` reads them again only when a count has changed (a load that adds anything),
#: as finding them visits every Level-3 product, combined observation and program (0.3 s at L,
#: about ten times that at XL, on every empty explorer page), where the counts come from Neo4j's
#: count store.
_EXAMPLES: dict[tuple[int, str, int], tuple[list, list[dict[str, Any]]]] = {}


async def examples(reader, limit: int = 5) -> list[dict[str, Any]]:
    """The notable products, observations and programs of the loaded data (`cypher/api/examples.cypher`)."""
    key = (id(reader.driver), reader.database, limit)
    counts = (await reader.values(queries.text("api/graph_counts"), {}))[0]
    kept = _EXAMPLES.get(key)
    if kept is not None and kept[0] == counts:
        return kept[1]
    raw = (await reader.values(queries.text("api/examples"), {"limit": limit}))[0]
    found = [_hit(h) for h in raw]
    if len(_EXAMPLES) >= 16:  # (a driver per app: a process with many apps, the tests', keeps the last few)
        _EXAMPLES.pop(next(iter(_EXAMPLES)))
    _EXAMPLES[key] = (counts, found)
    return found
