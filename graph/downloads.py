"""Download lists: every file of a lineage view, with MAST's "Minimum Recommended Products" rule.

The set of files is the view of an id (anything `graph.search` returns as a key, or a file
name / obs_id):

- a product: itself and every product of its lineage in the chosen direction (the products the
  API's `lineage` field reaches with its default depth, 10 steps; in one query);
- an observation: its products and its members' (DOWNSTREAM also those of the combined
  observations it is a member of);
- a program: its observations' products (a program known only from association files, with no
  Program node, its products by their `program`); an association: its products, members and file;

each with the products they link to (guide star, MSA catalog) and their previews.

Minimum Recommended Products (`all=False`, the Download Manager's default): a file is kept when
mastgraph's rule (an MRP relationship) or MAST's flag (MAST_MRP) names it, and, as the Download
Manager hides Level-2b products "if MRP is checked and L-3 products exist", only such files at the
highest level present among them are kept (in Cypher, MRP_FILES: the rest of the view is never
projected; an observation's or program's candidates come by their flags, MRP_VIEWS). Level,
product-type and suffix filters apply after.
Files come in a stable order: level descending (3, 2b, 2a, 1b, then files without a level), then
file name. The exports of a list are `graph.download_export`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import queries
from . import read
from mastgraph.model.errors import shown
from mastgraph.model.vocabulary import LEVEL_LABELS, Label

#: Levels, lowest first (LEVEL_LABELS: "1b", "2a", "2b", "3"); a file without a level ranks below them.
LEVELS = tuple(LEVEL_LABELS)
#: Suffixes of intermediate products (kept in step with loaders.names.INTERMEDIATE_SUFFIXES by a test).
INTERMEDIATE_SUFFIXES = frozenset({
    "ramp", "trapsfilled", "fitopt", "jump", "rate", "rateints", "bsub", "bsubints", "crf", "crfints",
    "psfalign", "psfstack", "median", "blot",
})


#: The named query giving each kind's view (`p` rows); a product has one per direction.
VIEWS: dict[str, Any] = {
    "PRODUCT": ("api/download_view_product_upstream", "api/download_view_product_downstream"),
    "OBSERVATION": "api/download_view_observation",
    "PROGRAM": "api/download_view_program",
    "ASSOCIATION": "api/download_view_association",
}
#: The Minimum Recommended Products list's candidates where the model reaches them by their flags: an
#: observation's or a program's MRP and MAST_MRP relationships (from its observations) instead of every
#: product of its view; other kinds (a product's lineage, an association) filter their view.
MRP_VIEWS: dict[str, str] = {
    "OBSERVATION": "api/download_mrp_observation",
    "PROGRAM": "api/download_mrp_program",
}

#: The start of what follows a view (FILES, MRP_FILES): at most `$limit` of its products `p`, one at a time.
_VIEW = """WITH p LIMIT $limit + 1
WITH collect(p) AS view
WITH view[..$limit] AS view, size(view) > $limit AS truncated
CALL (view) {
  UNWIND view AS p
"""
#: Its end: the files `f` projected, with the view's truncation.
_AS_FILES = """  RETURN collect(f {.uri, .filename, .level, .product_type, .suffix, .size, labels: labels(f),
                    mrp: EXISTS { (:Observation)-[:MRP]->(f) },
                    mast_mrp: coalesce(f.mast_mrp, false) OR EXISTS { (:Observation)-[:MAST_MRP]->(f) }}) AS files
}
RETURN {files: files, truncated: truncated} AS answer"""

#: What follows a view (`CALL () { <view> }`): at most `$limit` products, with the products they link
#: to (guide star, MSA catalog, their previews: LINKED runs from a product to them), each once, projected
#: as files. `mrp`: some
#: observation names the file a minimum recommended product by mastgraph's rule (MRP); `mast_mrp`:
#: MAST's flag (a MAST_MRP relationship or the listing's own flag).
FILES = _VIEW + """  OPTIONAL MATCH (p)-[:LINKED]->(linked:Product)
  WITH collect(p) + collect(linked) AS found
  UNWIND found AS f
  WITH DISTINCT f
""" + _AS_FILES

#: What follows a view or MRP candidates when only the Minimum Recommended Products are asked for: as
#: FILES, but only the files that carry a flag, and of those only the ones at the highest level present
#: ($levels, lowest first; a file without a level below them), are projected (what `minimum_recommended`
#: keeps of FILES' answer; the rest of a large view is never materialised).
FLAGGED = "coalesce({f}.mast_mrp, false) OR EXISTS {{ (:Observation)-[:MRP|MAST_MRP]->({f}) }}"
MRP_FILES = _VIEW + f"""  CALL (p) {{
    WITH p WHERE {FLAGGED.format(f="p")}
    RETURN p AS f
    UNION
    MATCH (p)-[:LINKED]->(f:Product) WHERE {FLAGGED.format(f="f")}
    RETURN f
  }}
  WITH DISTINCT f
  WITH collect({{f: f, rank: coalesce([i IN range(0, size($levels) - 1) WHERE $levels[i] = f.level][0], -1)}}) AS flagged
  WITH flagged, reduce(top = -1, x IN flagged | CASE WHEN x.rank > top THEN x.rank ELSE top END) AS top
  UNWIND [x IN flagged WHERE x.rank = top | x.f] AS f
""" + _AS_FILES


@dataclass(frozen=True)
class DownloadRequest:
    id: str
    upstream: bool = True
    all: bool = False
    levels: tuple[str, ...] = ()
    product_types: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()


def request(id: str, *, upstream: bool = True, all: bool = False, levels=None, product_types=None,
            suffixes=None) -> DownloadRequest:
    """A checked request: levels as the graph stores them, product types upper case, suffixes lower case."""
    if not id or not id.strip():
        raise read.ArgumentError("id", "give a product URI or file name, an obsid or obs_id, a program or an association")
    wanted_levels = []
    for level in levels or ():
        value = str(level).strip().lower().removeprefix("l").removeprefix("evel").strip()
        if value not in LEVELS:
            raise read.ArgumentError("levels", f"{shown(level)} is not a product level ({', '.join(LEVELS)})")
        wanted_levels.append(value)
    types = [str(t).strip().upper() for t in product_types or ()]
    kept_suffixes = [str(s).strip().lower().lstrip("_") for s in suffixes or ()]
    for argument, values in (("productTypes", types), ("suffixes", kept_suffixes)):
        if any(not v for v in values):
            raise read.ArgumentError(argument, "an empty value matches nothing")
    return DownloadRequest(id.strip(), upstream, all, tuple(dict.fromkeys(wanted_levels)),
                           tuple(dict.fromkeys(types)), tuple(dict.fromkeys(kept_suffixes)))


def category(file: dict[str, Any]) -> str:
    """What kind of file it is in the Download Manager's words: RAW, INTERMEDIATE, SCIENCE ... PREVIEW."""
    labels = set(file.get("labels") or ())
    product_type = (file.get("product_type") or "").upper()
    if Label.PREVIEW in labels or product_type in ("PREVIEW", "THUMBNAIL"):
        return "PREVIEW"
    if Label.ASSOCIATION_FILE in labels or Label.POOL_FILE in labels:
        return "INFO"
    if Label.GUIDE_STAR in labels or Label.MSA_FILE in labels:
        return "AUXILIARY"
    if product_type == "CALIBRATION":
        return "CALIBRATION"
    if file.get("level") == "1b":
        return "RAW"
    if file.get("suffix") in INTERMEDIATE_SUFFIXES or file.get("level") == "2a":
        return "INTERMEDIATE"
    return product_type or "OTHER"


def _level_rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def order(files: list[dict]) -> list[dict]:
    """Level descending, then file name (then URI)."""
    return sorted(files, key=lambda f: (-_level_rank(f.get("level")), f.get("filename") or "", f["uri"]))


def minimum_recommended(files: list[dict]) -> list[dict]:
    """The MRP files (either flag) at the highest level present among them: the rule MRP_FILES applies
    in the query, which tests check it against on every id of the samples."""
    flagged = [f for f in files if f["mrp"] or f["mast_mrp"]]
    if not flagged:
        return []
    top = max(_level_rank(f.get("level")) for f in flagged)
    return [f for f in flagged if _level_rank(f.get("level")) == top]


def _filtered(files: list[dict], req: DownloadRequest) -> list[dict]:
    return [
        f for f in files
        if (not req.levels or f.get("level") in req.levels)
        and (not req.product_types or (f.get("product_type") or "").upper() in req.product_types)
        and (not req.suffixes or (f.get("suffix") or "") in req.suffixes)
    ]


def _program_key(text: str) -> str | None:
    digits = text.lower().removeprefix("jw")
    return digits.zfill(5) if digits.isdigit() and len(digits) <= 5 else None


async def anchor(reader: read.Reader, id: str) -> dict | None:
    """``{"kind", "key", "label"}`` of what `id` names, or None."""
    ids = list(dict.fromkeys([id, id.lower()]))
    rows = await reader.values(queries.text("api/download_anchor"), {"ids": ids, "program": _program_key(id)})
    return rows[0] if rows else None


def view_text(kind: str, upstream: bool, all: bool) -> str:
    """The one query of a list: every file of the view (`all`), else only its Minimum Recommended
    Products, from their candidates where the kind has a query for them (MRP_VIEWS) or the view."""
    view = VIEWS[kind]
    if kind == "PRODUCT":
        view = view[0] if upstream else view[1]
    if not all:
        view = MRP_VIEWS.get(kind, view)
    return f"CALL () {{\n{queries.text(view)}\n}}\n{FILES if all else MRP_FILES}"


async def download_list(reader: read.Reader, req: DownloadRequest, *, max_nodes: int) -> dict | None:
    """The download list of `req`, or None when its id names nothing.

    ``{"anchor": {"kind", "key", "label"}, "files": [...], "count", "total_size", "unknown_sizes",
    "truncated"}``; each file has uri,
    filename, level, product_type, suffix, size, mrp, mast_mrp and category.
    """
    found = await anchor(reader, req.id)
    if found is None:
        return None
    text = view_text(found["kind"], req.upstream, req.all)
    params = {"key": found["key"], "upstream": req.upstream, "limit": max_nodes, "levels": list(LEVELS)}
    answer = (await reader.values(text, params))[0]
    files, truncated = answer["files"], answer["truncated"]
    for file in files:
        file["category"] = category(file)
        file.pop("labels", None)
    listed = order(_filtered(files, req))  # (without `all`, MRP_FILES kept only the minimum recommended ones)
    sizes = [f["size"] for f in listed if f.get("size") is not None]
    return {
        "anchor": {**found, "detail": None},
        "files": listed,
        "count": len(listed),
        "total_size": float(sum(sizes)),
        "unknown_sizes": len(listed) - len(sizes),
        "truncated": truncated,
    }
