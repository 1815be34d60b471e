"""Search: prefix search over the look-up keys (`graph.search`), and examples for an empty page."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="What a search hit is; its `key` is what the matching root field takes.")
class SearchKind(Enum):
    PRODUCT = "PRODUCT"  # key: uri -> product(uri)
    OBSERVATION = "OBSERVATION"  # key: obsid -> observation(obsid)
    PROGRAM = "PROGRAM"  # key: five-digit program id -> program(id)
    ASSOCIATION = "ASSOCIATION"  # key: name -> association(name)


@strawberry.type(description="One thing a search found.")
class SearchHit:
    kind: SearchKind
    key: str = strawberry.field(description="What the look-up root field takes: a product's uri, an "
                                "observation's obsid, a program's id, an association's name.")
    label: str = strawberry.field(description="The human name: file name, obs_id, `jw02733`, association name.")
    detail: str | None = strawberry.field(description="A short description (level and product type, "
                                          "instrument and filters, PI, members).")


@strawberry.type(description="A page of search hits: exact matches first, then by kind and name.")
class SearchResults:
    hits: list[SearchHit]
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool
