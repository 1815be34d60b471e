"""The graph vocabulary: labels, relationship types, key properties and the kinds they carry.

Defined once here, documented once for users in docs/model.md. Lineage relationships point from
what was made to what it was made from (downstream -> upstream), so "down to the raw exposures"
is always outgoing.
"""

from __future__ import annotations

import operator
from enum import StrEnum

#: A member's value (`map(VALUE_OF, labels)`): quicker than a loop asking `.value` of each, over
#: millions of records.
VALUE_OF = operator.attrgetter("_value_")


def program_digits(text: str) -> str | None:
    """A JWST program number given as 1 to 5 ASCII digits as a Program's key, 5 digits zero-padded
    (`2733` -> `"02733"`); None for any other text (`isdigit` alone takes '²' and '٣'; `123456` is no
    program, where padding would read it as 23456). The loaders, the audit and `cypher --param` check
    a program with this."""
    return text.zfill(5) if 0 < len(text) <= 5 and text.isascii() and text.isdigit() else None


class Label(StrEnum):
    PROGRAM = "Program"
    OBSERVATION = "Observation"
    EXPOSURE = "Exposure"  # extra label of an exposure-level Observation
    COMBINED = "Combined"  # extra label of a Level-3 Observation
    PRODUCT = "Product"
    L1B = "L1b"
    L2A = "L2a"
    L2B = "L2b"
    L3 = "L3"
    GUIDE_STAR = "GuideStar"
    PREVIEW = "Preview"
    ASSOCIATION_FILE = "AssociationFile"
    POOL_FILE = "PoolFile"
    MSA_FILE = "MsaFile"
    CATALOG = "Catalog"
    ASSOCIATION = "Association"
    REFERENCE_FILE = "ReferenceFile"
    CRDS_CONTEXT = "CrdsContext"
    MNEMONIC = "Mnemonic"
    ENGINEERING_SERIES = "EngineeringSeries"
    EXTERNAL_PRODUCT = "ExternalProduct"


#: The label that carries each node kind's unique key, and that key's property.
KEYS: dict[Label, str] = {
    Label.PROGRAM: "program",
    Label.OBSERVATION: "obsid",
    Label.PRODUCT: "uri",
    Label.ASSOCIATION: "name",
    Label.REFERENCE_FILE: "name",
    Label.CRDS_CONTEXT: "name",
    Label.MNEMONIC: "name",
    Label.ENGINEERING_SERIES: "key",
    Label.EXTERNAL_PRODUCT: "uri",
}

#: Extra labels of a Product by level ("1b", "2a", "2b", "3").
LEVEL_LABELS: dict[str, Label] = {"1b": Label.L1B, "2a": Label.L2A, "2b": Label.L2B, "3": Label.L3}


class Rel(StrEnum):
    # structure
    HAS_OBSERVATION = "HAS_OBSERVATION"  # (Program)->(Observation)
    HAS_PRODUCT = "HAS_PRODUCT"  # (Observation)->(Product)
    HAS_MEMBER = "HAS_MEMBER"  # (Observation:Combined)->(Observation:Exposure); (Association)->(Product) {exptype, product}
    PRODUCED_BY = "PRODUCED_BY"  # (Product)->(Association)
    # the seed's relationships
    ANTECEDENT = "ANTECEDENT"  # (Product)->(Product) input of the pipeline stage that made it; ->(AssociationFile)
    COMPOSITION = "COMPOSITION"  # (L3)->(L2b) {by}
    MULTIPLICITY = "MULTIPLICITY"  # (per-source Product)->(Association) {source_id}
    CONTEMPORANEOUS_CALIBRATION = "CONTEMPORANEOUS_CALIBRATION"  # (Product)->(Product) {kind}
    PREREQUISITE = "PREREQUISITE"  # (Product)->(Product) {kind}
    AGGREGATION = "AGGREGATION"  # (Observation)->(Product) {kind}
    LINKED = "LINKED"  # (Product)->(Product|ExternalProduct) {kind}
    USED_REFERENCE = "USED_REFERENCE"  # (Product)->(ReferenceFile) {reftype}
    CALIBRATED_UNDER = "CALIBRATED_UNDER"  # (Product)->(CrdsContext)
    HAS_ENGINEERING = "HAS_ENGINEERING"  # (Observation:Exposure|Product)->(EngineeringSeries)
    OF_MNEMONIC = "OF_MNEMONIC"  # (EngineeringSeries)->(Mnemonic)
    EXTERNAL_PRE_IMAGE = "EXTERNAL_PRE_IMAGE"  # (Product)->(ExternalProduct)
    # minimum recommended products, per observation (the listing context)
    MRP = "MRP"  # (Observation)->(Product): mastgraph's rule
    MAST_MRP = "MAST_MRP"  # (Observation)->(Product): MAST's productGroupDescription flag


#: Relationship types that carry lineage between products (downstream -> upstream).
LINEAGE_RELS: tuple[Rel, ...] = (
    Rel.COMPOSITION,
    Rel.ANTECEDENT,
    Rel.CONTEMPORANEOUS_CALIBRATION,
    Rel.PREREQUISITE,
    Rel.MULTIPLICITY,
    Rel.LINKED,
    Rel.EXTERNAL_PRE_IMAGE,
)


class CompositionBy(StrEnum):
    DITHER = "dither"
    DETECTOR = "detector"
    MOSAIC_TILE = "mosaic_tile"
    SEGMENT = "segment"
    ORIENTATION = "orientation"


class CalibrationKind(StrEnum):
    BACKGROUND = "background"
    PSF = "psf"
    IMPRINT = "imprint"
    LAMP = "lamp"
    FLAT = "flat"
    SELFCAL = "selfcal"


class PrerequisiteKind(StrEnum):
    TARGET_ACQUISITION = "target_acquisition"
    PRE_IMAGE = "pre_image"
    CONFIRMATION = "confirmation"


class AggregationKind(StrEnum):
    INTERMEDIATE = "intermediate"
    GUIDE_STAR = "guide_star"


class LinkedKind(StrEnum):
    GUIDE_STAR = "guide_star"
    MSA_CATALOG = "msa_catalog"
    PREVIEW = "preview"
    CUTOUT = "cutout"
    OTHER_MISSION = "other_mission"


#: Relationship property values allowed for each typed relationship ("kind" or "by").
KIND_VALUES: dict[Rel, tuple[str, type[StrEnum]]] = {
    Rel.COMPOSITION: ("by", CompositionBy),
    Rel.CONTEMPORANEOUS_CALIBRATION: ("kind", CalibrationKind),
    Rel.PREREQUISITE: ("kind", PrerequisiteKind),
    Rel.AGGREGATION: ("kind", AggregationKind),
    Rel.LINKED: ("kind", LinkedKind),
}


#: Relationship properties that are part of a relationship's identity (MERGE pattern), by type and
#: start label. An association member of two products has two HAS_MEMBER edges, one per product.
EDGE_IDENTITY: dict[tuple[Rel, Label], tuple[str, ...]] = {
    (Rel.HAS_MEMBER, Label.ASSOCIATION): ("product",),
    (Rel.LINKED, Label.PRODUCT): ("kind",),
}
#: EDGE_IDENTITY by the texts of type and start label (for records in plain form).
EDGE_IDENTITY_TEXT: dict[tuple[str, str], tuple[str, ...]] = {
    (rel.value, label.value): names for (rel, label), names in EDGE_IDENTITY.items()}
#: The types of EDGE_IDENTITY_TEXT (the others have none: no lookup).
IDENTITY_TYPES_TEXT = frozenset(rel for rel, _ in EDGE_IDENTITY_TEXT)

#: The input suffixes of each exposure-level product's pipeline stage (same exposure and detector):
#: calwebb_detector1 makes rate/rateints (and its optional intermediates) from uncal; calwebb_image2/
#: spec2 make the Level-2b products from rate (rateints for the per-integration *ints products);
#: the Level-3 pipelines' per-exposure outputs (crf, psfalign, psfsub ...) come from cal/calints.
EXPOSURE_INPUTS: dict[str, list[str]] = {
    **{s: ["uncal"] for s in ("rate", "rateints", "ramp", "trapsfilled", "fitopt", "jump", "dark", "refpix")},
    **{s: ["rate"] for s in ("cal", "bsub", "i2d", "s2d", "s3d", "x1d", "c1d", "flat", "phot", "wfscmb")},
    **{s: ["rateints"] for s in ("calints", "bsubints", "x1dints")},
    "crf": ["cal"],
    "crfints": ["calints"],
    "psfalign": ["calints"],
    "psfsub": ["calints"],
    "median": ["cal"],
    "blot": ["cal"],
}
