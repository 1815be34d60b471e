"""Products of other missions: external pre-images and linked data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from .relations import related, relation

if TYPE_CHECKING:
    from .product import Product

ProductRef = Annotated["Product", strawberry.lazy("mastgraph.api.product")]


@strawberry.type(description="A product of another mission (an HST pre-image, a high-level science product ...).")
class ExternalProduct:
    uri: str
    mission: str | None
    description: str | None

    @relation("The JWST products it is an external pre-image of (EXTERNAL_PRE_IMAGE).")
    def pre_image_of(self, info: strawberry.Info) -> list[ProductRef]:
        return related(self, info)

    @relation("The JWST products that link to it (LINKED).")
    def linked_from(self, info: strawberry.Info) -> list[ProductRef]:
        return related(self, info)
