"""Small graphs for the Cypher library, the audit and the PROV export, written as docs/model.md says.

`ImagingProgram` is one MIRI imaging observation of a program: a target acquisition and N dithered
science exposures (uncal -> rate -> cal, each cal made by its image2 association), combined by an
image3 association into one Level-3 i2d, with listings, MRP flags, reference files, CRDS contexts,
a guide-star product and one engineering series. `plant_problems` adds one instance of each
problem the audit looks for and returns what it planted. Every value is a query parameter; only
labels and relationship types, taken from model/vocabulary.py, appear in query text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest

from mastgraph.model.vocabulary import KEYS, Label, Rel

Ref = tuple[Label, str]
MAST = "mast:JWST/product/"
CAL_VER = "1.12.5"
CRDS_VER = "11.17.0"


class GraphData:
    """Nodes and relationships to write; nodes merge by key, so a node may be named several times."""

    def __init__(self) -> None:
        self.nodes: dict[Ref, tuple[set[Label], dict[str, Any]]] = {}
        self.edges: list[tuple[Rel, Ref, Ref, dict[str, Any]]] = []

    def node(self, label: Label, key: str, *labels: Label, **props: Any) -> Ref:
        ref = (Label(label), key)
        extra, known = self.nodes.setdefault(ref, (set(), {}))
        extra.update(Label(x) for x in labels)
        known.update({k: v for k, v in props.items() if v is not None})
        return ref

    def edge(self, rel: Rel, start: Ref, end: Ref, **props: Any) -> None:
        self.edges.append((Rel(rel), start, end, {k: v for k, v in props.items() if v is not None}))

    def write(self, driver, database: str) -> None:
        groups: dict[tuple[Label, frozenset[Label]], list[dict]] = defaultdict(list)
        for (label, key), (labels, props) in self.nodes.items():
            groups[(label, frozenset(labels))].append({"key": key, "props": props})
        for (label, labels), rows in groups.items():
            extra = "".join(f":{x.value}" for x in sorted(labels))
            set_labels = f" SET n{extra}" if extra else ""
            driver.execute_query(
                f"UNWIND $rows AS row MERGE (n:{label.value} {{{KEYS[label]}: row.key}}) SET n += row.props{set_labels}",
                rows=rows, database_=database,
            )
        by_shape: dict[tuple[Rel, Label, Label], list[dict]] = defaultdict(list)
        for rel, (sl, sk), (el, ek), props in self.edges:
            by_shape[(rel, sl, el)].append({"start": sk, "end": ek, "props": props})
        for (rel, sl, el), rows in by_shape.items():
            driver.execute_query(
                f"UNWIND $rows AS row MATCH (a:{sl.value} {{{KEYS[sl]}: row.start}}) "
                f"MATCH (b:{el.value} {{{KEYS[el]}: row.end}}) CREATE (a)-[r:{rel.value}]->(b) SET r = row.props",
                rows=rows, database_=database,
            )


def uri(filename: str) -> str:
    return MAST + filename


@dataclass
class Exposure:
    """One exposure-level observation and its products (URIs)."""

    obsid: str
    obs_id: str
    uncal: str
    rate: str
    cal: str
    asn_name: str
    asn_file: str
    t_min: float
    t_max: float

    @property
    def products(self) -> set[str]:
        return {self.uncal, self.rate, self.cal, self.asn_file}


@dataclass
class ImagingProgram:
    """What `build_imaging_program` wrote, for tests to derive their expectations from."""

    program: str
    obsid: str
    obs_id: str
    l3: str
    asn3_name: str
    asn3_file: str
    exposures: list[Exposure]
    ta: Exposure
    guide_star: str
    dark: str = "jwst_miri_dark_0100.fits"
    flat: str = "jwst_miri_flat_0200.fits"
    context: str = "jwst_1100.pmap"
    l3_context: str = "jwst_1150.pmap"
    mnemonic: str = "SA_ZATTEST2"
    series: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def all_exposures(self) -> list[Exposure]:
        return [self.ta, *self.exposures]


def _product(g: GraphData, filename: str, *labels: Label, **props: Any) -> Ref:
    return g.node(Label.PRODUCT, uri(filename), *labels, filename=filename, **props)


def _exposure(g: GraphData, program: str, obs: str, act: str, number: int, obsid: str, t_min: float,
              prog_ref: Ref) -> Exposure:
    """An exposure (uncal -> rate -> cal) listed under its own observation, its cal made by an image2 association."""
    key = f"jw{program}{obs}001_{act}_{number:05d}_mirimage"
    names = {suffix: f"{key}_{suffix}.fits" for suffix in ("uncal", "rate", "cal")}
    asn_name = f"jw{program}-o{obs}_20230101t000000_image2_{int(act[-2:]) * 100 + number:05d}"
    exposure = Exposure(obsid, key, uri(names["uncal"]), uri(names["rate"]), uri(names["cal"]), asn_name,
                        uri(f"{asn_name}_asn.json"), t_min, t_min + 0.01)
    common = dict(program=program, observation=obs, visit="001", exposure=f"{number:05d}", detector="mirimage",
                  exposure_key=key, stem=key, extension="fits", listed=True, product_type="SCIENCE",
                  dataproduct_type="image", exp_type="MIR_IMAGE", t_min=exposure.t_min, t_max=exposure.t_max)
    obs_ref = g.node(Label.OBSERVATION, obsid, Label.EXPOSURE, obs_id=key, program=program, calib_level=2,
                     instrument="MIRI/IMAGE", t_min=exposure.t_min, t_max=exposure.t_max, mast_listed=True)
    g.edge(Rel.HAS_OBSERVATION, prog_ref, obs_ref)
    uncal = _product(g, names["uncal"], Label.L1B, level="1b", suffix="uncal", calib_level=1, subgroup="UNCAL",
                     size=1000, mast_mrp=False, **common)
    rate = _product(g, names["rate"], Label.L2A, level="2a", suffix="rate", calib_level=2, subgroup="RATE",
                    size=800, mast_mrp=False, cal_ver=CAL_VER, crds_ver=CRDS_VER, **common)
    cal = _product(g, names["cal"], Label.L2B, level="2b", suffix="cal", calib_level=2, subgroup="CAL",
                   size=900, mast_mrp=True, cal_ver=CAL_VER, crds_ver=CRDS_VER, asnpool="pool.csv", **common)
    asn_file = g.node(Label.PRODUCT, exposure.asn_file, Label.ASSOCIATION_FILE, filename=f"{asn_name}_asn.json",
                      association=asn_name, suffix="asn", extension="json", program=program, listed=True,
                      product_type="INFO", subgroup="ASN", calib_level=2)
    asn = g.node(Label.ASSOCIATION, asn_name, asn_type="image2", asn_rule="Asn_Lv2Image", program=program,
                 asn_pool=f"jw{program}_20230101t000000_pool.csv", code_version="1.12.5", products=[key])
    for product in (uncal, rate, cal, asn_file):
        g.edge(Rel.HAS_PRODUCT, obs_ref, product)
    g.edge(Rel.AGGREGATION, obs_ref, rate, kind="intermediate")
    g.edge(Rel.HAS_MEMBER, asn, rate, exptype="science", product=key)
    g.edge(Rel.PRODUCED_BY, cal, asn)
    g.edge(Rel.ANTECEDENT, rate, uncal)
    g.edge(Rel.ANTECEDENT, cal, rate)
    g.edge(Rel.ANTECEDENT, cal, asn_file)
    dark = g.node(Label.REFERENCE_FILE, "jwst_miri_dark_0100.fits", instrument="MIRI", reftype="dark")
    flat = g.node(Label.REFERENCE_FILE, "jwst_miri_flat_0200.fits", instrument="MIRI", reftype="flat")
    g.edge(Rel.USED_REFERENCE, rate, dark, reftype="dark")
    g.edge(Rel.USED_REFERENCE, cal, flat, reftype="flat")
    context = g.node(Label.CRDS_CONTEXT, "jwst_1100.pmap")
    g.edge(Rel.CALIBRATED_UNDER, rate, context)
    g.edge(Rel.CALIBRATED_UNDER, cal, context)
    g.edge(Rel.MRP, obs_ref, cal)
    g.edge(Rel.MAST_MRP, obs_ref, cal)
    return exposure


def build_imaging_program(g: GraphData, program: str = "02733", obs: str = "002", dithers: int = 2,
                          first_obsid: int = 87600000) -> ImagingProgram:
    prog_ref = g.node(Label.PROGRAM, program, proposal_id=str(int(program)), pi="Pontoppidan")
    ta = _exposure(g, program, obs, "02101", 1, str(first_obsid + 1), 60000.10, prog_ref)
    exposures = [_exposure(g, program, obs, "02103", n, str(first_obsid + 1 + n), 60000.20 + n / 10, prog_ref)
                 for n in range(1, dithers + 1)]
    obs_id = f"jw{program}-o{obs}_t001_miri_f1130w"
    asn3_name = f"jw{program}-o{obs}_20230101t000000_image3_00001"
    result = ImagingProgram(program, str(first_obsid), obs_id, uri(f"{obs_id}_i2d.fits"), asn3_name,
                            uri(f"{asn3_name}_asn.json"), exposures, ta, "")
    combined = g.node(Label.OBSERVATION, result.obsid, Label.COMBINED, obs_id=obs_id, program=program,
                      calib_level=3, instrument="MIRI/IMAGE", filters="F1130W", target_name="NGC 7469",
                      mast_listed=True)
    g.edge(Rel.HAS_OBSERVATION, prog_ref, combined)
    l3 = _product(g, f"{obs_id}_i2d.fits", Label.L3, level="3", suffix="i2d", calib_level=3, subgroup="I2D",
                  product_type="SCIENCE", program=program, asn_id=f"o{obs}", target="t001", instrument="miri",
                  optical_elements="f1130w", stem=obs_id, extension="fits", listed=True, mast_mrp=True,
                  size=5000, cal_ver=CAL_VER, crds_ver=CRDS_VER)
    asn3_file = g.node(Label.PRODUCT, result.asn3_file, Label.ASSOCIATION_FILE, filename=f"{asn3_name}_asn.json",
                       association=asn3_name, suffix="asn", extension="json", program=program, listed=True,
                       product_type="INFO", subgroup="ASN", calib_level=3)
    asn3 = g.node(Label.ASSOCIATION, asn3_name, asn_type="image3", asn_rule="Asn_Lv3Image", program=program,
                  asn_pool=f"jw{program}_20230101t000000_pool.csv", code_version="1.12.5", products=[obs_id],
                  composition_by="dither")
    for product in (l3, asn3_file):
        g.edge(Rel.HAS_PRODUCT, combined, product)
    g.edge(Rel.PRODUCED_BY, l3, asn3)
    g.edge(Rel.ANTECEDENT, l3, asn3_file)
    context = g.node(Label.CRDS_CONTEXT, result.l3_context)
    g.edge(Rel.CALIBRATED_UNDER, l3, context)
    g.edge(Rel.MRP, combined, l3)
    g.edge(Rel.MAST_MRP, combined, l3)
    for exposure in exposures:
        cal = (Label.PRODUCT, exposure.cal)
        g.edge(Rel.HAS_MEMBER, combined, (Label.OBSERVATION, exposure.obsid))
        g.edge(Rel.HAS_MEMBER, asn3, cal, exptype="science", product=obs_id)
        g.edge(Rel.COMPOSITION, l3, cal, by="dither")
        # Target acquisition: a prerequisite of the science exposures (not an input of their processing).
        g.edge(Rel.PREREQUISITE, cal, (Label.PRODUCT, ta.cal), kind="target_acquisition")
    # The guide-star product of the visit, listed and aggregated under the first science exposure.
    first = exposures[0]
    gs_name = f"jw{program}{obs}001_gs-fg_2023001000000_cal.fits"
    result.guide_star = uri(gs_name)
    guide_star = _product(g, gs_name, Label.GUIDE_STAR, suffix="gs-fg", gs_kind="fg", program=program,
                          observation=obs, visit="001", listed=True, product_type="AUXILIARY", calib_level=1)
    first_obs = (Label.OBSERVATION, first.obsid)
    g.edge(Rel.HAS_PRODUCT, first_obs, guide_star)
    g.edge(Rel.AGGREGATION, first_obs, guide_star, kind="guide_star")
    g.edge(Rel.LINKED, (Label.PRODUCT, first.uncal), guide_star, kind="guide_star")
    # One engineering series that covers the first science exposure only.
    mnemonic = g.node(Label.MNEMONIC, result.mnemonic, subsystem="ACS", raw_type="float", eu_type="float",
                      sql_type="SqlFloat")
    result.series = f"{result.mnemonic}-20230102T044800-20230102T050300"
    series = g.node(Label.ENGINEERING_SERIES, result.series, mnemonic=result.mnemonic, t_min=first.t_min - 0.001,
                    t_max=first.t_max + 0.001, n_samples=3, times=[first.t_min - 0.001, first.t_min, first.t_max + 0.001],
                    values=[0.1, 0.2, 0.3], sql_type="SqlFloat")
    g.edge(Rel.OF_MNEMONIC, series, mnemonic)
    g.edge(Rel.HAS_ENGINEERING, first_obs, series)
    return result


@dataclass
class Planted:
    """One instance of each problem the audit reports, by check name: the rows' key values."""

    untraceable_l3: set[str]
    untraceable: set[str]
    unlisted_members: set[str]
    several_crds_contexts: dict[str, list[str]]
    mrp_disagreements: set[tuple[str, str, str]]
    cycles: list[list[str]]
    orphan_products: set[str]
    duplicate_products: dict[str, set[str]]


def plant_problems(g: GraphData, p: ImagingProgram) -> Planted:
    program, one, two = p.program, p.exposures[0], p.exposures[1]
    # An L3 of another observation, composed of a cal whose rate and uncal were never loaded and of a
    # member only its association names (never listed).
    obs_id = f"jw{program}-o003_t001_miri_f770w"
    combined = g.node(Label.OBSERVATION, str(int(p.obsid) + 9000), Label.COMBINED, obs_id=obs_id, program=program, calib_level=3)
    l3 = _product(g, f"{obs_id}_i2d.fits", Label.L3, level="3", suffix="i2d", program=program, listed=True,
                  product_type="SCIENCE", stem=obs_id)
    asn = g.node(Label.ASSOCIATION, f"jw{program}-o003_20230101t000000_image3_00001", asn_type="image3",
                 program=program, products=[obs_id])
    listed_cal = _product(g, f"jw{program}003001_02103_00001_mirimage_cal.fits", Label.L2B, level="2b",
                          suffix="cal", program=program, listed=True, product_type="SCIENCE")
    unlisted_cal = _product(g, f"jw{program}003001_02103_00002_mirimage_cal.fits", Label.L2B, level="2b",
                            suffix="cal", program=program)
    exposure = g.node(Label.OBSERVATION, str(int(p.obsid) + 9001), Label.EXPOSURE, obs_id=f"jw{program}003001_02103_00001_mirimage",
                      program=program)
    g.edge(Rel.HAS_PRODUCT, combined, l3)
    g.edge(Rel.HAS_PRODUCT, exposure, listed_cal)
    g.edge(Rel.PRODUCED_BY, l3, asn)
    for member in (listed_cal, unlisted_cal):
        g.edge(Rel.HAS_MEMBER, asn, member, exptype="science", product=obs_id)
        g.edge(Rel.COMPOSITION, l3, member, by="dither")
    # The first science cal also calibrated under a second context.
    g.edge(Rel.CALIBRATED_UNDER, (Label.PRODUCT, one.cal), g.node(Label.CRDS_CONTEXT, "jwst_1200.pmap"))
    # MAST flags the second exposure's rate; mastgraph's rule names the first exposure's rate.
    g.edge(Rel.MAST_MRP, (Label.OBSERVATION, two.obsid), (Label.PRODUCT, two.rate))
    g.edge(Rel.MRP, (Label.OBSERVATION, one.obsid), (Label.PRODUCT, one.rate))
    # A cycle: the second exposure's rate made from its own cal.
    g.edge(Rel.ANTECEDENT, (Label.PRODUCT, two.rate), (Label.PRODUCT, two.cal))
    # A product nothing places (known from its header only).
    orphan_name = f"jw{program}002001_02103_00009_mirimage_cal.fits"
    orphan = _product(g, orphan_name, Label.L2B, level="2b", suffix="cal", program=program, cal_ver=CAL_VER)
    g.edge(Rel.CALIBRATED_UNDER, orphan, (Label.CRDS_CONTEXT, p.context))
    # The first uncal reached through a second dataURI, listed under the same exposure.
    uncal_name = one.uncal.rsplit("/", 1)[-1]
    duplicate = g.node(Label.PRODUCT, f"mast:JWST/product/{program}/{uncal_name}", Label.L1B, filename=uncal_name,
                       level="1b", program=program, listed=True, product_type="SCIENCE")
    g.edge(Rel.HAS_PRODUCT, (Label.OBSERVATION, one.obsid), duplicate)
    return Planted(
        untraceable_l3={l3[1]},
        untraceable={l3[1], listed_cal[1], unlisted_cal[1], orphan[1]},
        unlisted_members={unlisted_cal[1]},
        several_crds_contexts={one.cal: sorted([p.context, "jwst_1200.pmap"])},
        mrp_disagreements={(two.obs_id, two.rate, "MAST only"), (one.obs_id, one.rate, "mastgraph only")},
        cycles=[sorted([two.cal, two.rate])],
        orphan_products={orphan[1]},
        duplicate_products={uncal_name: {one.uncal, duplicate[1]}},
    )


@pytest.fixture
def imaging(graph, neo4j_settings) -> ImagingProgram:
    """A clean graph: one imaging program, nothing wrong with it."""
    g = GraphData()
    program = build_imaging_program(g)
    g.write(graph, neo4j_settings.neo4j_database)
    return program


@pytest.fixture
def planted(graph, neo4j_settings) -> tuple[ImagingProgram, Planted]:
    """The clean program plus one instance of each problem the audit reports."""
    g = GraphData()
    program = build_imaging_program(g)
    problems = plant_problems(g, program)
    g.write(graph, neo4j_settings.neo4j_database)
    return program, problems
