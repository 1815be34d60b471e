"""The root fields: look-ups by id, product pages, lineage walks and impact questions.

Unknown ids give null; wrong arguments give an error naming the argument.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from mastgraph.model.vocabulary import Label

from . import fetch
from .arguments import program_id, reference_file_name
from .association import Association
from .calibration import CrdsContext, ReferenceFile
from .download import DownloadList
from .engineering import EngineeringImpact, EngineeringSeries, Mnemonic
from .enums import LineageDirection, LineageRelationship
from .errors import BadArgument
from .external import ExternalProduct
from .lineage import Lineage
from .observation import Observation, Program
from .pagination import PAGE_SIZE, ProductConnection, ProductFilter
from .product import Product
from .search import SearchHit, SearchResults


def _one_of(**given: str | None) -> tuple[str, str]:
    """The one argument given among alternatives."""
    present = [(name, value) for name, value in given.items() if value is not None]
    names = " or ".join(f"`{name}`" for name in given)
    if len(present) != 1:
        raise BadArgument(present[1][0] if len(present) > 1 else next(iter(given)), f"give exactly one of {names}")
    return present[0]


@strawberry.type
class Query:
    @strawberry.field(description="A product by its URI (MAST dataURI) or its file name.")
    async def product(self, info: strawberry.Info, uri: str | None = None, filename: str | None = None) -> Product | None:
        name, value = _one_of(uri=uri, filename=filename)
        return await fetch.node(info, value, None if name == "uri" else "filename")

    @strawberry.field(description="An observation by MAST's obsID (`obsid`) or its `obs_id` "
                      "(`jw02733-o002_t001_miri_f1130w`).")
    async def observation(self, info: strawberry.Info, obsid: str | None = None, obs_id: str | None = None) -> Observation | None:
        name, value = _one_of(obsid=obsid, obsId=obs_id)
        return await fetch.node(info, value, None if name == "obsid" else "obs_id")

    @strawberry.field(description="A program by its id (`2733` or `02733`).")
    async def program(self, info: strawberry.Info, id: str) -> Program | None:
        return await fetch.node(info, program_id(id))

    @strawberry.field(description="An association by name (the file name without `_asn.json`).")
    async def association(self, info: strawberry.Info, name: str) -> Association | None:
        return await fetch.node(info, name)

    @strawberry.field(description="A calibration reference file by name (with or without `crds://`).")
    async def reference_file(self, info: strawberry.Info, name: str) -> ReferenceFile | None:
        return await fetch.node(info, reference_file_name(name))

    @strawberry.field(description="A CRDS context by name (`jwst_0641.pmap`).")
    async def crds_context(self, info: strawberry.Info, name: str) -> CrdsContext | None:
        return await fetch.node(info, name)

    @strawberry.field(description="An engineering (EDB) mnemonic by name.")
    async def mnemonic(self, info: strawberry.Info, name: str) -> Mnemonic | None:
        return await fetch.node(info, name)

    @strawberry.field(description="An engineering series by key (`<MNEMONIC>-<start>-<end>`).")
    async def engineering_series(self, info: strawberry.Info, key: str) -> EngineeringSeries | None:
        return await fetch.node(info, key)

    @strawberry.field(description="A product of another mission by URI.")
    async def external_product(self, info: strawberry.Info, uri: str) -> ExternalProduct | None:
        return await fetch.node(info, uri)

    @strawberry.field(description="Products matching a filter, in URI order, a page at a time (keyset pagination).")
    async def products(
        self, info: strawberry.Info, filter: ProductFilter | None = None, first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None
    ) -> ProductConnection:
        return await fetch.products(info)

    @strawberry.field(description="The lineage of a product: every product reached through the chosen relationships, "
                      "UPSTREAM (what it was made from, toward the raw exposures) or DOWNSTREAM (what was made from "
                      "it), each once at its shortest distance, with the relationships walked.")
    async def lineage(
        self,
        info: strawberry.Info,
        uri: str,
        direction: LineageDirection = LineageDirection.UPSTREAM,
        relationships: list[LineageRelationship] | None = None,
        max_depth: int | None = None,
        limit: int | None = None,
    ) -> Lineage | None:
        kinds = None if relationships is None else [r.value for r in relationships]
        return await fetch.lineage(info, uri, direction is LineageDirection.UPSTREAM, kinds, max_depth, limit)

    @strawberry.field(description="Impact of a reference file: the products calibrated with it (USED_REFERENCE); "
                      "their downstream products through `composes`/`derivedProducts` or `lineage`.")
    async def products_using_reference(
        self, info: strawberry.Info, name: str, first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None
    ) -> ProductConnection | None:
        return await fetch.anchored_page(info, Label.REFERENCE_FILE, reference_file_name(name), "ReferenceFile.products")

    @strawberry.field(description="Impact of a CRDS context: the products calibrated under it (CALIBRATED_UNDER).")
    async def products_under_context(
        self, info: strawberry.Info, name: str, first: Annotated[int | None, strawberry.argument(description=PAGE_SIZE)] = None, after: str | None = None
    ) -> ProductConnection | None:
        return await fetch.anchored_page(info, Label.CRDS_CONTEXT, name.strip(), "CrdsContext.products")

    @strawberry.field(description="Impact of an engineering window: the exposures (and products) taken while a "
                      "mnemonic's series overlapping [from, to] (MJD) was recorded, and the Level-3 products they feed.")
    async def exposures_during_engineering(
        self,
        info: strawberry.Info,
        mnemonic: str,
        from_: Annotated[float, strawberry.argument(name="from", description="Window start (MJD).")],
        to: Annotated[float, strawberry.argument(description="Window end (MJD).")],
        first: Annotated[int | None, strawberry.argument(description="At most this many items in each list (in key "
                                                         "order): MASTGRAPH_MAX_PAGE_SIZE when not given, and at "
                                                         "most that; `truncated` says whether a list held more.")] = None,
    ) -> EngineeringImpact | None:
        return await fetch.engineering_impact(info, mnemonic.strip(), from_, to, first)

    @strawberry.field(description="Prefix search, ignoring case, over product file names (and `mast:JWST/product/` "
                      "URIs), observation obs_id and obsid, program ids (`2733`, `02733`, `jw02733`) and association "
                      "names; exact matches first, then by kind and name, a page at a time.")
    async def search(
        self, info: strawberry.Info, text: str,
        first: Annotated[int | None, strawberry.argument(description="Hits per page (10 when null), at most "
                                                         "MASTGRAPH_MAX_PAGE_SIZE.")] = 10,
        after: str | None = None,
    ) -> SearchResults:
        return await fetch.search(info, text, 10 if first is None else first, after)

    @strawberry.field(description="Notable things of the loaded data, for an empty search page: the Level-3 "
                      "products and combined observations with the most members, the programs with the most "
                      "observations (up to 5 of each).")
    async def examples(self, info: strawberry.Info) -> list[SearchHit]:
        return await fetch.examples(info)

    @strawberry.field(description="The files of a lineage view to download, as MAST's Download Manager lists them: "
                      "`id` is a product URI or file name, an obsid or obs_id, a program id or an association name. "
                      "Minimum Recommended Products only unless `all` (see docs/api.md); then the level, product "
                      "type and suffix filters. Null for an unknown id.")
    async def download_list(
        self,
        info: strawberry.Info,
        id: str,
        direction: LineageDirection | None = LineageDirection.UPSTREAM,
        all: bool | None = False,
        levels: list[str] | None = None,
        product_types: list[str] | None = None,
        suffixes: list[str] | None = None,
    ) -> DownloadList | None:
        return await fetch.download_list(info, id, direction is not LineageDirection.DOWNSTREAM, bool(all), levels,
                                         product_types, suffixes)
