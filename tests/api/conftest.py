"""A small but complete lineage, written with parameterised Cypher, and the API over it.

One Level-3 mosaic of program 02733 (MIRI imaging) composed of three dithered exposures, each
L1b (uncal) -> L2a (rate) -> L2b (cal), with their Level-2 and Level-3 associations and
association files, a background exposure, a target acquisition shared by two exposures (a
diamond), guide-star, preview, MSA and other-mission links, reference files and a CRDS context,
MRP and MAST_MRP, an engineering series, and, in program 09999, a cycle. It follows
docs/model.md: lineage points from what was made to what it was made from.

`LineageSample` keeps the keys, so tests derive their expected answers from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.testclient import TestClient

from mastgraph.api.app import create_app
from mastgraph.model.vocabulary import KEYS, Label, Rel
from mastgraph.graph.settings import Settings

from ..conftest import empty_graph

PREFIX = "mast:JWST/product/"
PROGRAM = "02733"
L3_NAME = "jw02733-o002_t001_miri_f1130w"
IMAGE3 = "jw02733-o002_20250101t000000_image3_00001"
MNEMONIC = "SA_ZATTEST2"
#: Bumped whenever the sample changes, so a stale copy in the database is rewritten.
SAMPLE_VERSION = 4


def uri(filename: str) -> str:
    return PREFIX + filename


def exposure_key(n: int) -> str:
    return f"jw02733002001_02101_{n:05d}_mirimage"


@dataclass
class LineageSample:
    nodes: list[tuple[Label, Any, dict, tuple[Label, ...]]] = field(default_factory=list)
    edges: list[tuple[Rel, tuple[Label, Any], tuple[Label, Any], dict]] = field(default_factory=list)
    l3: str = ""
    cal: list[str] = field(default_factory=list)
    rate: list[str] = field(default_factory=list)
    uncal: list[str] = field(default_factory=list)
    image2_files: list[str] = field(default_factory=list)
    image3_file: str = ""
    background: str = ""
    target_acquisition: str = ""
    guide_star: str = ""
    preview: str = ""
    per_source: str = ""
    external: str = ""
    flat: str = "jwst_miri_flat_0001.fits"
    dark: str = "jwst_miri_dark_0002.fits"
    context: str = "jwst_0641.pmap"
    combined_obsid: str = "90000"
    exposure_obsids: list[str] = field(default_factory=list)
    series: str = ""
    #: The image2 association with a product among its members twice (background of its two products).
    image2_twice: str = ""
    cycle: list[str] = field(default_factory=list)

    def node(self, label: Label, key: Any, labels: tuple[Label, ...] = (), **props: Any) -> tuple[Label, Any]:
        self.nodes.append((label, key, props, labels))
        return (label, key)

    def edge(self, rel: Rel, start: tuple[Label, Any], end: tuple[Label, Any], **props: Any) -> None:
        self.edges.append((rel, start, end, props))

    @property
    def raw(self) -> list[str]:
        """The raw (Level-1b) exposures the L3 product is made from."""
        return sorted(self.uncal)


def product(sample: LineageSample, filename: str, labels: tuple[Label, ...] = (), **props: Any) -> tuple[Label, str]:
    stem, _, rest = filename.rpartition("_")
    suffix, _, extension = rest.partition(".")
    props = {"filename": filename, "suffix": suffix, "extension": extension, "program": filename[2:7], **props}
    return sample.node(Label.PRODUCT, uri(filename), labels, **props)


def build_sample() -> LineageSample:
    s = LineageSample()
    O, A = Label.OBSERVATION, Label.ASSOCIATION
    program = s.node(Label.PROGRAM, PROGRAM, proposal_id="2733", pi="Mission Scientist")
    combined = s.node(O, s.combined_obsid, (Label.COMBINED,), obs_id=L3_NAME, program=PROGRAM, calib_level=3,
                      instrument="MIRI/IMAGE", filters="F1130W", target_name="NGC-7469", mast_listed=True,
                      t_min=59800.10, t_max=59800.40)
    s.edge(Rel.HAS_OBSERVATION, program, combined)
    s.l3 = uri(f"{L3_NAME}_i2d.fits")
    l3 = product(s, f"{L3_NAME}_i2d.fits", (Label.L3,), level="3", calib_level=3, product_type="SCIENCE",
                 instrument="miri", size=3_500_000_000, listed=True, mast_mrp=True, t_min=59800.10, t_max=59800.40)
    s.edge(Rel.HAS_PRODUCT, combined, l3)
    s.edge(Rel.MRP, combined, l3)
    s.edge(Rel.MAST_MRP, combined, l3)
    image3 = s.node(A, IMAGE3, asn_type="image3", asn_rule="Asn_Lv3Image", program=PROGRAM, products=[L3_NAME],
                    composition_by="dither")
    s.edge(Rel.PRODUCED_BY, l3, image3)
    s.image3_file = uri(f"{IMAGE3}_asn.json")
    image3_file = product(s, f"{IMAGE3}_asn.json", (Label.ASSOCIATION_FILE,), association=IMAGE3, calib_level=3,
                          product_type="INFO")
    s.edge(Rel.HAS_PRODUCT, combined, image3_file)
    s.edge(Rel.ANTECEDENT, l3, image3_file)
    context = s.node(Label.CRDS_CONTEXT, s.context)
    s.edge(Rel.CALIBRATED_UNDER, l3, context)
    flat = s.node(Label.REFERENCE_FILE, s.flat, instrument="miri", reftype="flat")
    dark = s.node(Label.REFERENCE_FILE, s.dark, instrument="miri", reftype="dark")
    mnemonic = s.node(Label.MNEMONIC, MNEMONIC, subsystem="ACS", raw_type="FLOAT", eu_type="FLOAT", sql_type="float")
    s.series = f"{MNEMONIC}-20220701T000000-20220701T060000"
    series = s.node(Label.ENGINEERING_SERIES, s.series, mnemonic=MNEMONIC, t_min=59800.0, t_max=59800.25, n_samples=3,
                    times=[59800.0, 59800.1, 59800.25], values=[0.1, 0.2, 0.3], sql_type="float")
    s.edge(Rel.OF_MNEMONIC, series, mnemonic)

    target_acq = product(s, "jw02733002001_02101_00000_mirimage_cal.fits", (Label.L2B,), level="2b", calib_level=2,
                         product_type="SCIENCE", exp_type="MIR_TACQ")
    s.target_acquisition = target_acq[1]
    for n in (1, 2, 3):
        key = exposure_key(n)
        obsid = str(90000 + n)
        s.exposure_obsids.append(obsid)
        t0 = 59800.0 + 0.1 * n
        exposure = s.node(O, obsid, (Label.EXPOSURE,), obs_id=key, program=PROGRAM, calib_level=2,
                          instrument="MIRI/IMAGE", t_min=t0, t_max=t0 + 0.05, mast_listed=True)
        s.edge(Rel.HAS_OBSERVATION, program, exposure)
        s.edge(Rel.HAS_MEMBER, combined, exposure)
        facts = {"exposure_key": key, "exposure": f"{n:05d}", "detector": "mirimage", "visit_id": "02733002001",
                 "t_min": t0, "t_max": t0 + 0.05}
        uncal = product(s, f"{key}_uncal.fits", (Label.L1B,), level="1b", calib_level=1, product_type="SCIENCE", **facts)
        rate = product(s, f"{key}_rate.fits", (Label.L2A,), level="2a", calib_level=2, product_type="SCIENCE", **facts)
        cal = product(s, f"{key}_cal.fits", (Label.L2B,), level="2b", calib_level=2, product_type="SCIENCE",
                      mast_mrp=True, **facts)
        s.uncal.append(uncal[1])
        s.rate.append(rate[1])
        s.cal.append(cal[1])
        for made in (uncal, rate, cal):
            s.edge(Rel.HAS_PRODUCT, exposure, made)
        s.edge(Rel.AGGREGATION, exposure, rate, kind="intermediate")
        s.edge(Rel.MRP, exposure, cal)
        s.edge(Rel.MAST_MRP, exposure, cal)
        s.edge(Rel.ANTECEDENT, rate, uncal)
        s.edge(Rel.ANTECEDENT, cal, rate)
        image2_name = f"jw02733-o002_20250101t000000_image2_{n:05d}"
        image2 = s.node(A, image2_name, asn_type="image2", program=PROGRAM, products=[key, f"{key}_nod2"] if n == 1 else [key])
        image2_file = product(s, f"{image2_name}_asn.json", (Label.ASSOCIATION_FILE,), association=image2_name,
                              calib_level=2, product_type="INFO")
        s.image2_files.append(image2_file[1])
        s.edge(Rel.ANTECEDENT, cal, image2_file)
        s.edge(Rel.HAS_MEMBER, image2, rate, exptype="science", product=key)
        s.edge(Rel.PRODUCED_BY, cal, image2)
        s.edge(Rel.HAS_MEMBER, image3, cal, exptype="science", product=L3_NAME)
        s.edge(Rel.COMPOSITION, l3, cal, by="dither")
        s.edge(Rel.USED_REFERENCE, cal, flat, reftype="flat")
        s.edge(Rel.CALIBRATED_UNDER, cal, context)
        if n in (1, 2):
            s.edge(Rel.USED_REFERENCE, cal, dark, reftype="dark")
            s.edge(Rel.PREREQUISITE, cal, target_acq, kind="target_acquisition")  # shared: a diamond under the L3
            s.edge(Rel.HAS_ENGINEERING, exposure, series)
        if n == 1:
            s.edge(Rel.HAS_ENGINEERING, cal, series)
            gs = product(s, "jw02733002001_gs-fg_2022182000000_cal.fits", (Label.GUIDE_STAR,), gs_kind="fg",
                         calib_level=2, product_type="AUXILIARY")
            s.guide_star = gs[1]
            s.edge(Rel.LINKED, uncal, gs, kind="guide_star")
            s.edge(Rel.AGGREGATION, exposure, gs, kind="guide_star")
            background = product(s, "jw02733002001_02101_00004_mirimage_cal.fits", (Label.L2B,), level="2b",
                                 calib_level=2, product_type="SCIENCE", exp_type="MIR_IMAGE")
            s.background = background[1]
            s.edge(Rel.CONTEMPORANEOUS_CALIBRATION, cal, background, kind="background")
            s.edge(Rel.HAS_MEMBER, image2, background, exptype="background", product=key)
            # (and of the association's second product: one product, two members of one association)
            s.edge(Rel.HAS_MEMBER, image2, background, exptype="background", product=f"{key}_nod2")
            s.image2_twice = image2_name
            s.external = "mast:HST/product/hst_12345_01_wfc3_ir_f160w_drz.fits"
            external = s.node(Label.EXTERNAL_PRODUCT, s.external, mission="HST", description="WFC3/IR pre-image")
            s.edge(Rel.EXTERNAL_PRE_IMAGE, uncal, external)
            s.edge(Rel.LINKED, uncal, external, kind="other_mission")
    preview = product(s, f"{L3_NAME}_i2d.jpg", (Label.PREVIEW,), calib_level=3, product_type="PREVIEW")
    s.preview = preview[1]
    s.edge(Rel.LINKED, l3, preview, kind="preview")  # (as the loaders link them: the product -> its preview)
    s.edge(Rel.HAS_PRODUCT, combined, preview)
    per_source = product(s, "jw02733-o002_s00001_miri_f1130w_cat.ecsv", (Label.L3, Label.CATALOG), level="3",
                         calib_level=3, product_type="SCIENCE", source_id="s00001")
    s.per_source = per_source[1]
    s.edge(Rel.MULTIPLICITY, per_source, image3, source_id="s00001")
    # A broken chain in another program, for cycle safety: X -> Y -> Z -> X.
    names = [f"jw09999001001_01101_0000{n}_nrca1_cal.fits" for n in (1, 2, 3)]
    s.cycle = [uri(n) for n in names]
    links = [product(s, n, (Label.L2B,), level="2b") for n in names]
    for a, b in zip(links, links[1:] + links[:1]):
        s.edge(Rel.ANTECEDENT, a, b)
    s.node(Label.PROGRAM, PROGRAM, fixture_version=SAMPLE_VERSION)
    return s


def write_sample(driver, database: str, sample: LineageSample) -> None:
    """Write the sample with UNWIND batches; labels and types come from the model's enums."""
    empty_graph(driver, database)
    groups: dict[tuple[Label, tuple[Label, ...]], list[dict]] = {}
    for label, key, props, labels in sample.nodes:
        groups.setdefault((label, labels), []).append({"key": key, "props": props})
    for (label, labels), rows in groups.items():
        extra = "".join(f":`{x.value}`" for x in labels)
        set_labels = f", n{extra}" if labels else ""
        driver.execute_query(
            f"UNWIND $rows AS row MERGE (n:`{label.value}` {{{KEYS[label]}: row.key}}) SET n += row.props{set_labels}",
            rows=rows, database_=database,
        )
    edge_groups: dict[tuple[Rel, Label, Label], list[dict]] = {}
    for rel, start, end, props in sample.edges:
        edge_groups.setdefault((rel, start[0], end[0]), []).append({"a": start[1], "b": end[1], "props": props})
    for (rel, a, b), rows in edge_groups.items():
        driver.execute_query(
            f"UNWIND $rows AS row MATCH (a:`{a.value}` {{{KEYS[a]}: row.a}}) MATCH (b:`{b.value}` {{{KEYS[b]}: row.b}}) "
            f"CREATE (a)-[r:`{rel.value}`]->(b) SET r += row.props",
            rows=rows, database_=database,
        )


@pytest.fixture(scope="session")
def lineage_sample() -> LineageSample:
    return build_sample()


@pytest.fixture
def sample_graph(session_driver, neo4j_settings: Settings, lineage_sample: LineageSample) -> LineageSample:
    """The sample in the test Neo4j (rewritten only when another test changed the graph)."""
    database = neo4j_settings.neo4j_database
    records, _, _ = session_driver.execute_query(
        "MATCH (p:Program {program: $program}) RETURN p.fixture_version AS version, COUNT { MATCH (n) } AS nodes,"
        " COUNT { MATCH ()-[r]->() } AS rels",
        program=PROGRAM, database_=database, routing_="r",
    )
    current = records[0] if records else None
    if current is None or (current["version"], current["nodes"], current["rels"]) != (
        SAMPLE_VERSION, len({(label, key) for label, key, *_ in lineage_sample.nodes}), len(lineage_sample.edges)
    ):
        write_sample(session_driver, database, lineage_sample)
    return lineage_sample


def api_settings(neo4j_settings: Settings, **overrides: Any) -> Settings:
    return neo4j_settings.model_copy(update=overrides)


@pytest.fixture(scope="module")
def api(neo4j_settings: Settings) -> Iterator[TestClient]:
    """The API (one lifespan per test module) on the test Neo4j."""
    with TestClient(create_app(neo4j_settings)) as client:
        yield client


class GraphQLAnswer(dict):
    @property
    def data(self) -> Any:
        return self.get("data")

    @property
    def errors(self) -> list[dict]:
        return self.get("errors") or []

    @property
    def queries(self) -> int:
        return self["extensions"]["mastgraph"]["cypherQueries"]


def gql(client: TestClient, query: str, variables: dict | None = None, *, headers: dict | None = None,
        status: int = 200) -> GraphQLAnswer:
    """POST a GraphQL request (with the round-trip counter); check the HTTP status; the JSON answer."""
    response = client.post("/graphql", json={"query": query, "variables": variables or {}},
                           headers={"X-Mastgraph-Debug": "1", **(headers or {})})
    assert response.status_code == status, response.text
    return GraphQLAnswer(response.json())


def ok(answer: GraphQLAnswer) -> Any:
    """The data of an answer that must have no errors."""
    assert not answer.errors, answer.errors
    return answer.data
