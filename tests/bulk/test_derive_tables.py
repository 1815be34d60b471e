"""The derivation rules of the bulk build (pipeline/derive_tables.py) against the online ingest's
Cypher derivations, on inputs that exercise what the bundled sample does not: relationships a
curated links file and a rule both give (a kind the rule sets over the file's), an exposure
longer than MAX_EXPOSURE_DAYS overlapping an engineering series that starts days after it, and an
engineering series longer than MAX_SERIES_DAYS overlapping an exposure that starts weeks after it
(both with their `window_class`)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from mastgraph.graph import db
from mastgraph.pipeline import derive_tables
from mastgraph.pipeline.bulk import BuildOptions, build
from mastgraph.pipeline.derive import MAX_EXPOSURE_DAYS, MAX_SERIES_DAYS, window_class
from mastgraph.pipeline.ingest import ingest_paths
from mastgraph.graph.settings import Settings

from .conftest import REAL, canonical_dump, label_and_type_counts

#: The real EDB series in sample/data/real/edb starts at MJD 59612.934 (and lasts a second).
SERIES_START = 59612.9340022801
LONG_OBS_ID = "jw02733002001_02103_00001_mirimage"
LONG_MNEMONIC = "SA_ZATTEST3"


def _long_exposure(folder: Path) -> Path:
    """An Exposure observation of 3.5 days that starts 2.9 days before the real EDB series, and one
    of 0.1 days 40 days into a series of 60 days (an EDB file of its own, read first): the seeks by
    t_min reach back MAX_EXPOSURE_DAYS and MAX_SERIES_DAYS, the longer windows are found by class."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "long_exposure_obs.csv"
    t_min = SERIES_START - 2.9
    t_max = t_min + 3.5
    assert t_max - t_min > MAX_EXPOSURE_DAYS and t_min < SERIES_START - MAX_EXPOSURE_DAYS < t_max
    later = SERIES_START + 40.0
    path.write_text("obsid,obs_id,proposal_id,t_min,t_max\n"
                    f"88001,{LONG_OBS_ID},2733,{t_min!r},{t_max!r}\n"
                    f"88002,{LONG_OBS_ID.replace('00001', '00002')},2733,{later!r},{later + 0.1!r}\n")
    rows = ["theTime,MJD,euvalue,sqldataType"]
    rows += [f"2022-02-{2 + day:02d} 22:24:58.000000,{SERIES_START + day!r},{day}.0,real" for day in range(20)]
    rows.append(f"2022-04-03 22:24:58.000000,{SERIES_START + 60.0!r},60.0,real")
    (folder / f"{LONG_MNEMONIC}-20220202T222458-20220403T222458.csv").write_text("\n".join(rows) + "\n")
    return path


def _pair(drv, rel: str) -> tuple[str, str, str]:
    records, _, _ = drv.execute_query(
        f"MATCH (p:Product)-[r:`{rel}`]->(m:Product) RETURN p.uri AS p, m.uri AS m, r.kind AS kind "
        "ORDER BY p, m LIMIT 1")
    assert records, f"the sample derives no {rel} between products"
    return records[0]["p"], records[0]["m"], records[0]["kind"]


def _other(kind: str, *choices: str) -> str:
    return next(c for c in choices if c != kind)


def test_rules_over_links_a_loader_also_gave_and_long_exposures(graph, neo4j_settings, bulk_settings: Settings,
                                                                 demo_sample, tmp_path):
    extra = tmp_path / "extra"
    _long_exposure(extra)
    first = [REAL, demo_sample, extra]
    done = ingest_paths(graph, neo4j_settings, first)
    assert not done.failed, done.failed[0].error

    # a curated links file that gives, with another kind, relationships the association rules derive
    prerequisite = _pair(graph, "PREREQUISITE")
    calibration = _pair(graph, "CONTEMPORANEOUS_CALIBRATION")
    records, _, _ = graph.execute_query(
        "MATCH (p:Product)-[:LINKED {kind: 'guide_star'}]->(g:Product) RETURN p.uri AS p, g.uri AS g "
        "ORDER BY p, g LIMIT 1")
    guide = (records[0]["p"], records[0]["g"])
    links = tmp_path / "links" / "curated_links.csv"
    links.parent.mkdir()
    with open(links, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["from_uri", "type", "to_uri", "kind"])
        out.writerow([prerequisite[0], "PREREQUISITE", prerequisite[1],
                      _other(prerequisite[2], "pre_image", "target_acquisition")])
        out.writerow([calibration[0], "CONTEMPORANEOUS_CALIBRATION", calibration[1],
                      _other(calibration[2], "selfcal", "imprint")])
        out.writerow([guide[0], "LINKED", guide[1], "guide_star"])
    done = ingest_paths(graph, neo4j_settings, [links.parent])
    assert not done.failed, done.failed[0].error
    online = canonical_dump(graph)
    online_counts = label_and_type_counts(graph)

    report = build(bulk_settings, [*first, links.parent], BuildOptions(force=True, workers=2, partitions=5))
    with db.connect(bulk_settings) as drv:
        bulk = canonical_dump(drv)
        bulk_counts = label_and_type_counts(drv)
        # the rule's kind over the file's (as online, where the derivation runs after the file)
        for (p, m, kind), rel in ((prerequisite, "PREREQUISITE"), (calibration, "CONTEMPORANEOUS_CALIBRATION")):
            records, _, _ = drv.execute_query(
                f"MATCH (:Product {{uri: $p}})-[r:`{rel}`]->(:Product {{uri: $m}}) RETURN r.kind AS kind", p=p, m=m)
            assert [r["kind"] for r in records] == [kind]
        records, _, _ = drv.execute_query(
            "MATCH (:Product {uri: $p})-[r:LINKED]->(:Product {uri: $g}) RETURN r.kind AS kind", p=guide[0], g=guide[1])
        assert [r["kind"] for r in records] == ["guide_star"]
        records, _, _ = drv.execute_query(
            "MATCH (o:Observation)-[:HAS_ENGINEERING]->(s:EngineeringSeries) WHERE o.obsid IN ['88001', '88002'] "
            "RETURN o.obsid AS o, s.mnemonic AS m, o.window_class AS c, s.window_class AS sc ORDER BY o, m")
        series_class = window_class(SERIES_START, SERIES_START + 60.0, MAX_SERIES_DAYS)
        assert series_class is not None
        assert [tuple(r.values()) for r in records] == [
            ("88001", "SA_ZATTEST2", 0, None), ("88001", LONG_MNEMONIC, 0, series_class),
            ("88002", LONG_MNEMONIC, None, series_class)]
    assert bulk_counts == online_counts
    assert bulk[0] == online[0]
    assert bulk[1] == online[1]
    # the two kinds set on the file's relationships; every rule found something in this input
    assert report.residual_values >= 2
    assert {rule.name for rule in derive_tables.RULES} == set(report.derive_rule_rows)
    assert all(rows > 0 for rows in report.derive_rule_rows.values()), report.derive_rule_rows
    assert list(report.phases)[:4] == ["parse", "csv", "derive", "import"]  # derived before the import
    assert report.duckdb_memory_limit and report.fact_bytes > 0


def test_a_bad_derive_memory_is_refused_before_anything_is_read(bulk_settings: Settings, tmp_path):
    from mastgraph.pipeline.bulk import BulkError

    from ..graph.test_ingest import EXP, row, write_listing

    path = write_listing(tmp_path, "listing.csv", [row(f"{EXP}_rate.fits")])
    work = tmp_path / "work"
    with pytest.raises(BulkError) as caught:
        build(bulk_settings, [path], BuildOptions(force=True, derive_memory="lots", work_dir=work))
    assert str(caught.value) == "--derive-memory: not a memory size: 'lots' (e.g. 1GB, 500MB)"
    assert not work.exists()


def test_every_derivation_query_has_its_rules():
    from mastgraph.graph.queries import cypher_dir

    scoping = {"scope_of_products"}  # `derive`'s scope, no relationships
    # the neighbourhood reads of the derivation by tables (pipeline/derive_batch.py) and its MRP deletion
    scoping |= {"read_products", "read_associations", "read_observations", "read_series", "delete_mrp",
                "window_classes", "all_window_classes"}
    queries = {p.stem for p in (cypher_dir() / "derive").glob("*.cypher")} - scoping
    assert {name for rule in derive_tables.RULES for name in rule.cypher} == queries


def test_a_member_an_output_names_two_ways_is_one_relationship(tmp_path):
    """The `members` rule finds a pair by the output's stem, its source_stem or (Level 3) a prefix
    of its stem, each way a join of its own: a member whose product is both the output's
    source_stem and a prefix of its stem comes from two of them, and is one relationship after
    `unite`, with the properties the rule gives."""
    con = derive_tables.connect(derive_tables.DuckConfig(tmp_path / "d.duckdb", tmp_path / "tmp"))
    derive_tables.create_tables(con)
    product = {name: None for name, _ in derive_tables.INPUT_TABLES["products"]}
    flags = ("preview", "guide_star", "l1b", "association_file", "pool_file", "msa_file")

    def add_product(**given) -> None:
        row = {**product, **dict.fromkeys(flags, False), **given}
        con.execute(f"INSERT INTO products VALUES ({', '.join('?' for _ in row)})", list(row.values()))

    add_product(uri="mast:out", level="3", stem="jw01_t001_nircam_s00001", source_stem="jw01_t001_nircam")
    add_product(uri="mast:sci", level="2b", stem="jw01_sci", exp_type="NRC_IMAGE")
    add_product(uri="mast:flat", level="2b", stem="jw01_flat", exp_type="NRC_FLAT")
    con.execute("INSERT INTO associations VALUES ('asn1', 'image3', 'mosaic', '1', 'a3001')")
    con.execute("INSERT INTO loader_edges VALUES ('PRODUCED_BY', 'Product', 'mast:out', 'Association', 'asn1', NULL)")
    con.execute("INSERT INTO has_member VALUES ('asn1', 'mast:sci', 'jw01_t001_nircam', 'science'), "
                "('asn1', 'mast:flat', 'jw01_t001_nircam_s00001', 'background')")
    for table, rows in derive_tables.vocabulary_rows().items():
        con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in rows[0])})", rows)

    _, rows, _ = derive_tables.run_rules(con)
    assert rows["members"] == 3  # the science member twice (source_stem, prefix), the flat once (stem)
    assert derive_tables.unite(con) == []
    found = con.execute('SELECT rel, start_key, end_key, kind, "by" FROM new_edges ORDER BY ALL').fetchall()
    assert found == [("COMPOSITION", "mast:out", "mast:sci", None, "mosaic"),
                     ("CONTEMPORANEOUS_CALIBRATION", "mast:out", "mast:flat", "flat", None)]


def test_types_with_nothing_to_choose_are_united_as_the_aggregate_unites_them(tmp_path):
    """`create_united` unites a type whose rows carry no property to choose between (LINKED with
    only its kind, ANTECEDENT with nothing) by DISTINCT, and the others by `_UNITE`'s aggregates;
    the table is the one `_UNITE` gives for every type. A LINKED row that carries an `exptype`
    makes LINKED a type to aggregate again (the result still `_UNITE`'s)."""
    con = derive_tables.connect(derive_tables.DuckConfig(tmp_path / "d.duckdb", tmp_path / "tmp"))
    con.execute("CREATE TABLE derived (rel VARCHAR, start_label VARCHAR, start_key VARCHAR, end_label VARCHAR, "
                "end_key VARCHAR, kind VARCHAR, exptype VARCHAR, \"by\" VARCHAR, source_id VARCHAR, rank VARCHAR)")
    rows = [
        ("LINKED", "Product", "a", "Product", "b", "preview", None, None, None, None),
        ("LINKED", "Product", "a", "Product", "b", "preview", None, None, None, None),
        ("LINKED", "Product", "a", "Product", "b", "guide_star", None, None, None, None),
        ("LINKED", "Product", "c", "Product", "b", "msa_catalog", None, None, None, None),
        ("ANTECEDENT", "Product", "a", "Product", "c", None, None, None, None, None),
        ("ANTECEDENT", "Product", "a", "Product", "c", None, None, None, None, None),
        ("COMPOSITION", "Product", "o", "Product", "a", None, "NRC_IMAGE", "mosaic", None, "1"),
        ("COMPOSITION", "Product", "o", "Product", "a", None, None, None, None, "2"),
        ("CONTEMPORANEOUS_CALIBRATION", "Product", "o", "Product", "f", "flat", None, None, None, "1"),
        ("CONTEMPORANEOUS_CALIBRATION", "Product", "o", "Product", "f", "dark", None, None, None, "2"),
    ]
    con.executemany(f"INSERT INTO derived VALUES ({', '.join('?' for _ in rows[0])})", rows)

    def aggregated() -> list[tuple]:
        rels = [rel for (rel,) in con.execute("SELECT DISTINCT rel FROM derived ORDER BY rel").fetchall()]
        return sorted(row for rel in rels for row in con.execute(derive_tables._UNITE, {"rel": rel}).fetchall())

    plain = dict(con.execute(derive_tables._PLAIN_TYPES).fetchall())
    assert plain == {"ANTECEDENT": True, "LINKED": True, "COMPOSITION": False, "CONTEMPORANEOUS_CALIBRATION": False}
    derive_tables.create_united(con)
    united = sorted(con.execute("SELECT * FROM united").fetchall())
    assert united == aggregated()
    assert ("LINKED", "Product", "a", "Product", "b", "guide_star", None, None, None) in united
    assert sum(row[0] == "LINKED" for row in united) == 3 and sum(row[0] == "ANTECEDENT" for row in united) == 1
    assert ("CONTEMPORANEOUS_CALIBRATION", "Product", "o", "Product", "f", "dark", None, None, None) in united

    con.execute("INSERT INTO derived VALUES ('LINKED', 'Product', 'a', 'Product', 'b', 'preview', 'NRC_IMAGE', "
                "NULL, NULL, NULL)")
    assert dict(con.execute(derive_tables._PLAIN_TYPES).fetchall())["LINKED"] is False
    derive_tables.create_united(con)
    united = sorted(con.execute("SELECT * FROM united").fetchall())
    assert united == aggregated()
    assert ("LINKED", "Product", "a", "Product", "b", "preview", "NRC_IMAGE", None, None) in united
