"""The online derivation as table joins: one batch's derived relationships from the rules of
`pipeline/derive_tables.py`, run on the batch and the neighbours it reads from Neo4j.

After a batch's records are written (and its member lists replaced), in the same transaction:

1. **Read.** From the keys the batch touched, index-seek queries (cypher/derive/read_*.cypher) read
   the nodes the rules can join them with, in rounds: the batch's own nodes as written (the
   existing values updated by the batch's); then the products of their exposure keys, file names,
   previews, MSA files, visits, stems and time windows, the associations of their program and asn id,
   the engineering series and exposures of their windows (the long ones by window class,
   `long_windows`); then every association whose outputs or members the batch can change (`core`)
   with its outputs, members and association files, and every other association of those outputs
   (so that where two associations give one relationship a property, all of them are there: the
   highest name wins, as in the bulk build); and the observations whose MRP can change, with all
   their products and MRP relationships.
2. **Rules.** The tables of those nodes and relationships go into an in-memory DuckDB and every rule
   runs on them (`derive_tables.RULES`, united as the bulk build unites them). Should the derived
   PRODUCED_BY name an association not read yet, it is read and the rules run again.
3. **Write.** The relationships the batch can have created or changed (an end in the batch; or
   from an output of a `core` association; or an MRP of an observation read for it) are written
   with `BatchWriter` (MERGE, ``SET r += props``), and the MRP relationships the rule no longer
   gives are deleted.

The neighbourhood is bounded by the bounds of the Cypher derivation (`MAX_EXPOSURE_DAYS`,
`MAX_SERIES_DAYS`), so both give the same graph.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mastgraph.graph import queries
from mastgraph.graph.writer import BatchWriter, ParamRows, Runner, WriteCounts, unlogged
from mastgraph.model.records import Edge
from mastgraph.model.vocabulary import Label, Rel
from mastgraph.pipeline import derive_tables
from mastgraph.pipeline.derive import (MAX_EXPOSURE_DAYS, MAX_SERIES_DAYS, WINDOW_CLASSES, Touched, chunk_size,
                                       set_window_classes)
from mastgraph.pipeline.derive_tables import INPUT_TABLES, PRODUCT_TEXT, create_united

_P, _A, _O, _E = Label.PRODUCT, Label.ASSOCIATION, Label.OBSERVATION, Label.ENGINEERING_SERIES

#: The product labels the rules read (the products table's flag columns, in order).
_PRODUCT_FLAGS = tuple(Label(label) for label in derive_tables.PRODUCT_FLAGS)
#: The relationships association_members.cypher makes from an association's outputs.
_FROM_OUTPUTS = frozenset({"ANTECEDENT", "COMPOSITION", "MULTIPLICITY", "CONTEMPORANEOUS_CALIBRATION",
                           "PREREQUISITE"})
#: The keys read_products.cypher takes, each a list of values.
PRODUCT_KEYS = ("uris", "exposure_keys", "filenames", "previews", "msametfls", "guide_visits", "l1b_visits",
                "stems", "source_stems", "stem_prefixes", "association_files", "windows", "long_windows")


def _text(value: Any) -> str | None:
    return value if type(value) is str else None


def _number(value: Any) -> float | None:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    return None


def _finite(*values: Any) -> bool:
    return all(type(v) in (int, float) and math.isfinite(v) for v in values)


def windows(intervals: Iterable[tuple[float, float]]) -> list[list[float]]:
    """The intervals merged where they overlap: one index seek per merged window."""
    merged: list[list[float]] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return merged


def long_windows(points: Iterable[float], bound: float) -> list[list[float]]:
    """The [window_class, from, to] seeks (t_min from `from` up to, not including, `to`) that find every
    window longer than `bound` that holds one of `points` and began more than `bound` before it (a seek
    by t_min from point - bound finds the others): per class k below WINDOW_CLASSES, from
    point - bound * 2**(k + 1) (a class-k window lasts no longer), merged over the points; for the
    open-ended last class, from any time."""
    points = sorted(p for p in points if _finite(p))
    if not points:
        return []
    out: list[list[float]] = []
    for k in range(WINDOW_CLASSES):
        reach = bound * 2.0 ** (k + 1)
        out.extend([k, low, high] for low, high in windows((p - reach, p - bound) for p in points))
    out.append([WINDOW_CLASSES, -math.inf, points[-1] - bound])
    return out


@dataclass
class Neighbourhood:
    """The nodes read for one batch, as the rules read them, and which keys were read."""

    tx: Runner
    products: dict[str, dict] = field(default_factory=dict)
    associations: dict[str, dict] = field(default_factory=dict)
    observations: dict[str, dict] = field(default_factory=dict)
    series: dict[str, dict] = field(default_factory=dict)
    asked: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    seconds: dict[str, float] = field(default_factory=dict)  # per read query

    def _new(self, kind: str, values: Iterable[Any], known: dict | None = None) -> list:
        asked = self.asked[kind]
        fresh = []
        for value in values:
            if value is None or value in asked or (known is not None and value in known):
                continue
            asked.add(value)
            fresh.append(value)
        return sorted(fresh, key=repr)

    def _run(self, name: str, **params) -> list:
        started = time.perf_counter()
        found = list(self.tx.run(queries.text(f"derive/{name}"), unlogged(params)))
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
        return found

    def read_products(self, **keys: Iterable[Any]) -> None:
        params = {}
        for kind in PRODUCT_KEYS:
            values = keys.get(kind, ())
            if kind in ("windows", "long_windows"):
                params[kind] = [list(w) for w in values]
            else:
                params[kind] = self._new(f"p.{kind}", values, self.products if kind == "uris" else None)
        if not any(params.values()):
            return
        for record in self._run("read_products", **params):
            row = dict(record["p"])
            labels = set(record["labels"])
            for flag in _PRODUCT_FLAGS:
                row[flag.value] = flag.value in labels
            row["produced_by"], row["member_of"] = record["produced_by"], record["member_of"]
            row["observations"] = record["observations"]
            self.products[row["uri"]] = row
            self.asked["p.uris"].add(row["uri"])

    def read_associations(self, names: Iterable[str] = (), program_asn: Iterable[tuple] = ()) -> None:
        names = self._new("a.names", names, self.associations)
        pairs = self._new("a.program_asn", program_asn)
        if not names and not pairs:
            return
        for record in self._run("read_associations", names=names, program_asn=[list(p) for p in pairs]):
            row = dict(record["a"])
            row["outputs"], row["members"] = record["outputs"], record["members"]
            self.associations[row["name"]] = row
            self.asked["a.names"].add(row["name"])

    def read_observations(self, obsids: Iterable[str] = (), windows: list[list[float]] = (),
                          long_windows: list[list[float]] = ()) -> None:
        self._read_keyed("read_observations", "obsids", "obsid", self.observations, obsids, windows, long_windows)

    def read_series(self, keys: Iterable[str] = (), windows: list[list[float]] = (),
                    long_windows: list[list[float]] = ()) -> None:
        self._read_keyed("read_series", "keys", "key", self.series, keys, windows, long_windows)

    def _read_keyed(self, query: str, param: str, key: str, known: dict[str, dict], keys: Iterable[str],
                    windows: list[list[float]], long_windows: list[list[float]]) -> None:
        """Observations or series by key, by time window and by window class, each read once."""
        kind = f"{query}.{param}"
        fresh = self._new(kind, keys, known)
        if not fresh and not windows and not long_windows:
            return
        for record in self._run(query, **{param: fresh, "windows": list(windows),
                                          "long_windows": [list(w) for w in long_windows]}):
            known[record[key]] = dict(record)
            self.asked[kind].add(record[key])


def _level3(association: dict) -> bool:
    asn_type = association.get("asn_type")
    return type(asn_type) is str and asn_type.endswith("3")


def read_neighbourhood(nb: Neighbourhood, touched: Touched) -> tuple[set[str], set[str]]:
    """Read what the touched keys can join with; return the `core` associations (those whose
    outputs' relationships the batch can change) and the observations whose MRP it can change."""
    # the batch's own nodes, as written
    nb.read_products(uris=touched.uris)
    nb.read_associations(names=touched.associations)
    nb.read_observations(obsids=touched.obsids)
    nb.read_series(keys=touched.series)
    # the nodes their keys join with
    keys: dict[str, set] = defaultdict(set)
    series_windows, exposure_windows = [], []
    series_points, exposure_points = [], []  # the starts the long windows of the other kind may hold
    program_asn: set[tuple] = set()
    core: set[str] = set(touched.associations)
    mrp_obsids: set[str] = set(touched.obsids)
    for uri in touched.uris:
        p = nb.products.get(uri)
        if p is None:
            continue
        g = lambda name, p=p: _text(p.get(name))  # noqa: E731 - the rules join on text values only
        core.update(p["produced_by"], p["member_of"])
        mrp_obsids.update(p["observations"])
        preview, guide = p["Preview"], p["GuideStar"]
        if g("exposure_key") is not None and not preview and not guide:
            keys["exposure_keys"].add(g("exposure_key"))
        if preview and g("previews") is not None:
            keys["filenames"].add(g("previews"))
        if not preview and g("filename") is not None:
            keys["previews"].add(g("filename"))
        if g("msametfl") is not None:
            keys["filenames"].add(g("msametfl"))
        if p["MsaFile"] and g("filename") is not None:
            keys["msametfls"].add(g("filename"))
        if p["L1b"] and not guide and g("visit_id") is not None:
            keys["guide_visits"].add(g("visit_id"))
        if guide and g("visit_id") is not None:
            keys["l1b_visits"].add(g("visit_id"))
        if g("level") == "2b" and g("stem") is not None:
            keys["stems"].add(g("stem"))
        if g("level") == "3" and g("program") is not None and g("asn_id") is not None:
            program_asn.add((g("program"), g("asn_id")))
        if g("association") is not None and p["AssociationFile"]:
            core.add(g("association"))
        if _finite(p.get("t_min"), p.get("t_max")):
            series_windows.append((p["t_min"] - MAX_SERIES_DAYS, p["t_max"]))
            series_points.append(p["t_min"])
    for name in touched.associations:
        a = nb.associations.get(name)
        if a is None or type(a.get("products")) is not list:
            continue
        named = [n for n in a["products"] if type(n) is str]
        keys["stems"].update(named)
        keys["source_stems"].update(named)
        if _level3(a):
            keys["stem_prefixes"].update(named)
    for obsid in touched.obsids:
        o = nb.observations.get(obsid)
        if o is not None and o["exposure"] and _finite(o["t_min"], o["t_max"]):
            series_windows.append((o["t_min"] - MAX_SERIES_DAYS, o["t_max"]))
            series_points.append(o["t_min"])
    for key in touched.series:
        s = nb.series.get(key)
        if s is not None and _finite(s["t_min"], s["t_max"]):
            exposure_windows.append((s["t_min"] - MAX_EXPOSURE_DAYS, s["t_max"]))
            exposure_points.append(s["t_min"])
    exposure_windows = windows(exposure_windows)
    long_exposures = long_windows(exposure_points, MAX_EXPOSURE_DAYS)
    nb.read_products(**keys, windows=exposure_windows, long_windows=long_exposures)
    nb.read_observations(windows=exposure_windows, long_windows=long_exposures)
    nb.read_series(windows=windows(series_windows), long_windows=long_windows(series_points, MAX_SERIES_DAYS))
    nb.read_associations(program_asn=program_asn)
    for a in nb.associations.values():  # level-3 associations of a batch product's program and asn id
        if (a.get("program"), a.get("asn_id")) in program_asn:
            core.add(a["name"])
    batch_stems = {nb.products[u].get("stem") for u in touched.uris
                   if u in nb.products and nb.products[u].get("level") == "2b"}
    for p in list(nb.products.values()):  # the associations of a batch Level-2b product's siblings
        if p.get("stem") in batch_stems:
            core.update(p["produced_by"])
    # the observations whose MRP can change, with every product of theirs
    nb.read_observations(obsids=mrp_obsids)
    nb.read_products(uris={u for o in mrp_obsids if o in nb.observations for u in nb.observations[o]["products"]})
    return core, mrp_obsids


def close_associations(nb: Neighbourhood, core: set[str], derived_outputs: Iterable[str] = ()) -> set[str]:
    """Read the core associations, their outputs (and `derived_outputs`, those the rules gave them),
    every association of those outputs, and their members and association files; return the outputs."""
    while True:
        nb.read_associations(names=core)
        outputs = {u for name in core if name in nb.associations for u in nb.associations[name]["outputs"]}
        outputs.update(derived_outputs)
        nb.read_products(uris=outputs)
        others = {n for u in outputs if u in nb.products for n in nb.products[u]["produced_by"]}
        nb.read_associations(names=others)
        every = [nb.associations[n] for n in core | others if n in nb.associations]
        before = (len(nb.products), len(nb.associations))
        nb.read_products(uris={m[0] for a in every for m in a["members"]},
                         association_files={a["name"] for a in every})
        if (len(nb.products), len(nb.associations)) == before:
            return outputs


# -- the tables ---------------------------------------------------------------------------------

def tables(nb: Neighbourhood, mrp_obsids: set[str]) -> dict[str, list[tuple]]:
    """The input tables of the rules (INPUT_TABLES) from what was read."""
    out: dict[str, list[tuple]] = {name: [] for name in INPUT_TABLES}
    for uri, p in nb.products.items():
        g = p.get
        out["products"].append((uri, *(_text(g(n)) for n in PRODUCT_TEXT), _number(g("t_min")),
                                _number(g("t_max")), *(p[f.value] for f in _PRODUCT_FLAGS)))
        for name in p["produced_by"]:
            out["loader_edges"].append(("PRODUCED_BY", _P.value, uri, _A.value, name, None))
    for name, a in nb.associations.items():
        g = a.get
        out["associations"].append((name, *(_text(g(n)) for n in ("asn_type", "composition_by", "program",
                                                                     "asn_id"))))
        if type(g("products")) is list:
            out["association_products"].extend((name, n) for n in g("products") if type(n) is str)
        for uri, product, exptype in a["members"]:
            out["has_member"].append((name, uri, _text(product), _text(exptype)))
    for obsid, o in nb.observations.items():
        out["observations"].append((obsid, bool(o["exposure"]), _number(o["t_min"]), _number(o["t_max"])))
        if obsid in mrp_obsids:
            out["has_product"].extend((obsid, uri) for uri in o["products"])
    for key, s in nb.series.items():
        out["series"].append((key, _number(s["t_min"]), _number(s["t_max"])))
    out.update(derive_tables.vocabulary_rows())
    return out


def load_tables(con, rows: dict[str, list[tuple]]) -> None:
    """The input tables into DuckDB, a column list a parameter each (no files)."""
    derive_tables.create_tables(con)
    for table, columns in INPUT_TABLES.items():
        data = rows.get(table) or []
        if not data:
            continue
        select = ", ".join(f"unnest(${i + 1}::{kind}[])" for i, (_, kind) in enumerate(columns))
        con.execute(f"INSERT INTO {table} SELECT {select}", [list(column) for column in zip(*data)])


def run_rules(con) -> list[tuple]:
    """Every rule, united into one relationship per identity (`derive_tables.create_united`)."""
    derive_tables.run_rules(con, measure=False)
    create_united(con)
    return con.execute('SELECT rel, start_label, start_key, end_label, end_key, kind, exptype, "by", source_id '
                       "FROM united ORDER BY ALL").fetchall()


def _connect():
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 1")
    return con


# -- the batch ----------------------------------------------------------------------------------

def _props(rel: str, kind, exptype, by, source_id) -> dict[str, Any]:
    if rel == "ANTECEDENT":
        return {} if exptype is None else {"exptype": exptype}
    if rel == "COMPOSITION":
        return {"by": by}
    if rel == "MULTIPLICITY":
        return {"source_id": source_id}
    if rel in ("CONTEMPORANEOUS_CALIBRATION", "PREREQUISITE", "LINKED"):
        return {"kind": kind}
    return {}


def derive_batch(tx: Runner, touched: Touched, batch_size: int = 5000) -> WriteCounts:
    """Derive, write and (MRP) delete every relationship the touched keys can affect."""
    counts = WriteCounts()
    started = time.perf_counter()
    nb = Neighbourhood(tx)
    core, mrp_obsids = read_neighbourhood(nb, touched)
    outputs = close_associations(nb, core)
    counts.seconds["read"] = time.perf_counter() - started
    set_window_classes(tx, touched, chunk_size(batch_size), counts)
    con = _connect()
    try:
        while True:
            started = time.perf_counter()
            load_tables(con, tables(nb, mrp_obsids))
            rows = run_rules(con)
            counts.add_seconds("rules", time.perf_counter() - started)
            # a PRODUCED_BY the rules give to an association not read, or to an output whose other
            # associations were not read: read them, and run the rules again
            produced = [(r[2], r[4]) for r in rows if r[0] == "PRODUCED_BY"]
            grown = {a for p, a in produced if p in touched.uris or a in core} - core
            fresh = {p for p, a in produced if a in core or a in grown} - outputs
            if not grown and not fresh:
                break
            started = time.perf_counter()
            core |= grown
            outputs |= close_associations(nb, core, outputs | fresh)
            counts.seconds["read"] += time.perf_counter() - started
    finally:
        con.close()
    started = time.perf_counter()
    ends = {_P.value: touched.uris, _A.value: touched.associations, _O.value: touched.obsids,
            _E.value: touched.series}
    writer = BatchWriter(tx, batch_size)
    mrp: set[tuple[str, str]] = set()
    for rel, start, skey, end, ekey, kind, exptype, by, source_id in rows:
        if rel == "MRP":
            keep = skey in mrp_obsids
            if keep:
                mrp.add((skey, ekey))
        else:
            keep = (skey in ends.get(start, ()) or ekey in ends.get(end, ())
                    or (rel == "PRODUCED_BY" and ekey in core) or (rel in _FROM_OUTPUTS and skey in outputs))
        if keep:
            writer.add(Edge(Rel(rel), (Label(start), skey), (Label(end), ekey),
                            _props(rel, kind, exptype, by, source_id)))
    counts.add(writer.flush())
    stale = [{"obsid": obsid, "uri": uri} for obsid in sorted(mrp_obsids) if obsid in nb.observations
             for uri in nb.observations[obsid]["mrp"] if (obsid, uri) not in mrp]
    if stale:
        record = tx.run(queries.text("derive/delete_mrp"), {"rows": ParamRows(stale)}).single()
        counts.rels_deleted[Rel.MRP.value] += record["deleted"] if record else 0
    counts.seconds["write"] = time.perf_counter() - started
    counts.seconds.update(nb.seconds)  # the share of `read` each query took
    return counts
