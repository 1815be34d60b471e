"""Lineage walks: the products reached from one product, each once, and the relationships walked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from .enums import LineageRelationship

if TYPE_CHECKING:
    from .product import Product

ProductRef = Annotated["Product", strawberry.lazy("mastgraph.api.product")]


@strawberry.type(description="A product reached by a lineage walk, at its shortest distance from the start.")
class LineageNode:
    depth: int = strawberry.field(description="Steps from the start (0 for the start itself).")
    product: ProductRef


@strawberry.type(description="A lineage relationship, always pointing from what was made to what it was made from.")
class LineageEdge:
    from_: str = strawberry.field(name="from", description="URI of the product that was made.")
    to: str = strawberry.field(description="URI of the product it was made from.")
    type: LineageRelationship
    properties: JSON = strawberry.field(description="The relationship's properties (`by`, `kind`, `exptype`).")


@strawberry.type(description="A deduplicated, cycle-safe lineage walk.")
class Lineage:
    nodes: list[LineageNode] = strawberry.field(description="Each product once, nearest first.")
    edges: list[LineageEdge]
    truncated: bool = strawberry.field(description="True when `limit` or `maxDepth` stopped the walk with more "
                                       "products beyond.")
