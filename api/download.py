"""Download lists (`graph.downloads`) and their exports (`graph.download_export`)."""

from __future__ import annotations

import strawberry

from mastgraph.graph import download_export

from .search import SearchHit


@strawberry.type(description="One file of a download list.")
class DownloadFile:
    uri: str = strawberry.field(description="MAST's dataURI.")
    filename: str | None
    level: str | None = strawberry.field(description="1b, 2a, 2b, 3; null for ancillary files.")
    product_type: str | None = strawberry.field(description="MAST productType (SCIENCE, AUXILIARY, INFO, PREVIEW ...).")
    suffix: str | None
    size: float | None = strawberry.field(description="Bytes; null when unknown.")
    mrp: bool = strawberry.field(description="A minimum recommended product of some observation by mastgraph's "
                                 "rule (MRP relationship).")
    mast_mrp: bool = strawberry.field(description="Flagged by MAST as a Minimum Recommended Product (MAST_MRP).")
    category: str = strawberry.field(description="RAW, INTERMEDIATE, SCIENCE, CALIBRATION, AUXILIARY (guide star, "
                                     "MSA), INFO (association and pool files), PREVIEW, else the product type.")


@strawberry.type(description="The files of a lineage view to download, as MAST's Download Manager lists them.")
class DownloadList:
    files: list[DownloadFile] = strawberry.field(description="Level descending, then file name.")
    count: int
    total_size: float = strawberry.field(description="Bytes, over the files whose size is known.")
    unknown_sizes: int = strawberry.field(description="How many files have no known size.")
    truncated: bool = strawberry.field(description="True when the view held more than the server's "
                                       "MASTGRAPH_MAX_LINEAGE_NODES products: the list is cut there.")
    anchor: SearchHit = strawberry.field(description="What the id named: kind, key and label (detail empty).")

    @strawberry.field(description="One MAST URI per line (the format of MAST's download manifests).")
    def uris(self) -> str:
        return download_export.uris(self["files"])

    @strawberry.field(description="A POSIX sh script downloading each file with curl from MAST's Download "
                      "service, shaped like the curl script of a MAST download bundle.")
    def curl(self) -> str:
        return download_export.curl(self["files"])

    @strawberry.field(description="CSV: a header (uri, filename, level, product_type, suffix, size, mrp, mast_mrp, "
                      "category) and one row per file.")
    def csv(self) -> str:
        return download_export.csv(self["files"])
