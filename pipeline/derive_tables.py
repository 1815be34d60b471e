"""Derived relationships as table joins: the rules of cypher/derive/*.cypher in SQL, run by DuckDB.

The bulk build derives every relationship before the import, from the merged node data, instead of
MERGEing them over the imported graph. Each rule is one SQL statement
that mirrors one Cypher derivation query (named in `Rule.cypher`) with the same semantics: the same
labels excluded, the same NULL handling (a comparison with NULL matches nothing, as in Cypher), the
same string comparisons, the same ``STARTS WITH name + '_'`` prefixes, over the whole graph. Where a
query MERGEs "both directions" so that load order does not matter, the whole graph needs only the
first: the second finds the same pairs from the other end.

Rules take **node and edge tables in and give edge tables out**; nothing here knows where the
tables come from. In the bulk build they are the facts the CSV phase writes (`FactWriter`, one set
of small CSV files per partition: only the keys and properties the rules read); for an online batch
they are the batch and the neighbours it reads from Neo4j (`pipeline/derive_batch.py`).

Input tables (`INPUT_TABLES`; string properties that hold another type than a string are NULL):

    products(uri, exposure_key, suffix, level, stem, source_stem, source_id, program, asn_id,
             filename, previews, visit_id, msametfl, association, exp_type, product_type,
             t_min, t_max, preview, guide_star, l1b, association_file, pool_file, msa_file)
    associations(name, asn_type, composition_by, program, asn_id)
    association_products(name, product)          -- the elements of Association.products
    observations(obsid, exposure, t_min, t_max)    -- exposure: the node has the Exposure label
    series(key, t_min, t_max)                      -- EngineeringSeries
    has_member(name, uri, product, exptype)        -- (Association)-[:HAS_MEMBER]->(Product)
    has_product(obsid, uri)                        -- (Observation)-[:HAS_PRODUCT]->(Product)
    loader_edges(rel, start_label, start_key, end_label, end_key, kind)
                                                   -- relationships of the derived types the loaders wrote
    exposure_inputs(suffix, input)                 -- model.vocabulary.EXPOSURE_INPUTS
    intermediate(suffix)                           -- loaders.names.INTERMEDIATE_SUFFIXES

Every rule gives rows of `EDGE_COLUMNS`: the relationship (type, ends by label and key), the
properties the query SETs (kind, exptype, by, source_id; NULL where it sets none) and `rank`, the
order in which the Cypher queries run over every key in key order would set them (a later SET of one property on one relationship wins).
`derive_edges` runs the rules, unites their rows into one relationship per identity
(`model.vocabulary.EDGE_IDENTITY`: a LINKED per kind) and separates those a loader already wrote
(their properties are set on the loader's relationship: residual values) from the new ones.
"""

from __future__ import annotations

import csv
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mastgraph.graph.bulk_format import ABSENT
from mastgraph.loaders.names import INTERMEDIATE_SUFFIXES
from mastgraph.model.vocabulary import EDGE_IDENTITY, EXPOSURE_INPUTS, Label, Rel

#: The longest exposure and the longest engineering series (days): `pipeline.derive`'s bounds of
#: the two engineering queries' index seeks, which their results depend on (see `engineering`).
from mastgraph.pipeline.derive import MAX_EXPOSURE_DAYS, MAX_SERIES_DAYS

S, D, B = "VARCHAR", "DOUBLE", "BOOLEAN"

#: The input tables and their columns. Products, associations, observations and series are the
#: nodes the records describe; the others are relationships, or fixed vocabulary.
INPUT_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "products": (("uri", S), ("exposure_key", S), ("suffix", S), ("level", S), ("stem", S), ("source_stem", S),
                 ("source_id", S), ("program", S), ("asn_id", S), ("filename", S), ("previews", S),
                 ("visit_id", S), ("msametfl", S), ("association", S), ("exp_type", S), ("product_type", S),
                 ("t_min", D), ("t_max", D), ("preview", B), ("guide_star", B), ("l1b", B),
                 ("association_file", B), ("pool_file", B), ("msa_file", B)),
    "associations": (("name", S), ("asn_type", S), ("composition_by", S), ("program", S), ("asn_id", S)),
    "association_products": (("name", S), ("product", S)),
    "observations": (("obsid", S), ("exposure", B), ("t_min", D), ("t_max", D)),
    "series": (("key", S), ("t_min", D), ("t_max", D)),
    "has_member": (("name", S), ("uri", S), ("product", S), ("exptype", S)),
    "has_product": (("obsid", S), ("uri", S)),
    "loader_edges": (("rel", S), ("start_label", S), ("start_key", S), ("end_label", S), ("end_key", S),
                     ("kind", S)),
    "exposure_inputs": (("suffix", S), ("input", S)),
    "intermediate": (("suffix", S),),
}
#: The tables the build's CSV phase writes (the last two are vocabulary, filled here).
FACT_TABLES = tuple(name for name in INPUT_TABLES if name not in ("exposure_inputs", "intermediate"))

#: What every rule gives.
EDGE_COLUMNS = ("rel", "start_label", "start_key", "end_label", "end_key", "kind", "exptype", "by", "source_id",
                "rank")
#: The relationship types the rules make, and the properties each carries.
DERIVED_PROPS: dict[Rel, tuple[str, ...]] = {
    Rel.ANTECEDENT: ("exptype",),
    Rel.COMPOSITION: ("by",),
    Rel.MULTIPLICITY: ("source_id",),
    Rel.CONTEMPORANEOUS_CALIBRATION: ("kind",),
    Rel.PREREQUISITE: ("kind",),
    Rel.LINKED: ("kind",),
    Rel.PRODUCED_BY: (),
    Rel.HAS_ENGINEERING: (),
    Rel.MRP: (),
}
DERIVED_TYPES = frozenset(rel.value for rel in DERIVED_PROPS)

#: The product properties the rules read, as text (the products table's columns after `uri`).
PRODUCT_TEXT = ("exposure_key", "suffix", "level", "stem", "source_stem", "source_id", "program", "asn_id",
                "filename", "previews", "visit_id", "msametfl", "association", "exp_type", "product_type")
#: The product labels the rules read, as the products table's flag columns (label -> column, in order).
PRODUCT_FLAGS = {Label.PREVIEW.value: "preview", Label.GUIDE_STAR.value: "guide_star", Label.L1B.value: "l1b",
                  Label.ASSOCIATION_FILE.value: "association_file", Label.POOL_FILE.value: "pool_file",
                  Label.MSA_FILE.value: "msa_file"}
_NO_EXTRA = ""  # an output column a rule does not set


@dataclass(frozen=True)
class Rule:
    """One derivation as one SQL statement over the input tables (and earlier rules' `output`)."""

    name: str
    cypher: tuple[str, ...]  # the queries it mirrors: cypher/derive/<name>.cypher
    sql: str  # SELECT of EDGE_COLUMNS
    #: Also kept as a table of this name for later rules (PRODUCED_BY feeds association_members).
    output: str | None = None


def _edge(rel: str, start: str, start_key: str, end: str, end_key: str, kind: str = "NULL",
          exptype: str = "NULL", by: str = "NULL", source_id: str = "NULL", rank: str = "NULL") -> str:
    """The SELECT list of one rule's rows (labels and types are fixed vocabulary)."""
    Rel(rel), Label(start), Label(end)  # only the vocabulary's names are ever put in the text
    return (f"'{rel}' AS rel, '{start}' AS start_label, {start_key} AS start_key, '{end}' AS end_label, "
            f"{end_key} AS end_key, {kind} AS kind, {exptype} AS exptype, {by} AS \"by\", {source_id} AS source_id, "
            f"{rank} AS rank")


_P, _A, _O, _E = Label.PRODUCT.value, Label.ASSOCIATION.value, Label.OBSERVATION.value, Label.ENGINEERING_SERIES.value

#: ``p.stem STARTS WITH name + '_'`` as an equi-join: every prefix of the stem that ends just
#: before an underscore (`name` is one of them exactly when the stem starts with name + '_').
_STEM_PREFIXES = ("SELECT uri, unnest(list_transform(range(1, len(string_split(stem, '_'))), "
                  "lambda i: array_to_string(string_split(stem, '_')[1:i], '_'))) AS prefix FROM products "
                  "WHERE stem IS NOT NULL AND level = '3'")

RULES: tuple[Rule, ...] = (
    # cypher/derive/antecedents.cypher: each product -> the inputs of the pipeline stage that made it
    # (same exposure key; neither a preview nor a guide-star product); the first direction only.
    Rule("antecedents", ("antecedents",), f"""
        SELECT {_edge('ANTECEDENT', _P, 'p.uri', _P, 'q.uri')}
        FROM products p
        JOIN exposure_inputs i ON i.suffix = p.suffix
        JOIN products q ON q.exposure_key = p.exposure_key AND q.suffix = i.input
        WHERE p.exposure_key IS NOT NULL AND NOT p.preview AND NOT p.guide_star
          AND NOT q.preview AND NOT q.guide_star"""),
    # cypher/derive/produced_by_associations.cypher: every product an association names (by stem, by
    # source_stem, or a Level-3 stem starting with the name + '_'), of the association's level
    # (ENDS WITH '3' -> '3', else '2b', a NULL asn_type included), not a preview.
    Rule("produced_by_associations", ("produced_by_associations",), f"""
        WITH a AS (SELECT name, CASE WHEN suffix(asn_type, '3') THEN '3' ELSE '2b' END AS level FROM associations),
        named AS (SELECT a.name, a.level, n.product FROM a JOIN association_products n ON n.name = a.name),
        hits AS (
            SELECT named.name, p.uri FROM named JOIN products p ON p.stem = named.product
            WHERE p.level = named.level AND NOT p.preview
            UNION
            SELECT named.name, p.uri FROM named JOIN products p ON p.source_stem = named.product
            WHERE p.level = named.level AND NOT p.preview
            UNION
            SELECT named.name, p.uri FROM named JOIN ({_STEM_PREFIXES}) x ON x.prefix = named.product
            JOIN products p ON p.uri = x.uri
            WHERE named.level = '3' AND NOT p.preview)
        SELECT {_edge('PRODUCED_BY', _P, 'uri', _A, 'name')} FROM hits""", output="derived_produced_by"),
    # cypher/derive/produced_by_products.cypher, Level 3: the association of the product's program
    # and asn id, a Level-3 one, naming the product (stem, source_stem, or a prefix of the stem).
    Rule("produced_by_products_l3", ("produced_by_products",), f"""
        WITH p AS (SELECT * FROM products WHERE level = '3' AND stem IS NOT NULL AND NOT preview),
        a AS (SELECT * FROM associations WHERE suffix(asn_type, '3')),
        pairs AS (SELECT p.uri, a.name, p.stem, p.source_stem FROM p
                  JOIN a ON a.program = p.program AND a.asn_id = p.asn_id),
        hits AS (
            SELECT pairs.name, pairs.uri FROM pairs JOIN association_products n
              ON n.name = pairs.name AND (n.product = pairs.stem OR n.product = pairs.source_stem)
            UNION
            SELECT pairs.name, pairs.uri FROM pairs JOIN ({_STEM_PREFIXES}) x ON x.uri = pairs.uri
            JOIN association_products n ON n.name = pairs.name AND n.product = x.prefix)
        SELECT {_edge('PRODUCED_BY', _P, 'uri', _A, 'name')} FROM hits"""),
    # cypher/derive/produced_by_products.cypher, Level 2b: the association (not a Level-3 one) that
    # already produces a product of the same stem and names the stem; the PRODUCED_BY relationships
    # the loaders wrote and those produced_by_associations derives.
    Rule("produced_by_products_l2b", ("produced_by_products",), f"""
        WITH produced AS (
            SELECT start_key AS uri, end_key AS name FROM loader_edges WHERE rel = 'PRODUCED_BY'
              AND start_label = '{_P}' AND end_label = '{_A}'
            UNION SELECT start_key, end_key FROM derived_produced_by),
        siblings AS (SELECT DISTINCT s.stem, produced.name FROM produced JOIN products s ON s.uri = produced.uri
                     WHERE s.stem IS NOT NULL),
        hits AS (
            SELECT DISTINCT p.uri, siblings.name FROM products p
            JOIN siblings ON siblings.stem = p.stem
            JOIN associations a ON a.name = siblings.name AND NOT suffix(a.asn_type, '3')
            JOIN association_products n ON n.name = a.name AND n.product = p.stem
            WHERE p.level = '2b' AND NOT p.preview)
        SELECT {_edge('PRODUCED_BY', _P, 'uri', _A, 'name')} FROM hits""", output="derived_produced_by_l2b"),
    # cypher/derive/linked.cypher, first direction of each kind: the product a preview shows (its
    # filename is the preview's `previews`); a Level-1b exposure (not a guide-star product) -> the
    # guide-star products of its visit; a product -> the MSA file its MSAMETFL names.
    Rule("linked_preview", ("linked",), f"""
        SELECT {_edge('LINKED', _P, 't.uri', _P, 'p.uri', kind="'preview'")}
        FROM products p JOIN products t ON t.filename = p.previews WHERE p.preview"""),
    Rule("linked_guide_star", ("linked",), f"""
        SELECT {_edge('LINKED', _P, 'p.uri', _P, 'g.uri', kind="'guide_star'")}
        FROM products p JOIN products g ON g.visit_id = p.visit_id AND g.guide_star
        WHERE p.l1b AND NOT p.guide_star AND p.visit_id IS NOT NULL"""),
    Rule("linked_msa", ("linked",), f"""
        SELECT {_edge('LINKED', _P, 'p.uri', _P, 'm.uri', kind="'msa_catalog'")}
        FROM products p JOIN products m ON m.filename = p.msametfl AND m.msa_file
        WHERE p.msametfl IS NOT NULL"""),
    # cypher/derive/association_members.cypher: every output p (PRODUCED_BY, written or derived) of an
    # association a. `rank` is the association's name: over every association in name
    # order, so where two associations SET one property of one relationship, the last name's wins.
    Rule("association_file", ("association_members",), f"""
        WITH produced AS ({{produced}})
        SELECT {_edge('ANTECEDENT', _P, 'produced.uri', _P, 'af.uri')}
        FROM produced JOIN products af ON af.association = produced.name AND af.association_file
        WHERE af.uri <> produced.uri"""),
    Rule("multiplicity", ("association_members",), f"""
        WITH produced AS ({{produced}})
        SELECT {_edge('MULTIPLICITY', _P, 'p.uri', _A, 'produced.name', source_id='p.source_id',
                      rank='produced.name')}
        FROM produced JOIN products p ON p.uri = produced.uri
        JOIN association_products n ON n.name = produced.name AND n.product = p.source_stem
        WHERE p.source_stem IS NOT NULL"""),
    # The pairs, by three equi-joins: the member's product is the output's stem, its source_stem,
    # or (a Level-3 output) a prefix of its stem. One join with an OR of the three compared every
    # member of an association with every output, and ran out of memory with 256MB at L's facts
    # (384MB did); these run in 192MB (1.6 s instead of 2.3 s with 1GB). A pair found two ways
    # comes twice, united as one (`unite`). The pairs are read by one SELECT (the member's exptype
    # picks the relationship): five, one per relationship, made DuckDB hold them in memory
    # whatever its limit.
    Rule("members", ("association_members",), f"""
        WITH produced AS ({{produced}}),
        outputs AS (SELECT produced.name, p.uri, p.level, p.stem, p.source_stem
                    FROM produced JOIN products p ON p.uri = produced.uri),
        found AS (
            SELECT o.name, o.uri AS p, o.level, r.uri AS m, r.exptype FROM outputs o
            JOIN has_member r ON r.name = o.name AND r.product = o.stem
            UNION ALL
            SELECT o.name, o.uri, o.level, r.uri, r.exptype FROM outputs o
            JOIN has_member r ON r.name = o.name AND r.product = o.source_stem
            UNION ALL
            SELECT o.name, o.uri, o.level, r.uri, r.exptype FROM outputs o
            JOIN ({_STEM_PREFIXES}) x ON x.uri = o.uri
            JOIN has_member r ON r.name = o.name AND r.product = x.prefix
            WHERE o.level = '3'),
        pairs AS (
            SELECT found.*, a.composition_by, upper(coalesce(m.exp_type, '')) AS m_exp_type
            FROM found LEFT JOIN associations a ON a.name = found.name
            LEFT JOIN products m ON m.uri = found.m
            WHERE found.m <> found.p),
        typed AS (
            SELECT *, CASE
                WHEN exptype = 'science' AND level = '3' THEN '{Rel.COMPOSITION.value}'
                WHEN exptype = 'science' AND level <> '3' THEN '{Rel.ANTECEDENT.value}'
                WHEN exptype IN ('direct_image', 'sourcecat', 'segmap') THEN '{Rel.ANTECEDENT.value}'
                WHEN exptype IN ('background', 'psf', 'imprint', 'selfcal')
                    THEN '{Rel.CONTEMPORANEOUS_CALIBRATION.value}'
                WHEN exptype = 'target_acquisition' THEN '{Rel.PREREQUISITE.value}' END AS rel
            FROM pairs)
        SELECT rel, '{_P}' AS start_label, p AS start_key, '{_P}' AS end_label, m AS end_key,
               CASE rel
                   WHEN '{Rel.CONTEMPORANEOUS_CALIBRATION.value}' THEN CASE
                       WHEN contains(m_exp_type, 'LAMP') THEN 'lamp' WHEN contains(m_exp_type, 'FLAT') THEN 'flat'
                       ELSE exptype END
                   WHEN '{Rel.PREREQUISITE.value}' THEN CASE
                       WHEN contains(m_exp_type, 'CONFIRM') THEN 'confirmation' ELSE 'target_acquisition' END
               END AS kind,
               CASE WHEN exptype IN ('direct_image', 'sourcecat', 'segmap') THEN exptype END AS exptype,
               CASE WHEN rel = '{Rel.COMPOSITION.value}' THEN composition_by END AS "by",
               NULL AS source_id, name AS rank
        FROM typed WHERE rel IS NOT NULL"""),
    # cypher/derive/engineering_series.cypher and engineering_exposures.cypher as the build ran
    # them over every key: every series with every exposure (an Exposure observation, or a product) whose window
    # overlaps its own and that starts at most MAX_EXPOSURE_DAYS before it; and every exposure longer
    # than MAX_EXPOSURE_DAYS with every series starting at most MAX_SERIES_DAYS before it: together,
    # every overlapping pair (online, the longer windows are found by `window_class`). A NaN
    # compares false in Cypher; here it is left out.
    Rule("engineering", ("engineering_series", "engineering_exposures"), f"""
        WITH e AS (
            SELECT '{_O}' AS label, obsid AS key, t_min, t_max FROM observations WHERE exposure
            UNION ALL
            SELECT '{_P}', uri, t_min, t_max FROM products),
        e2 AS (SELECT * FROM e WHERE t_min IS NOT NULL AND t_max IS NOT NULL AND NOT isnan(t_min)
               AND NOT isnan(t_max)),
        s AS (SELECT * FROM series WHERE t_min IS NOT NULL AND t_max IS NOT NULL AND NOT isnan(t_min)
              AND NOT isnan(t_max))
        SELECT e2.label AS rel_start, {_edge('HAS_ENGINEERING', _O, 'e2.key', _E, 's.key')}
        FROM e2 JOIN s ON e2.t_min <= s.t_max AND e2.t_max >= s.t_min
        WHERE e2.t_min >= s.t_min - {float(MAX_EXPOSURE_DAYS)!r}
           OR (e2.t_max - e2.t_min > {float(MAX_EXPOSURE_DAYS)!r} AND s.t_min >= e2.t_min - {float(MAX_SERIES_DAYS)!r})"""),
    # cypher/derive/mrp.cypher: an observation's own science products (HAS_PRODUCT) at the highest
    # level present (string order), no ancillary kinds, no intermediate suffix (a NULL suffix is
    # no match of `NOT p.suffix IN $intermediate`, as in Cypher).
    Rule("mrp", ("mrp",), f"""
        WITH science AS (
            SELECT h.obsid, p.uri, p.level FROM has_product h JOIN products p ON p.uri = h.uri
            WHERE p.product_type = 'SCIENCE' AND p.level IS NOT NULL AND p.suffix IS NOT NULL
              AND p.suffix NOT IN (SELECT suffix FROM intermediate)
              AND NOT (p.guide_star OR p.preview OR p.association_file OR p.pool_file OR p.msa_file)),
        top AS (SELECT obsid, max(level) AS level FROM science GROUP BY obsid)
        SELECT DISTINCT {_edge('MRP', _O, 'science.obsid', _P, 'science.uri')}
        FROM science JOIN top ON top.obsid = science.obsid AND top.level = science.level"""),
)

#: association_members' outputs: PRODUCED_BY as the loaders wrote it and as the rules before derive it.
_PRODUCED = (f"SELECT start_key AS uri, end_key AS name FROM loader_edges WHERE rel = 'PRODUCED_BY' "
             f"AND start_label = '{_P}' AND end_label = '{_A}' "
             "UNION SELECT start_key, end_key FROM derived_produced_by "
             "UNION SELECT start_key, end_key FROM derived_produced_by_l2b")


def rule_sql(rule: Rule) -> str:
    """The SELECT of one rule, EDGE_COLUMNS in order."""
    text = rule.sql.replace("{produced}", _PRODUCED)
    if rule.name == "engineering":  # its start label is the exposure's: an Observation or a Product
        columns = ", ".join("rel_start AS start_label" if c == "start_label" else f'"{c}"' for c in EDGE_COLUMNS)
        return f"SELECT {columns} FROM ({text})"
    return text


# -- facts: what the CSV phase writes for the rules -------------------------------------------

def _text(value: Any) -> Any:
    return value if type(value) is str else ABSENT


def _number(value: Any) -> Any:
    if type(value) is float:
        return value if math.isfinite(value) else ("NaN" if math.isnan(value) else repr(value))
    if type(value) is int:
        return float(value)
    return ABSENT


_BOOL = {True: "true", False: "false"}


class FactWriter:
    """The facts of one partition: one CSV file per fact table (written only when it has rows).

    Strings are quoted (an empty cell is NULL, ``""`` the empty string), numbers bare.
    """

    def __init__(self, folder: Path, partition: int) -> None:
        self.folder = folder
        self.partition = partition
        self._files: dict[str, Any] = {}
        self._writers: dict[str, Any] = {}
        self._flags: dict[tuple[str, ...], list[str]] = {}  # a product label set's flag cells

    def _writer(self, table: str):
        writer = self._writers.get(table)
        if writer is None:
            path = self.folder / table / f"p{self.partition:05d}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            fh = self._files[table] = open(path, "w", encoding="utf-8", newline="")
            writer = self._writers[table] = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        return writer

    def node(self, group: tuple[str, ...], key: str, props: dict) -> None:
        label = group[0]
        g = props.get
        if label == _P:
            flags = self._flags.get(group)
            if flags is None:
                flags = self._flags[group] = [_BOOL[name in group] for name in PRODUCT_FLAGS]
            row = [key]
            row += [value if type(value) is str else ABSENT for value in map(g, PRODUCT_TEXT)]  # (`_text`)
            row.append(_number(g("t_min")))
            row.append(_number(g("t_max")))
            row += flags
            self._writer("products").writerow(row)
        elif label == _A:
            self._writer("associations").writerow(
                [key, *(_text(g(n)) for n in ("asn_type", "composition_by", "program", "asn_id"))])
            products = g("products")
            if type(products) is list:
                writer = self._writer("association_products")
                for product in products:
                    if type(product) is str:
                        writer.writerow([key, product])
        elif label == _O:
            self._writer("observations").writerow(
                [key, _BOOL[Label.EXPOSURE.value in group], _number(g("t_min")), _number(g("t_max"))])
        elif label == _E:
            self._writer("series").writerow([key, _number(g("t_min")), _number(g("t_max"))])

    def edge(self, rel: str, start: str, skey: str, end: str, ekey: str, props: dict) -> None:
        if rel == "HAS_MEMBER" and start == _A and end == _P:
            self._writer("has_member").writerow([skey, ekey, _text(props.get("product")), _text(props.get("exptype"))])
        elif rel == "HAS_PRODUCT" and start == _O and end == _P:
            self._writer("has_product").writerow([skey, ekey])
        if rel in DERIVED_TYPES:
            self._writer("loader_edges").writerow([rel, start, skey, end, ekey, _text(props.get("kind"))])

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()


# -- running the rules ------------------------------------------------------------------------

#: DuckDB's memory for the rules, the bulk build's and the online ingest's (beyond it DuckDB spills
#: to the work folder). On L's facts (405 MB; 1.0 million products, 3.8 million rule rows) every
#: rule and the uniting took 22.7 s and 354 MB peak RSS with 256MB, 23.5 s / 586 MB with 512MB,
#: 21.6 s / 1,017 MB with 1GB: the process holds what the limit allows, and needs no more than
#: 256MB there; 512MB leaves room for the larger archives (XL's facts are ten times L's).
MEMORY = "512MB"


@dataclass
class DuckConfig:
    """DuckDB's bounds: memory (it spills to `temp_dir` beyond it) and threads."""

    database: Path  # a file: tables larger than memory live on disk
    temp_dir: Path
    memory_limit: str = MEMORY
    threads: int = 2


@dataclass
class DeriveResult:
    #: per (type, start label, end label): the new relationships' CSV data file and row count
    groups: dict[tuple[str, str, str], tuple[Path, int]] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)  # new relationships per type
    #: relationships a loader wrote that a rule gives properties: ("e", rel, start, skey, end, ekey,
    #: identity names, identity values, props), as `pipeline.bulk_merge` residuals
    residuals: list[tuple] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per rule, and load/unite/write
    rows: dict[str, int] = field(default_factory=dict)  # rows each rule gave (before uniting)
    duckdb_peak_bytes: int = 0  # the most DuckDB's buffer manager held after a rule (memory and temp files)


def connect(config: DuckConfig):
    import duckdb

    config.temp_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(config.database))
    con.execute(f"SET memory_limit = '{memory_size(config.memory_limit)}'")
    con.execute("SET temp_directory = ?", [str(config.temp_dir)])
    con.execute(f"SET threads = {max(1, int(config.threads))}")
    con.execute("SET preserve_insertion_order = false")
    return con


def memory_size(text: str) -> str:
    """A DuckDB memory size as given (`1GB`, `500MB`, `2 GiB`); ValueError for anything else."""
    value = str(text).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", value, re.IGNORECASE):
        raise ValueError(f"not a memory size: {text!r} (e.g. 1GB, 500MB)")
    return value


def create_tables(con) -> None:
    """The input tables (INPUT_TABLES), empty."""
    for table, columns in INPUT_TABLES.items():
        spec = ", ".join(f"{name} {kind}" for name, kind in columns)
        con.execute(f"CREATE OR REPLACE TABLE {table} ({spec})")


def vocabulary_rows() -> dict[str, list[tuple]]:
    """The rows of the two vocabulary tables."""
    return {"exposure_inputs": [(suffix, item) for suffix, inputs in EXPOSURE_INPUTS.items() for item in inputs],
            "intermediate": [(suffix,) for suffix in sorted(INTERMEDIATE_SUFFIXES)]}


def load_facts(con, folder: Path) -> None:
    """The input tables: the fact CSV files under `folder` (none: an empty table), the vocabulary."""
    create_tables(con)
    for table, columns in INPUT_TABLES.items():
        files = sorted((folder / table).glob("p*.csv")) if table in FACT_TABLES else []
        if files:
            types = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns) + "}"
            con.execute(f"INSERT INTO {table} SELECT * FROM read_csv(?, columns = {types}, header = false, "
                        "quote = '\"', escape = '\"', nullstr = '', allow_quoted_nulls = false, auto_detect = false)",
                        [[str(f) for f in files]])
    for table, rows in vocabulary_rows().items():
        con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in INPUT_TABLES[table])})", rows)


def run_rules(con, on_rule: Callable[[str, int], None] | None = None, measure: bool = True
              ) -> tuple[dict[str, float], dict[str, int], int]:
    """Every rule into the table `derived` (EDGE_COLUMNS, one row per rule hit); seconds and rows
    per rule, and the most memory DuckDB held after any rule (`measure=False`: rows and memory not
    counted, for the online batches' small tables)."""
    con.execute("CREATE OR REPLACE TEMP TABLE derived (rel VARCHAR, start_label VARCHAR, start_key VARCHAR, "
                "end_label VARCHAR, end_key VARCHAR, kind VARCHAR, exptype VARCHAR, \"by\" VARCHAR, "
                "source_id VARCHAR, rank VARCHAR)")
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}
    held = total = 0
    for number, rule in enumerate(RULES):
        started = time.perf_counter()
        if rule.output:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {rule.output} AS {rule_sql(rule)}")
            con.execute(f"INSERT INTO derived SELECT * FROM {rule.output}")
        else:
            con.execute(f"INSERT INTO derived {rule_sql(rule)}")
        seconds[rule.name] = seconds.get(rule.name, 0.0) + time.perf_counter() - started
        if measure:
            now = con.execute("SELECT count(*) FROM derived").fetchone()[0]
            rows[rule.name], total = now - total, now
            held = max(held, _held_bytes(con))
        if on_rule:
            on_rule(rule.name, number + 1)
    return seconds, rows, held


#: One relationship per identity: LINKED per kind (EDGE_IDENTITY), every other type per ends. The
#: properties: `kind` (CONTEMPORANEOUS_CALIBRATION, PREREQUISITE) and `by`, `source_id` from the
#: row set last (highest rank: `by` may be set to NULL, i.e. removed; both from that one row, taken
#: as one struct: one aggregate instead of two costs 40 % less at L); `exptype`, which only one
#: rule sets and only with a value, from any row that sets it. Run one relationship type at a time
#: (`create_united`): no identity spans two types, and the largest group (LINKED, half the rows at
#: L) is what DuckDB holds; all at once it held the 3.8 million rows of L's `derived` (1.06 GB
#: peak RSS with 1GB; 46 s instead of 12 with 256MB, spilling).
_UNITE = """
SELECT rel, start_label, start_key, end_label, end_key, kind, exptype, last."by" AS "by", last.source_id AS source_id
FROM (SELECT rel, start_label, start_key, end_label, end_key,
             CASE WHEN rel = 'LINKED' THEN any_value(kind) ELSE arg_max(kind, coalesce(rank, '')) END AS kind,
             max(exptype) AS exptype,
             arg_max_null({'by': "by", 'source_id': source_id}, coalesce(rank, '')) AS last
      FROM derived WHERE rel = $rel
      GROUP BY rel, start_label, start_key, end_label, end_key, CASE WHEN rel = 'LINKED' THEN kind END)
"""


#: The relationship types whose rows carry nothing to choose between: no `exptype`, `by`,
#: `source_id` nor rank, and no `kind` but LINKED's (part of its identity). Their rows are united
#: by DISTINCT, which gives what `_UNITE` would (each property NULL, LINKED's kind its own) without
#: its aggregates. At L (512MB, two runs each): LINKED's 1.9 million rows in 3.0 s instead of 3.8,
#: ANTECEDENT's 0.9 million in 1.0 s instead of 1.6; every type 8.0 s instead of 9.2.
_PLAIN_TYPES = """
SELECT rel, bool_and(exptype IS NULL AND "by" IS NULL AND source_id IS NULL AND rank IS NULL
                     AND (kind IS NULL OR rel = 'LINKED'))
FROM derived GROUP BY rel ORDER BY rel
"""
_UNITE_PLAIN = """
SELECT DISTINCT rel, start_label, start_key, end_label, end_key, kind, exptype, "by", source_id
FROM derived WHERE rel = $rel
"""


def create_united(con) -> None:
    """The table `united`: the rows of `derived` as one relationship per identity (`_UNITE`, or
    `_UNITE_PLAIN` for a type whose rows carry nothing to choose between)."""
    con.execute("CREATE OR REPLACE TEMP TABLE united AS SELECT * EXCLUDE (rank) FROM derived LIMIT 0")
    for rel, plain in con.execute(_PLAIN_TYPES).fetchall():
        con.execute(f"INSERT INTO united {_UNITE_PLAIN if plain else _UNITE}", {"rel": rel})


#: A relationship a rule gives that a loader also wrote: the same type and ends (and, for LINKED,
#: kind). Every condition compares one side with the other (the kind through a CASE on each side),
#: so DuckDB joins by hash: an `OR` across both sides made `NOT EXISTS` a nested comparison, 4.5 s
#: instead of 1.4 s at L.
_MATCH_LOADER = """
l.rel = u.rel AND l.start_label = u.start_label AND l.start_key = u.start_key AND l.end_label = u.end_label
AND l.end_key = u.end_key
AND (CASE WHEN l.rel = 'LINKED' THEN l.kind END) IS NOT DISTINCT FROM (CASE WHEN u.rel = 'LINKED' THEN u.kind END)
"""


def derive_edges(con, out_dir: Path, on_rule: Callable[[str, int], None] | None = None) -> DeriveResult:
    """Run every rule over the loaded input tables; write the new relationships as the importer's
    relationship CSV (one data file per type and end labels, under `out_dir`); return them with
    the properties to set on the relationships the loaders wrote."""
    result = DeriveResult()
    seconds, result.rows, held = run_rules(con, on_rule)
    result.seconds.update(seconds)
    started = time.perf_counter()
    result.residuals = unite(con)
    result.seconds["unite"] = time.perf_counter() - started
    started = time.perf_counter()
    groups = con.execute("SELECT rel, start_label, end_label, count(*) FROM new_edges GROUP BY ALL ORDER BY ALL"
                         ).fetchall()
    for rel, start, end, count in groups:
        props = DERIVED_PROPS[Rel(rel)]
        Label(start), Label(end)
        folder = out_dir / f"{rel}-{start}-{end}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "p00000.csv"
        columns = ", ".join(f'"{name}"' for name in ("start_key", "end_key", "rel", *props))
        con.execute(f"COPY (SELECT {columns} FROM new_edges WHERE rel = '{rel}' AND start_label = '{start}' "
                    f"AND end_label = '{end}') TO '{_quoted_path(path)}' (FORMAT csv, HEADER false, FORCE_QUOTE *)")
        result.groups[(rel, start, end)] = (path, count)
        result.created[rel] = result.created.get(rel, 0) + count
    result.seconds["write"] = time.perf_counter() - started
    result.duckdb_peak_bytes = max(held, _held_bytes(con))
    return result


def unite(con) -> list[tuple]:
    """The rules' rows (`run_rules`) as one relationship each (`united`), those no loader wrote as
    the table `new_edges`; returns the properties to set on those a loader wrote (residuals)."""
    create_united(con)
    for table in ("derived", *(rule.output for rule in RULES if rule.output)):
        con.execute(f"DROP TABLE IF EXISTS {table}")  # (read by the uniting only)
    con.execute(f"CREATE OR REPLACE TEMP TABLE new_edges AS SELECT u.* FROM united u "
                f"ANTI JOIN loader_edges l ON {_MATCH_LOADER}")
    residuals = _loader_residuals(con)
    con.execute("DROP TABLE united")
    return residuals


def _quoted_path(path: Path) -> str:
    text = str(path)
    if "'" in text:
        raise ValueError(f"a work folder with a quote in its path: {text}")
    return text


def _loader_residuals(con) -> list[tuple]:
    """A relationship both a loader and a rule give: the rule's SETs on the loader's relationship
    (a `kind` only where it differs from the loader's)."""
    rows = con.execute(f"""
        SELECT u.rel, u.start_label, u.start_key, u.end_label, u.end_key, u.kind, u.exptype, u."by", u.source_id,
               l.kind AS loader_kind
        FROM united u JOIN loader_edges l ON {_MATCH_LOADER}
        WHERE u.rel IN ('ANTECEDENT', 'COMPOSITION', 'MULTIPLICITY', 'CONTEMPORANEOUS_CALIBRATION', 'PREREQUISITE')
        ORDER BY ALL""").fetchall()
    items = []
    for rel, start, skey, end, ekey, kind, exptype, by, source_id, loader_kind in rows:
        props: dict[str, Any] = {}
        if rel in ("CONTEMPORANEOUS_CALIBRATION", "PREREQUISITE") and kind != loader_kind:
            props["kind"] = kind
        elif rel == "ANTECEDENT" and exptype is not None:
            props["exptype"] = exptype
        elif rel == "COMPOSITION":
            props["by"] = by
        elif rel == "MULTIPLICITY":
            props["source_id"] = source_id
        if props:
            names = EDGE_IDENTITY.get((Rel(rel), Label(start)), ())
            items.append(("e", rel, start, skey, end, ekey, names, tuple(None for _ in names), props))
    return items


def _held_bytes(con) -> int:
    """What DuckDB's buffer manager holds now, in memory and in temporary files."""
    try:
        row = con.execute("SELECT sum(memory_usage_bytes) + sum(temporary_storage_bytes) FROM duckdb_memory()"
                          ).fetchone()
        return int(row[0] or 0)
    except Exception:  # noqa: BLE001 - older DuckDB without duckdb_memory(): not measured
        return 0
