"""Engineering data: EDB mnemonics and the series of their samples (contributing products)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from .pagination import (
    ITEMS_PER_PAGE, LIST_SIZE, PAGE_SIZE, EngineeringSeriesConnection, ObservationConnection, ProductConnection,
)
from .relations import related, relation

if TYPE_CHECKING:
    from .observation import Observation
    from .product import Product

ProductRef = Annotated["Product", strawberry.lazy("mastgraph.api.product")]
ObservationRef = Annotated["Observation", strawberry.lazy("mastgraph.api.observation")]


@strawberry.type(description="An Engineering Database (EDB) mnemonic, e.g. SA_ZATTEST2.")
class Mnemonic:
    name: str
    subsystem: str | None
    raw_type: str | None
    eu_type: str | None
    sql_type: str | None

    @relation("The series of samples of this mnemonic (OF_MNEMONIC, reverse), in key order; the first `first` "
              "of them (`seriesConnection` pages on).")
    def series(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[EngineeringSeries]:
        return related(self, info)

    @relation("`series` a page at a time, in key order, with their total count (OF_MNEMONIC, reverse).")
    def series_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=ITEMS_PER_PAGE)] = None, after: str | None = None,
    ) -> EngineeringSeriesConnection:
        return related(self, info)


@strawberry.type(description="Samples of one mnemonic over a time range, as MAST's EDB serves them.")
class EngineeringSeries:
    key: str = strawberry.field(description="`<MNEMONIC>-<start>-<end>` as in MAST's EDB file names.")
    mnemonic_name: str | None
    t_min: float | None = strawberry.field(description="First sample (MJD).")
    t_max: float | None = strawberry.field(description="Last sample (MJD).")
    n_samples: int | None
    sql_type: str | None
    times: list[float] | None = strawberry.field(description="Sample times (MJD).")
    values: JSON | None = strawberry.field(description="Sample values: numbers, or strings for text mnemonics.")

    @relation("The mnemonic (OF_MNEMONIC).")
    def mnemonic(self, info: strawberry.Info) -> Mnemonic | None:
        return related(self, info)

    @relation("Exposures taken while the series was recorded (HAS_ENGINEERING, reverse), in obsid order; the "
              "first `first` of them (`observationsConnection` pages on).")
    def observations(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[ObservationRef]:
        return related(self, info)

    @relation("`observations` a page at a time, in obsid order, with their total count (HAS_ENGINEERING, reverse).")
    def observations_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=ITEMS_PER_PAGE)] = None, after: str | None = None,
    ) -> ObservationConnection:
        return related(self, info)

    @relation("Products whose exposure overlaps the series (HAS_ENGINEERING, reverse); the first `first` of them "
              "(`productsConnection` pages on).")
    def products(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[ProductRef]:
        return related(self, info)

    @relation("`products` a page at a time, in URI order, with their total count (HAS_ENGINEERING, reverse).")
    def products_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)


@strawberry.type(description="What an engineering window touched: the series, the exposures and products taken "
                 "during it, and the Level-3 products they feed.")
class EngineeringImpact:
    truncated: bool = strawberry.field(description="True when a list holds only its first `first` items "
                                       "(narrow the window, or ask for more, up to MASTGRAPH_MAX_PAGE_SIZE).")
    series: list[EngineeringSeries]
    exposures: list[ObservationRef]
    products: list[ProductRef] = strawberry.field(description="Products linked directly to the series (their own "
                                                  "exposure times overlap the window).")
    level3_products: list[ProductRef] = strawberry.field(description="Level-3 products composed from the exposures' "
                                                         "products (through ANTECEDENT and COMPOSITION).")
