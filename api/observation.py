"""The Observation and Program types: MAST observations (exposure-level or combined) and programs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from .enums import AggregationKind, LinkedKind, ObservationLevel
from .pagination import ITEMS_PER_PAGE, LIST_SIZE, PAGE_SIZE, ObservationConnection, ProductConnection, ProductFilter
from .relations import related, relation

if TYPE_CHECKING:
    from .engineering import EngineeringSeries
    from .product import Product

ProductRef = Annotated["Product", strawberry.lazy("mastgraph.api.product")]
SeriesRef = Annotated["EngineeringSeries", strawberry.lazy("mastgraph.api.engineering")]


@strawberry.type(description="A MAST observation: one row of the MAST Portal, exposure-level or combined (Level 3).")
class Observation:
    obsid: str = strawberry.field(description="MAST's obsID, the observation's key.")
    obs_id: str | None = strawberry.field(description="`jw02733-o002_t001_miri_f1130w` (Level 3) or "
                                          "`jw02733002001_02103_00001_mirimage` (exposure).")
    level: ObservationLevel | None
    program_id: str | None = strawberry.field(description="Five-digit program (proposal) id.")
    calib_level: int | None
    instrument: str | None
    filters: str | None
    target_name: str | None
    target_classification: str | None
    t_min: float | None = strawberry.field(description="Start (MJD).")
    t_max: float | None = strawberry.field(description="End (MJD).")
    t_exptime: float | None
    s_ra: float | None
    s_dec: float | None
    dataproduct_type: str | None
    intent: str | None
    data_rights: str | None
    t_obs_release: float | None
    provenance_name: str | None
    mast_listed: bool | None = strawberry.field(description="True when a MAST listing of this observation was loaded.")

    @relation("The program the observation belongs to (HAS_OBSERVATION).")
    def program(self, info: strawberry.Info) -> Program | None:
        return related(self, info)

    @relation("The products of the observation's own listing (HAS_PRODUCT), in URI order, a page at a time.")
    def products(
        self, info: strawberry.Info, filter: ProductFilter | None = None, first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None
    ) -> ProductConnection:
        return related(self, info)

    @relation("For a combined observation: its member exposures (HAS_MEMBER), in obsid order; the first `first` "
              "of them (`membersConnection` pages on).")
    def members(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[Observation]:
        return related(self, info)

    @relation("`members` a page at a time, in obsid order, with their total count (HAS_MEMBER).")
    def members_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=ITEMS_PER_PAGE)] = None, after: str | None = None,
    ) -> ObservationConnection:
        return related(self, info)

    @relation("The combined observations this exposure is a member of (HAS_MEMBER, reverse).")
    def member_of(self, info: strawberry.Info) -> list[Observation]:
        return related(self, info)

    @relation("The minimum recommended products by mastgraph's rule (MRP): "
              "the observation's own science products at the highest level present.")
    def minimum_recommended_products(self, info: strawberry.Info) -> list[ProductRef]:
        return related(self, info)

    @relation("The products MAST flags as Minimum Recommended Products in this observation's listing (MAST_MRP).")
    def mast_minimum_recommended_products(self, info: strawberry.Info) -> list[ProductRef]:
        return related(self, info)

    @relation("Ancillary products aggregated with the observation (AGGREGATION): "
              "intermediate products and guide-star products.")
    def aggregated(self, info: strawberry.Info, kind: list[AggregationKind] | None = None) -> list[ProductRef]:
        return related(self, info)

    @relation("Linked data products of the observation's products and its members' products (LINKED), each once; "
              "the first `first` of them (`linkedConnection` pages on).")
    def linked(self, info: strawberry.Info, kind: list[LinkedKind] | None = None,
               first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None) -> list[ProductRef]:
        return related(self, info)

    @relation("`linked` a page at a time, in URI order, with their total count (LINKED).")
    def linked_connection(
        self, info: strawberry.Info, kind: list[LinkedKind] | None = None,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)

    @relation("Engineering data series overlapping the exposure (HAS_ENGINEERING), optionally of one mnemonic.")
    def engineering(self, info: strawberry.Info, mnemonic: str | None = None) -> list[SeriesRef]:
        return related(self, info)


@strawberry.type(description="A JWST program (proposal).")
class Program:
    program_id: str = strawberry.field(description="Five-digit program id (`02733`), the program's key.")
    proposal_id: str | None = strawberry.field(description="The proposal id without padding (`2733`).")
    pi: str | None = strawberry.field(description="Principal investigator.")

    @relation("The program's observations (HAS_OBSERVATION), in obsid order; the first `first` of them "
              "(`observationsConnection` pages on).")
    def observations(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[Observation]:
        return related(self, info)

    @relation("`observations` a page at a time, in obsid order, with their total count (HAS_OBSERVATION).")
    def observations_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=ITEMS_PER_PAGE)] = None, after: str | None = None,
    ) -> ObservationConnection:
        return related(self, info)
