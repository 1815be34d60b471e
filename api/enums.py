"""The API's enums: the model's vocabulary (model/vocabulary.py) under GraphQL names.

Each value is what the graph stores, so answers read from Neo4j serialize without translation.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from mastgraph.model import vocabulary as model


def _mirror(source: type[Enum], description: str) -> type[Enum]:
    """A GraphQL enum with the members of a model enum (the model's classes stay untouched)."""
    return strawberry.enum(Enum(source.__name__, {m.name: m.value for m in source}), description=description)


CompositionBy = _mirror(model.CompositionBy, "How a Level-3 product combines Level-2b products (COMPOSITION `by`).")
CalibrationKind = _mirror(model.CalibrationKind, "Kinds of contemporaneous calibration (arc lamp, flat field, background, PSF ...).")
PrerequisiteKind = _mirror(model.PrerequisiteKind, "Kinds of prerequisite (target acquisition, confirmation image, pre-image).")
AggregationKind = _mirror(model.AggregationKind, "Kinds of aggregated ancillary product (intermediate, guide star).")
LinkedKind = _mirror(model.LinkedKind, "Kinds of linked data product (guide star, MSA catalog, preview, cut-out, other mission).")


@strawberry.enum(description="An exposure-level observation, or a combined (Level-3) one with members.")
class ObservationLevel(Enum):
    EXPOSURE = "EXPOSURE"
    COMBINED = "COMBINED"


@strawberry.enum(description="Lineage points from what was made to what it was made from.")
class LineageDirection(Enum):
    UPSTREAM = "UPSTREAM"  # toward the raw exposures (what a product was made from)
    DOWNSTREAM = "DOWNSTREAM"  # toward the combined products (what was made from it)


@strawberry.enum(description="The product-to-product lineage relationships of the model.")
class LineageRelationship(Enum):
    COMPOSITION = model.Rel.COMPOSITION.value
    ANTECEDENT = model.Rel.ANTECEDENT.value
    CONTEMPORANEOUS_CALIBRATION = model.Rel.CONTEMPORANEOUS_CALIBRATION.value
    PREREQUISITE = model.Rel.PREREQUISITE.value
    LINKED = model.Rel.LINKED.value
