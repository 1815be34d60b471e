"""A Neo4j Browser guide of the query library: each named query, what it answers, one click to the editor.

Browser 5.24 plays remote guides (`:play <url>`) fetched over HTTP from the hosts its server allows
(`browser.remote_content_hostname_whitelist`: `localhost` by default; the local server also allows
127.0.0.1). Neo4j serves nothing but the Browser's own files, so `mastgraph browser --guide` serves
this page itself on loopback while it runs (`serve_guide`), answering the Browser's CORS preflight.

In the guide, a `<pre class="runnable">` goes to the editor when clicked. Each query has two: its
`:param` lines (run first: parameters stay set for the Browser session), then the query alone, so
that its result shows as a table or graph (a script of `:param` lines and a query shows only a
summary per statement). The Browser fills `<span value-key=K>` from `<input value-for=K>` as one
types, so a required parameter is typed in the guide and lands in its `:param` line. Optional
parameters are `null` (the query then uses its default). Under it, a second `:param` block holds an
example of the loaded graph for each required parameter (`guide_examples`: the Level-3 product with
the most members, the reference file most used...), so that a query runs without typing.
"""

from __future__ import annotations

import html
import threading
import json
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import neo4j

from . import queries
from .queries import NamedQuery, param_specs

GUIDE_PATH = "/mastgraph-library.html"


def _param_line(named: NamedQuery, spec) -> str:
    name = html.escape(spec.name)
    if not spec.required:
        return f":param {name} => null;"
    key = html.escape(f"{named.name}.{spec.name}")
    value = f'<span value-key="{key}"></span>'
    return f':param {name} => "{value}";' if spec.type == "string" else f":param {name} => {value};"


#: The example (a column of `cypher/api/guide_examples.cypher`) of a required parameter, by its name.
_EXAMPLE_OF = {"program": "program", "observation": "observation", "mnemonic": "mnemonic", "t_min": "t_min",
               "t_max": "t_max"}


def _example_key(spec) -> str | None:
    """Which example a required parameter takes: by its name, and for `uri` and `name` by its note."""
    note = spec.note.lower()
    if spec.name == "uri":
        return "l3" if "level-3" in note else "member"
    if spec.name == "name":
        return "crds_context" if "context" in note else "reference_file" if "reference file" in note else None
    return _EXAMPLE_OF.get(spec.name)


def guide_examples(driver: neo4j.Driver, database: str | None, timeout: float = 60.0) -> dict[str, Any]:
    """The loaded graph's examples for the guide's parameters (`cypher/api/guide_examples.cypher`, one
    read); the kinds the graph has none of are left out."""
    records, _, _ = driver.execute_query(neo4j.Query(queries.text("api/guide_examples"), timeout=timeout),
                                         routing_=neo4j.RoutingControl.READ, database_=database)
    return {key: value for key, value in records[0].data().items() if value is not None} if records else {}


def _literal(value: Any) -> str:
    """A Cypher literal of an example (a string is quoted as JSON quotes it, which Cypher reads alike)."""
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _example_block(named: NamedQuery, specs, examples: Mapping[str, Any]) -> str:
    """The `:param` block with an example of the graph for every required parameter ('' when one has none)."""
    lines = []
    for spec in specs:
        if not spec.required:
            lines.append(f":param {spec.name} => null;")
            continue
        key = _example_key(spec)
        if key not in examples:
            return ""
        lines.append(f":param {spec.name} => {_literal(examples[key])};")
    return (f"<p>or, with {'an example' if sum(s.required for s in specs) == 1 else 'examples'} "
            "from this graph:</p>\n"
            f'<pre class="runnable" data-example-params="{html.escape(named.name)}">'
            f'{html.escape(chr(10).join(lines))}</pre>\n')


def _entry(named: NamedQuery, examples: Mapping[str, Any]) -> str:
    specs = param_specs(named)
    inputs = "".join(
        f'<label>{html.escape(spec.name)} <small>({html.escape(spec.type)}{", " + html.escape(spec.note) if spec.note else ""})</small> '
        f'<input type="text" value-for="{html.escape(named.name)}.{html.escape(spec.name)}" '
        f'placeholder="{html.escape(spec.name)}" size="72"></label><br>'
        for spec in specs if spec.required
    )
    params = "\n".join(_param_line(named, spec) for spec in specs)
    params_block = f'<pre class="runnable" data-params="{html.escape(named.name)}">{params}</pre>\n' if specs else ""
    if any(spec.required for spec in specs):
        params_block += _example_block(named, specs, examples)
    return (
        f'<h4 id="{html.escape(named.name)}"><code>{html.escape(named.name)}</code></h4>\n'
        f"<p>{html.escape(named.description)}</p>\n"
        f"{inputs}\n{params_block}"
        f"{'<p>then the query:</p>' if specs else ''}\n"
        f'<pre class="runnable" data-query="{html.escape(named.name)}">{html.escape(named.text.strip())}</pre>\n'
    )


def guide_html(library: Iterable[NamedQuery], examples: Mapping[str, Any] | None = None) -> str:
    """The guide page: one entry per library query, in the library's order; with `examples`
    (`guide_examples`), a `:param` block of them under each query whose required parameters they fill."""
    entries = "\n".join(_entry(named, examples or {}) for named in library)
    return (
        '<article class="guide">\n'
        "<h3>mastgraph: the query library</h3>\n"
        "<p>Each question below is a named query of mastgraph's library (<code>cypher/*.cypher</code>, "
        "the same files <code>mastgraph cypher NAME</code> runs). Type the required parameters, click the "
        "<code>:param</code> block and run it (Ctrl+Enter) to set the parameters (or click the block of examples "
        "from this graph under it), then click the query and run it: the result shows as a table and, for nodes "
        "and paths, as a graph. Optional parameters start as <code>null</code>: the query then uses its "
        "default.</p>\n"
        f"{entries}"
        "</article>\n"
    )


class _GuideHandler(BaseHTTPRequestHandler):
    page: bytes = b""

    def _headers(self, status: int, length: int = 0) -> None:
        self.send_response(status)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", self.headers.get("Access-Control-Request-Headers", "*"))
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_OPTIONS(self) -> None:  # noqa: N802 - http.server's naming
        self._headers(204)

    def do_GET(self) -> None:  # noqa: N802
        if self.path.split("?")[0] != GUIDE_PATH:
            self._headers(404)
            return
        self._headers(200, len(self.page))
        self.wfile.write(self.page)

    def log_message(self, format: str, *args: object) -> None:  # quiet: the command prints what matters
        pass


def serve_guide(page: str, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Serve `page` at GUIDE_PATH on host:port (0: a free port) in a background thread; `shutdown()` stops it."""
    handler = type("GuideHandler", (_GuideHandler,), {"page": page.encode()})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="browser-guide", daemon=True).start()
    return server
