"""Calibration reference files and CRDS contexts: contributing products that are not associated."""

from __future__ import annotations

from typing import Annotated

import strawberry

from .pagination import PAGE_SIZE, ProductConnection
from .relations import related, relation


@strawberry.type(description="A CRDS calibration reference file (`jwst_nirspec_flat_0123.fits`).")
class ReferenceFile:
    name: str
    instrument: str | None
    reftype: str | None

    @relation("The products calibrated with this reference file (USED_REFERENCE), a page at a time.")
    def products(self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None) -> ProductConnection:
        return related(self, info)

    @relation("Every Level-3 product downstream of the products calibrated with "
              "this reference file (USED_REFERENCE, then COMPOSITION, ANTECEDENT and CONTEMPORANEOUS_CALIBRATION), "
              "each once, a page at a time.")
    def end_products(self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None) -> ProductConnection:
        return related(self, info)


@strawberry.type(description="A CRDS context (`jwst_0641.pmap`): the set of reference files in force.")
class CrdsContext:
    name: str

    @relation("The products calibrated under this context (CALIBRATED_UNDER), a page at a time.")
    def products(self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None) -> ProductConnection:
        return related(self, info)
