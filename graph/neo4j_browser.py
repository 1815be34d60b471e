"""Where a Neo4j Browser connected to mastgraph's database is, and links that open Cypher in it.

`browser_url(settings)` is the Browser's address with `connectURL` (and the auth method) in its
query, or None when no Browser is exposed:

- the local server (NEO4J_URI unset) serves Neo4j Browser 5.24 at
  `http://127.0.0.1:MASTGRAPH_HTTP_PORT/browser/`; it runs without auth, so `NO_AUTH` is preselected
  and the Browser connects at once;
- with NEO4J_URI, `MASTGRAPH_NEO4J_BROWSER_URL` names the Browser (e.g. docker compose's
  `http://127.0.0.1:7474/browser/`); `connectURL` is added unless that address already carries
  one (or `dbms`), because the Bolt address a web page reaches may differ from NEO4J_URI.

A link that opens Cypher in the Browser's editor is `browser_url + "&cmd=edit&arg=" +
encodeURIComponent(text)`, the text being one `:param` line per parameter, then the query:

    :param uri => "mast:JWST/product/jw02733-o001_t001_nircam_clear-f090w_i2d.fits";
    :param limit => null;
    MATCH (start:Product {uri: $uri}) ...

Checked in a real Chromium against Browser 5.24 (tests/test_neo4j_browser.py): the Browser runs
this text as a multi-statement script (`:param` is one of the client commands a script may hold),
sets every parameter, then runs the query. A script's frame shows one summary line per statement
("Started streaming 12 records ..."), not the table or graph; the parameters stay set for the
session, so running the query alone afterwards shows its full result. A link carries one command
only, so no form does better. Values are Cypher literals (`null` for a library
query's optional parameters left out, so the query uses its default). Browser 5.24 decodes the
whole address once and then cuts each `arg` at `&` or `#`, so a text holding either character
cannot travel in a link: `edit_link` refuses it (ValueError) rather than open half a query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from .settings import Settings

#: What encodeURIComponent leaves as is (Python's quote escapes !*'() too, which decodes the same).
_URI_COMPONENT_SAFE = "!*'()"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _host(address: str) -> str:
    return f"[{address}]" if ":" in address and not address.startswith("[") else address


def local_browser_base(settings: Settings) -> str | None:
    """The local server's Browser page (`http://127.0.0.1:7474/browser/`), or None with HTTP off."""
    if not settings.http_port:
        return None
    return f"http://{_host(settings.http_address)}:{settings.http_port}/browser/"


def _connect_url(settings: Settings) -> str:
    return quote(settings.uri, safe=":/@[]")


def browser_url(settings: Settings) -> str | None:
    """The Browser's address (with `connectURL`), or None when no Browser is exposed."""
    if settings.embedded:
        base = local_browser_base(settings)
        if base is None:
            return None
        return f"{base}?connectURL={_connect_url(settings)}&preselectAuthMethod=NO_AUTH"
    if not settings.neo4j_browser_url:
        return None
    url = settings.neo4j_browser_url
    given = {key for key, _ in parse_qsl(urlsplit(url).query)}
    extra = []
    if not given & {"connectURL", "dbms"}:
        extra.append(f"connectURL={_connect_url(settings)}")
    if "preselectAuthMethod" not in given:
        extra.append(f"preselectAuthMethod={'NO_AUTH' if settings.auth is None else 'NATIVE'}")
    if not extra:
        return url
    separator = "&" if urlsplit(url).query else ("" if url.endswith("?") else "?")
    return url + separator + "&".join(extra)


def cypher_literal(value: Any) -> str:
    """A Python value (from JSON or a query's parameters) as a Cypher literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON's string escapes are Cypher's
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"`{str(k).replace('`', '``')}`: {cypher_literal(v)}" for k, v in value.items()) + "}"
    raise ValueError(f"cannot write {type(value).__name__} {value!r} as a Cypher literal")


def editor_text(cypher: str, params: Mapping[str, Any] | None = None) -> str:
    """The Browser editor's text: one `:param name => literal;` line per parameter, then the Cypher."""
    lines = []
    for name, value in (params or {}).items():
        if not _NAME.fullmatch(name):
            raise ValueError(f"bad parameter name {name!r}")
        lines.append(f":param {name} => {cypher_literal(value)};")
    return "".join(line + "\n" for line in lines) + cypher.strip() + "\n"


def edit_link(base_url: str, cypher: str, params: Mapping[str, Any] | None = None) -> str:
    """A Browser address that opens `cypher` in the editor with its parameters set by `:param` lines."""
    text = editor_text(cypher, params)
    cut = sorted({c for c in "&#" if c in text})
    if cut:
        raise ValueError(
            f"this Cypher holds {' and '.join(repr(c) for c in cut)}, where Neo4j Browser 5.24 cuts a link's query; "
            "paste it into the Browser instead"
        )
    return f"{base_url}&cmd=edit&arg={quote(text, safe=_URI_COMPONENT_SAFE)}"
