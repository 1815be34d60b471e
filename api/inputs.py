"""What went into a product (`Product.inputs`): the exposures, visits, observations and programs it combines.

An L3 header names one observation while its association may combine several: this answer is
read from the graph (the raw exposures reached upstream), not from the header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from .observation import Observation, Program

ObservationRef = Annotated["Observation", strawberry.lazy("mastgraph.api.observation")]
ProgramRef = Annotated["Program", strawberry.lazy("mastgraph.api.observation")]


@strawberry.type(description="What went into a product: the raw (Level-1b) exposures reached upstream through "
                 "COMPOSITION, ANTECEDENT and CONTEMPORANEOUS_CALIBRATION, and where they were taken.")
class ProductInputs:
    exposures: int = strawberry.field(description="How many raw (Level-1b) exposure products went into it.")
    visits: list[str] = strawberry.field(description="Their visit ids (`jw02733002001`), sorted.")
    program_observations: list[str] = strawberry.field(description="Their program observations "
                                                       "(`jw02733-o002`), sorted: an L3 may combine several.")
    observations: list[ObservationRef] = strawberry.field(description="The combined (Level-3) observations "
                                                          "that hold those exposures as members (HAS_MEMBER), by obsid.")
    programs: list[ProgramRef] = strawberry.field(description="The programs the exposures belong to.")
