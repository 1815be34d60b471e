"""The Product type: a MAST data product (one file), with every relationship of the model.

Lineage points from what was made to what it was made from: `composedOf` and `antecedents` go
toward the raw exposures, `composes` and `derivedProducts` toward the combined products.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from .enums import AggregationKind, CalibrationKind, CompositionBy, LinkedKind, PrerequisiteKind
from .pagination import LIST_SIZE, PAGE_SIZE, ProductConnection
from .relations import related, relation

if TYPE_CHECKING:
    from .association import Association, AssociationMember
    from .calibration import CrdsContext, ReferenceFile
    from .engineering import EngineeringSeries
    from .external import ExternalProduct
    from .inputs import ProductInputs
    from .observation import Observation

ObservationRef = Annotated["Observation", strawberry.lazy("mastgraph.api.observation")]
AssociationRef = Annotated["Association", strawberry.lazy("mastgraph.api.association")]
MemberRef = Annotated["AssociationMember", strawberry.lazy("mastgraph.api.association")]
ReferenceFileRef = Annotated["ReferenceFile", strawberry.lazy("mastgraph.api.calibration")]
CrdsContextRef = Annotated["CrdsContext", strawberry.lazy("mastgraph.api.calibration")]
SeriesRef = Annotated["EngineeringSeries", strawberry.lazy("mastgraph.api.engineering")]
ExternalRef = Annotated["ExternalProduct", strawberry.lazy("mastgraph.api.external")]
InputsRef = Annotated["ProductInputs", strawberry.lazy("mastgraph.api.inputs")]


@strawberry.type(description="A MAST data product: one file of the JWST pipeline or an ancillary file.")
class Product:
    uri: str = strawberry.field(description="MAST's dataURI (`mast:JWST/product/<filename>`), the product's key.")
    filename: str | None
    labels: list[str] = strawberry.field(description="Graph labels: Product, its level (L1b, L2a, L2b, L3) and kind (GuideStar, Preview, AssociationFile, PoolFile, MsaFile, Catalog).")
    level: str | None = strawberry.field(description="Pipeline level from the file name (1b, 2a, 2b, 3); null for "
                                         "ancillary files.")
    suffix: str | None = strawberry.field(description="Lower-case file suffix: uncal, rate, cal, i2d, x1d, asn ...")
    extension: str | None
    product_type: str | None = strawberry.field(description="MAST productType: SCIENCE, AUXILIARY, INFO, PREVIEW, CALIBRATION, THUMBNAIL.")
    subgroup: str | None = strawberry.field(description="MAST productSubGroupDescription (upper-case suffix).")
    calib_level: int | None = strawberry.field(description="MAST calib_level: 1 raw, 2 calibrated, 3 combined, 4 contributed.")
    size: float | None = strawberry.field(description="Size in bytes (a Float: files can exceed 2^31 bytes).")
    description: str | None
    dataproduct_type: str | None
    project: str | None
    prvversion: str | None
    data_rights: str | None
    exp_type: str | None
    mast_mrp: bool | None = strawberry.field(description="MAST's Minimum Recommended Products flag in the product's own observation listing.")
    listed: bool | None = strawberry.field(description="True once a MAST listing named the product.")
    program_id: str | None = strawberry.field(description="Five-digit program (proposal) id.")
    observation_number: str | None = strawberry.field(description="Three-digit observation number from the file name.")
    visit: str | None
    visit_id: str | None
    visit_group: str | None
    parallel: str | None
    activity: str | None
    exposure: str | None
    segment: str | None
    detector: str | None
    asn_id: str | None
    source_id: str | None
    target: str | None
    instrument: str | None
    optical_elements: str | None
    gs_kind: str | None
    stem: str | None
    exposure_key: str | None = strawberry.field(description="The part of an exposure-level name common to every level of one exposure and detector.")
    source_stem: str | None
    cal_ver: str | None
    crds_ver: str | None
    asnpool: str | None
    asntable: str | None
    t_min: float | None = strawberry.field(description="Exposure start (MJD), from EXPSTART.")
    t_max: float | None = strawberry.field(description="Exposure end (MJD), from EXPEND.")
    effexptm: float | None
    hdrtab_inputs: list[str] | None = strawberry.field(description="Level-3 HDRTAB input file names.")
    association_name: str | None = strawberry.field(description="On an association file: the association it defines.")
    previews: str | None = strawberry.field(description="On a preview: the file name of the product it shows.")
    thumbnail: bool | None

    # -- structure --------------------------------------------------------------------------
    @relation("The observation whose listing holds the product (HAS_PRODUCT).")
    def observation(self, info: strawberry.Info) -> ObservationRef | None:
        return related(self, info)

    @relation("The association that produced the product (PRODUCED_BY).")
    def association(self, info: strawberry.Info) -> AssociationRef | None:
        return related(self, info)

    @relation("Associations naming the product as a member (HAS_MEMBER), with its exposure type.")
    def member_of(self, info: strawberry.Info, exptype: list[str] | None = None) -> list[MemberRef]:
        return related(self, info)

    # -- composition and antecedents ----------------------------------------------------------
    @relation("The Level-2b products this Level-3 product is composed of (COMPOSITION), "
              "optionally only those combined `by` dither, detector, mosaic tile, segment or orientation; "
              "the first `first` of them (`composedOfConnection` pages on).")
    def composed_of(self, info: strawberry.Info, by: list[CompositionBy] | None = None,
                    first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None) -> list[Product]:
        return related(self, info)

    @relation("The Level-3 products composed of this product (COMPOSITION, reverse); the first `first` of them "
              "(`composesConnection` pages on).")
    def composes(self, info: strawberry.Info, by: list[CompositionBy] | None = None,
                 first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None) -> list[Product]:
        return related(self, info)

    @relation("`composedOf` a page at a time, in URI order, with its total count (COMPOSITION).")
    def composed_of_connection(
        self, info: strawberry.Info, by: list[CompositionBy] | None = None,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)

    @relation("`composes` a page at a time, in URI order, with its total count (COMPOSITION, reverse).")
    def composes_connection(
        self, info: strawberry.Info, by: list[CompositionBy] | None = None,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)

    @relation("The inputs of the pipeline stage that made this product (ANTECEDENT): "
              "the previous level of the same exposure, and the association file; the first `first` of them "
              "(`antecedentsConnection` pages on).")
    def antecedents(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[Product]:
        return related(self, info)

    @relation("The products this product is an antecedent of (ANTECEDENT, reverse); the first `first` of them "
              "(`derivedProductsConnection` pages on).")
    def derived_products(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[Product]:
        return related(self, info)

    @relation("`antecedents` a page at a time, in URI order, with their total count (ANTECEDENT).")
    def antecedents_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)

    @relation("`derivedProducts` a page at a time, in URI order, with their total count (ANTECEDENT, reverse).")
    def derived_products_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)

    @relation("For a per-source product: the Level-3 association it was derived from (MULTIPLICITY).")
    def multiplicity_of(self, info: strawberry.Info) -> AssociationRef | None:
        return related(self, info)

    # -- calibrations and prerequisites -------------------------------------------------------
    @relation("Calibration exposures taken with the science exposure "
              "(CONTEMPORANEOUS_CALIBRATION): background, PSF, imprint, lamp, flat ...")
    def contemporaneous_calibrations(self, info: strawberry.Info, kind: list[CalibrationKind] | None = None) -> list[Product]:
        return related(self, info)

    @relation("The products this calibration exposure was used for (CONTEMPORANEOUS_CALIBRATION, reverse).")
    def calibrates(self, info: strawberry.Info, kind: list[CalibrationKind] | None = None) -> list[Product]:
        return related(self, info)

    @relation("Target acquisitions, confirmation images and pre-images (PREREQUISITE).")
    def prerequisites(self, info: strawberry.Info, kind: list[PrerequisiteKind] | None = None) -> list[Product]:
        return related(self, info)

    @relation("The products this one is a prerequisite of (PREREQUISITE, reverse).")
    def prerequisite_for(self, info: strawberry.Info, kind: list[PrerequisiteKind] | None = None) -> list[Product]:
        return related(self, info)

    # -- linked data ----------------------------------------------------------------------------
    @relation("Linked data products (LINKED): guide-star products, the MSA catalog, previews, cut-outs.")
    def linked(self, info: strawberry.Info, kind: list[LinkedKind] | None = None) -> list[Product]:
        return related(self, info)

    @relation("The products this one is linked data of (LINKED, reverse).")
    def linked_from(self, info: strawberry.Info, kind: list[LinkedKind] | None = None) -> list[Product]:
        return related(self, info)

    @relation("Linked data of other missions (LINKED to external products).")
    def linked_external_products(self, info: strawberry.Info, kind: list[LinkedKind] | None = None) -> list[ExternalRef]:
        return related(self, info)

    # -- contributing products ------------------------------------------------------------------
    @relation("Calibration reference files used to make the product (USED_REFERENCE), "
              "optionally of some reference types.")
    def reference_files(self, info: strawberry.Info, reftype: list[str] | None = None) -> list[ReferenceFileRef]:
        return related(self, info)

    @relation("The CRDS context the product was calibrated under (CALIBRATED_UNDER).")
    def crds_context(self, info: strawberry.Info) -> CrdsContextRef | None:
        return related(self, info)

    @relation("Engineering data series overlapping the product's exposure (HAS_ENGINEERING), "
              "optionally of one mnemonic.")
    def engineering(self, info: strawberry.Info, mnemonic: str | None = None) -> list[SeriesRef]:
        return related(self, info)

    @relation("Pre-images from other missions contributed as astrometric references (EXTERNAL_PRE_IMAGE).")
    def external_pre_images(self, info: strawberry.Info) -> list[ExternalRef]:
        return related(self, info)

    # -- observations ---------------------------------------------------------------------------
    @relation("Observations that aggregate this ancillary product (AGGREGATION).")
    def aggregated_by(self, info: strawberry.Info, kind: list[AggregationKind] | None = None) -> list[ObservationRef]:
        return related(self, info)

    @relation("Observations whose minimum recommended products include this one, by mastgraph's rule (MRP).")
    def minimum_recommended_for(self, info: strawberry.Info) -> list[ObservationRef]:
        return related(self, info)

    @relation("Observations whose listing flags this product as a minimum "
              "recommended product, as MAST says (MAST_MRP).")
    def mast_minimum_recommended_for(self, info: strawberry.Info) -> list[ObservationRef]:
        return related(self, info)

    # -- what went into it, what it ended up in -------------------------------------------------
    @relation("What went into the product: the raw (Level-1b) exposures reached upstream "
              "through COMPOSITION, ANTECEDENT and CONTEMPORANEOUS_CALIBRATION, their visits, observations "
              "and programs. Meaningful for Level 3; a raw exposure's inputs are itself.")
    def inputs(self, info: strawberry.Info) -> InputsRef | None:
        return related(self, info)

    @relation("Every Level-3 product this product ended up in: reached downstream "
              "through COMPOSITION, ANTECEDENT and CONTEMPORANEOUS_CALIBRATION, each once, in URI order; "
              "the first `first` of them (`endProductsConnection` pages on).")
    def end_products(
        self, info: strawberry.Info, first: Annotated[int | None, strawberry.argument(description=LIST_SIZE)] = None,
    ) -> list[Product]:
        return related(self, info)

    @relation("`endProducts` a page at a time, in URI order, with their total count.")
    def end_products_connection(
        self, info: strawberry.Info,
        first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None,
    ) -> ProductConnection:
        return related(self, info)
