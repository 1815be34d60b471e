"""Product listings as `astroquery.mast.Observations.get_product_list` returns them, written as CSV.

A Level-3 observation's listing holds its own products (`obsID == parent_obsid`, type `D`) and
every member exposure's products (their own `obsID`, `parent_obsid` the Level-3 obsid, type `S`).
An exposure's own listing holds its products with `parent_obsid == obsID`. MAST's Minimum
Recommended Products flag belongs to the listing's context: in a Level-3 listing only the
Level-3 science products carry it, in an exposure's own listing its most calibrated science
products do; member rows never do.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from .archive import Combined, Exposure, Product, Program
from .names import data_uri
from .suffixes import MRP

COLUMNS = (
    "obsID", "obs_collection", "dataproduct_type", "obs_id", "description", "type", "dataURI", "productType",
    "productGroupDescription", "productSubGroupDescription", "productDocumentationURL", "project", "prvversion",
    "proposal_id", "productFilename", "size", "parent_obsid", "dataRights", "calib_level", "filters",
)


def _rows(program: Program, home: Exposure | Combined, parent: int, type_: str, own: bool) -> Iterator[list]:
    rights = program.data_rights(home.t_max)
    head = (home.obsid, "JWST", home.mode.dataproduct_type, home.obs_id)
    tail = ("", "CALJWST", program.context.cal_ver, str(program.program))
    for p in home.products:
        yield [*head, p.description, type_, data_uri(p.filename), p.product_type, MRP if own and p.mrp else "",
               p.subgroup, *tail, p.filename, p.size, parent, rights, p.calib_level, home.mode.filters]


def combined_rows(program: Program, c: Combined) -> Iterator[list]:
    yield from _rows(program, c, c.obsid, "D", True)
    for member in c.members:
        yield from _rows(program, member, c.obsid, "S", False)


def exposure_rows(program: Program, exposures: Iterable[Exposure]) -> Iterator[list]:
    for e in exposures:
        yield from _rows(program, e, e.obsid, "S", True)


def write(path: Path, rows: Iterable[list]) -> int:
    """Write one listing; returns the number of rows."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        return _write(handle, rows)


def _write(handle: IO[str], rows: Iterable[list]) -> int:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def combined_filename(c: Combined) -> str:
    return f"{c.obs_id}_products.csv"


def exposures_filename(program: int, observation: int) -> str:
    """The listing of one observation number's exposures (each as its own parent)."""
    return f"jw{program:05d}-o{observation:03d}_exposures_products.csv"


def products(program: Program) -> Iterator[Product]:
    """Every product of the program once (by file name), in listing order."""
    seen: set[str] = set()
    for home in [*program.exposures, *program.combined]:
        for p in home.products:
            if p.filename not in seen:
                seen.add(p.filename)
                yield p
