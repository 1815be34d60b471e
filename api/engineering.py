"""Engineering data: EDB mnemonics and the series of their samples (contributing products)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

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

    @relation("The series of samples of this mnemonic (OF_MNEMONIC, reverse).")
    def series(self, info: strawberry.Info) -> list[EngineeringSeries]:
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

    @relation("Exposures taken while the series was recorded (HAS_ENGINEERING, reverse).")
    def observations(self, info: strawberry.Info) -> list[ObservationRef]:
        return related(self, info)

    @relation("Products whose exposure overlaps the series (HAS_ENGINEERING, reverse).")
    def products(self, info: strawberry.Info) -> list[ProductRef]:
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
