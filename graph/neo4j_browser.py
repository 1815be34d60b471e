"""Where a Neo4j Browser connected to mastgraph's database is, for pages and commands that link to it.

The explorer's node panel offers "open in Neo4j Browser" when `browser_url` gives an address: it
appends `&cmd=edit&arg=<url-encoded text>` to it, the text being `:param` lines followed by the
Cypher of the node's lineage.
"""

from __future__ import annotations

from .settings import Settings


def browser_url(settings: Settings) -> str | None:
    """The Browser's address (with `connectURL`), or None when no Browser is exposed.

    The local server runs with its HTTP connector off, so it exposes none.
    """
    return None
