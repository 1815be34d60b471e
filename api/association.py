"""The Association type (a JWST association file's content) and its membership items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from .arguments import encode_member_cursor
from .pagination import ITEMS_PER_PAGE, LIST_SIZE, PAGE_SIZE, PageInfo, ProductConnection
from .relations import end, related, relation, role

if TYPE_CHECKING:
    from .product import Product

ProductRef = Annotated["Product", strawberry.lazy("mastgraph.api.product")]


@strawberry.type(description="A JWST association: the formal list of the products a pipeline stage combines.")
class Association:
    name: str = strawberry.field(description="The association file name without `_asn.json`, the key.")
    asn_type: str | None = strawberry.field(description="image2, spec2, image3, spec3, coron3, tso3, wfs-image3 ...")
    asn_rule: str | None
    asn_pool: str | None
    asn_id: str | None
    program_id: str | None
    target: str | None
    code_version: str | None
    version_id: str | None
    degraded_status: str | None
    product_names: list[str] | None = strawberry.field(description="The names of the association's products.")
    composition_by: str | None = strawberry.field(description="How its Level-3 product combines members.")

    @relation("The association's members (HAS_MEMBER), with their exposure types, in product URI order; "
              "the first `first` of them (`membersConnection` pages on).")
    def members(self, info: strawberry.Info, exptype: list[str] | None = None,
                first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None) -> list[AssociationMember]:
        return related(self, info)

    @relation("`members` a page at a time, in product URI order, with their total count (HAS_MEMBER).")
    def members_connection(
        self, info: strawberry.Info, exptype: list[str] | None = None,
        first: Annotated[int | None, strawberry.argument(description=ITEMS_PER_PAGE)] = None, after: str | None = None,
    ) -> AssociationMemberConnection:
        return related(self, info)

    @relation("The products the association produced (PRODUCED_BY, reverse); the first `first` of them "
              "(`productsConnection` pages on).")
    def products(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[ProductRef]:
        return related(self, info)

    @relation("`products` a page at a time, in URI order, with their total count (PRODUCED_BY, reverse).")
    def products_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)

    @relation("Per-source products derived from its Level-3 product (MULTIPLICITY, reverse); the first `first` "
              "of them (`perSourceProductsConnection` pages on).")
    def per_source_products(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[ProductRef]:
        return related(self, info)

    @relation("`perSourceProducts` a page at a time, in URI order, with their total count (MULTIPLICITY, reverse).")
    def per_source_products_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)

    @relation("The association file (`_asn.json`) itself, as a product.")
    def association_file(self, info: strawberry.Info) -> ProductRef | None:
        return related(self, info)


@strawberry.type(description="One member of an association (a HAS_MEMBER relationship).")
class AssociationMember:
    exptype: str | None = strawberry.field(description="science, background, psf, imprint, selfcal, "
                                           "target_acquisition, sourcecat, segmap, direct_image.")
    asn_product: str | None = strawberry.field(description="The association product the member belongs to.")

    @role("The association.")
    def association(self, info: strawberry.Info) -> Association:
        return end(self, info)

    @role("The member product.")
    def product(self, info: strawberry.Info) -> ProductRef:
        return end(self, info)


@strawberry.type
class AssociationMemberEdge:
    cursor: str
    node: AssociationMember


@strawberry.type(description="A page of an association's members in product URI order (a product that is a "
                 "member of two association products is two members).")
class AssociationMemberConnection:
    total_count: int = strawberry.field(description="How many members match, over all pages.")

    @strawberry.field
    def nodes(self) -> list[AssociationMember]:
        return self["items"][: self["first"]]

    @strawberry.field
    def edges(self) -> list[AssociationMemberEdge]:
        return [{"cursor": encode_member_cursor(item["@after"]), "node": item} for item in self["items"][: self["first"]]]

    @strawberry.field
    def page_info(self) -> PageInfo:
        shown = self["items"][: self["first"]]
        return {
            "has_next_page": len(self["items"]) > self["first"],
            "end_cursor": encode_member_cursor(shown[-1]["@after"]) if shown else None,
        }
