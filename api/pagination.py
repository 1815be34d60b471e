"""Keyset pages: the connection types (of products, observations, engineering series) and the product filter.

Pages are in key order (a product's URI, an observation's obsid, a series' key); a cursor stands
for the key of the last item seen, so walking a list page by page neither repeats nor skips an
item, even while items are added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from mastgraph.graph.views import KEY_FIELDS, PRODUCT_FILTERS
from mastgraph.model.vocabulary import Label

from .arguments import encode_cursor

if TYPE_CHECKING:
    from .engineering import EngineeringSeries
    from .observation import Observation
    from .product import Product

ProductRef = Annotated["Product", strawberry.lazy("mastgraph.api.product")]
ObservationRef = Annotated["Observation", strawberry.lazy("mastgraph.api.observation")]
SeriesRef = Annotated["EngineeringSeries", strawberry.lazy("mastgraph.api.engineering")]

#: Description of every `first` argument.
PAGE_SIZE = "Products per page: 100 when not given, at most the server's MASTGRAPH_MAX_PAGE_SIZE."
#: Description of the `first` argument of a relation list.
LIST_SIZE = ("At most this many items (in key order): MASTGRAPH_MAX_PAGE_SIZE when not given, and at most that; "
             "the field's connection beside it tells whether more exist and pages on.")
#: Description of the `first` argument of a connection of relation items.
ITEMS_PER_PAGE = "Items per page: 100 when not given, at most the server's MASTGRAPH_MAX_PAGE_SIZE."


def filters_declared(cls: type) -> type:
    """`cls` (the product filter input) as it is, when each of its fields has its condition in
    graph/views.py PRODUCT_FILTERS and each condition its field; else refused (at import)."""
    fields, conditions = set(cls.__annotations__), set(PRODUCT_FILTERS)
    if fields != conditions:
        unread = ", ".join(sorted(fields - conditions)) or "none"
        unasked = ", ".join(sorted(conditions - fields)) or "none"
        raise LookupError(f"{cls.__qualname__}: fields without a condition in graph/views.py PRODUCT_FILTERS: "
                          f"{unread}; conditions without a field: {unasked}")
    return cls


@strawberry.input(description="Conditions on products; all given conditions must hold.")
@filters_declared
class ProductFilter:
    program: str | None = strawberry.field(default=None, description="Program id (2733 or 02733).")
    instrument: str | None = strawberry.field(default=None, description="Instrument (miri, nircam ...); from the file "
                                              "name, else the observation's instrument (prefix match, any case).")
    level: str | None = strawberry.field(default=None, description="Pipeline level: 1b, 2a, 2b or 3.")
    suffix: str | None = strawberry.field(default=None, description="File suffix: uncal, rate, cal, i2d ...")
    product_type: str | None = strawberry.field(default=None, description="SCIENCE, AUXILIARY, INFO, PREVIEW ...")
    calib_level: int | None = None
    mrp: bool | None = strawberry.field(default=None, description="A minimum recommended product of some observation "
                                        "by mastgraph's rule (MRP), or not.")
    mast_mrp: bool | None = strawberry.field(default=None, description="Flagged by MAST as a Minimum Recommended "
                                             "Product in its own listing, or not.")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None = strawberry.field(description="Pass as `after` to get the next page.")


def edges_of(page: dict, label: Label) -> list[dict]:
    """The edges of a page of `label` nodes (``{"first", "items", ...}``, one item more when there is a next page)."""
    key = KEY_FIELDS[label]
    return [{"cursor": encode_cursor(item[key], label), "node": item} for item in page["items"][: page["first"]]]


def page_info_of(page: dict, label: Label) -> dict:
    shown = page["items"][: page["first"]]
    return {
        "has_next_page": len(page["items"]) > page["first"],
        "end_cursor": encode_cursor(shown[-1][KEY_FIELDS[label]], label) if shown else None,
    }


@strawberry.type
class ProductEdge:
    cursor: str
    node: ProductRef


@strawberry.type(description="A page of products in URI order.")
class ProductConnection:
    total_count: int = strawberry.field(description="How many products match, over all pages.")

    @strawberry.field
    def nodes(self) -> list[ProductRef]:
        return self["items"][: self["first"]]

    @strawberry.field
    def edges(self) -> list[ProductEdge]:
        return edges_of(self, Label.PRODUCT)

    @strawberry.field
    def page_info(self) -> PageInfo:
        return page_info_of(self, Label.PRODUCT)


@strawberry.type
class ObservationEdge:
    cursor: str
    node: ObservationRef


@strawberry.type(description="A page of observations in obsid order.")
class ObservationConnection:
    total_count: int = strawberry.field(description="How many observations match, over all pages.")

    @strawberry.field
    def nodes(self) -> list[ObservationRef]:
        return self["items"][: self["first"]]

    @strawberry.field
    def edges(self) -> list[ObservationEdge]:
        return edges_of(self, Label.OBSERVATION)

    @strawberry.field
    def page_info(self) -> PageInfo:
        return page_info_of(self, Label.OBSERVATION)


@strawberry.type
class EngineeringSeriesEdge:
    cursor: str
    node: SeriesRef


@strawberry.type(description="A page of engineering series in key order.")
class EngineeringSeriesConnection:
    total_count: int = strawberry.field(description="How many series match, over all pages.")

    @strawberry.field
    def nodes(self) -> list[SeriesRef]:
        return self["items"][: self["first"]]

    @strawberry.field
    def edges(self) -> list[EngineeringSeriesEdge]:
        return edges_of(self, Label.ENGINEERING_SERIES)

    @strawberry.field
    def page_info(self) -> PageInfo:
        return page_info_of(self, Label.ENGINEERING_SERIES)
