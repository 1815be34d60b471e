"""Products of other missions: external pre-images and linked data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from .pagination import LIST_SIZE, PAGE_SIZE, ProductConnection
from .relations import related, relation

if TYPE_CHECKING:
    from .product import Product

ProductRef = Annotated["Product", strawberry.lazy("mastgraph.api.product")]


@strawberry.type(description="A product of another mission (an HST pre-image, a high-level science product ...).")
class ExternalProduct:
    uri: str
    mission: str | None
    description: str | None

    @relation("The JWST products it is an external pre-image of (EXTERNAL_PRE_IMAGE); the first `first` of them "
              "(`preImageOfConnection` pages on).")
    def pre_image_of(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[ProductRef]:
        return related(self, info)

    @relation("`preImageOf` a page at a time, in URI order, with their total count (EXTERNAL_PRE_IMAGE).")
    def pre_image_of_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)

    @relation("The JWST products that link to it (LINKED); the first `first` of them "
              "(`linkedFromConnection` pages on).")
    def linked_from(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[ProductRef]:
        return related(self, info)

    @relation("`linkedFrom` a page at a time, in URI order, with their total count (LINKED).")
    def linked_from_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)
