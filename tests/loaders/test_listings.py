"""MAST product listings -> Product/Observation/Program records (loaders/listings.py)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from unittest import mock

import pytest

from mastgraph.pipeline.ingest import BadFile, _checked
from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders import listings, names
from mastgraph.loaders.listings import ListingLoader
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.model.records import Edge, Node

from .test_records_merger import written

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real" / "listings"
API_CSV = REAL / "mastdocs_viz_products_api" / "products_jw01039-o004_t001_miri_ch3-long.csv"
API_JSON = REAL / "mastdocs_viz_products_api" / "products_jw01039-o004_t001_miri_ch3-long.json"
QUERY_PRODUCTS = REAL / "jwst_mast_query_readme" / "productTable.csv"
QUERY_OBS = REAL / "jwst_mast_query_readme" / "obsTable.csv"
RECORDED = Path(__file__).resolve().parents[1] / "data" / "mast"

REAL_LISTINGS = [API_CSV, API_JSON, QUERY_PRODUCTS, RECORDED / "jw01410_products.ecsv", RECORDED / "jw01039_products.ecsv"]
S3D = "mast:JWST/product/jw01039-o004_t001_miri_ch3-long_s3d.fits"

COLUMNS = ["obsID", "obs_collection", "dataproduct_type", "obs_id", "description", "type", "dataURI", "productType",
           "productGroupDescription", "productSubGroupDescription", "productDocumentationURL", "project",
           "prvversion", "proposal_id", "productFilename", "size", "parent_obsid", "dataRights", "calib_level"]
#: A Level-3 observation's listing (program 2733, real file names; obsids stand-ins).
L3_OBSID, EXP_OBSID = "87600001", "87600002"


def listing_row(**values: str) -> dict[str, str]:
    name = values.get("productFilename") or "jw02733002001_02103_00001_mirimage_cal.fits"
    row = {c: "" for c in COLUMNS}
    row.update(obsID=EXP_OBSID, obs_collection="JWST", dataproduct_type="image",
               obs_id="jw02733002001_02103_00001_mirimage", type="S", dataURI=f"mast:JWST/product/{name}",
               productType="SCIENCE", productSubGroupDescription=name.rsplit("_", 1)[1].split(".")[0].upper(),
               project="CALJWST", prvversion="1.11.4", proposal_id="2733", productFilename=name, size="100",
               parent_obsid=L3_OBSID, dataRights="PUBLIC", calib_level=_calib_level(name))
    row.update(values)
    return row


def _calib_level(filename: str) -> str:
    """MAST's calib_level of a product by its name's level (2 when the name gives none)."""
    try:
        level = names.parse(filename).level
    except names.BadName:  # (a test of a bad name)
        level = None
    return str({"1b": 1, "3": 3}.get(level or "", 2))


def write_listing(tmp_path: Path, *rows: dict[str, str], name: str = "listing.csv") -> Path:
    path = tmp_path / name
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def load(path: Path) -> list:
    return list(ListingLoader().records(path))


def of(records: list, kind: type, label_or_type=None) -> list:
    found = [r for r in records if isinstance(r, kind)]
    if label_or_type is None:
        return found
    return [r for r in found if (r.label if kind is Node else r.type) == label_or_type]


@pytest.mark.parametrize("path", REAL_LISTINGS, ids=lambda p: p.name)
def test_real_listings_load_without_rejects(path: Path) -> None:
    records = load(path)
    assert records and not of(records, Reject)
    lines = path.read_text().splitlines()
    for record in records:
        file, line = record.origin.rsplit(":", 1)
        assert file == str(path) and 1 <= int(line) <= len(lines)
    for product in of(records, Node, Label.PRODUCT):
        assert product.props["listed"] is True
        assert type(product.props["size"]) is int and type(product.props["calib_level"]) is int
        assert product.key.startswith("mast:JWST/product/jw")
        assert product.props["filename"] == product.key.rsplit("/", 1)[1]
    for observation in of(records, Node, Label.OBSERVATION):
        assert isinstance(observation.key, str) and observation.key.isdigit()


@pytest.mark.parametrize("path", [API_CSV, API_JSON], ids=lambda p: p.suffix)
def test_products_api_own_listing_flags_mrp(path: Path) -> None:
    records = load(path)
    products = of(records, Node, Label.PRODUCT)
    assert [p.key for p in products] == [S3D, S3D.replace("_s3d", "_x1d")]
    s3d = products[0]
    assert s3d.labels == (Label.L3,)
    assert s3d.props == {
        "program": "01039", "asn_id": "o004", "target": "t001", "instrument": "miri",
        "optical_elements": "ch3-long", "suffix": "s3d", "extension": "fits", "level": "3",
        "stem": "jw01039-o004_t001_miri_ch3-long", "filename": "jw01039-o004_t001_miri_ch3-long_s3d.fits",
        "size": 370405440, "calib_level": 3, "description": "exposure/target (L2b/L3): 3D image of spectrum",
        "product_type": "SCIENCE", "subgroup": "S3D", "dataproduct_type": "cube", "project": "CALJWST",
        "prvversion": "1.5.3", "data_rights": "PUBLIC", "exp_type": "MIR_MRS", "listed": True, "mast_mrp": True,
    }
    observation = of(records, Node, Label.OBSERVATION)[0]
    assert (observation.key, observation.props, observation.labels) == (
        "83209967", {"obs_id": "jw01039-o004_t001_miri_ch3-long", "program": "01039"}, (Label.COMBINED,))
    assert {(e.type, e.start, e.end) for e in of(records, Edge)} >= {
        (Rel.HAS_OBSERVATION, (Label.PROGRAM, "01039"), (Label.OBSERVATION, "83209967")),
        (Rel.HAS_PRODUCT, (Label.OBSERVATION, "83209967"), (Label.PRODUCT, S3D)),
        (Rel.MAST_MRP, (Label.OBSERVATION, "83209967"), (Label.PRODUCT, S3D)),
    }
    assert not of(records, Edge, Rel.HAS_MEMBER) and not of(records, Edge, Rel.AGGREGATION)
    listed = [n for n in of(records, Node, Label.OBSERVATION) if n.props.get("mast_listed")]
    assert listed and all(n.key == "83209967" and n.labels == () for n in listed)


def test_products_api_csv_and_json_give_the_same_records() -> None:
    def strip(records: list) -> list:
        return [(type(r), getattr(r, "key", None), dict(r.props), getattr(r, "labels", None),
                 getattr(r, "type", None)) for r in records]

    assert strip(load(API_CSV)) == strip(load(API_JSON))


def test_origin_is_the_row_line_in_csv_and_the_record_line_in_json() -> None:
    assert {r.origin for r in load(API_CSV)} == {f"{API_CSV}:2", f"{API_CSV}:3"}
    assert {r.origin for r in load(API_JSON)} == {f"{API_JSON}:3", f"{API_JSON}:26"}


def test_jwst_mast_query_product_table_names_products_by_outfilename() -> None:
    records = load(QUERY_PRODUCTS)
    products = of(records, Node, Label.PRODUCT)
    assert [p.key for p in products] == [
        "mast:JWST/product/jw01410001001_02101_00001_guider1_uncal.fits",
        "mast:JWST/product/jw01410003001_02101_00001_guider1_uncal.fits",
        "mast:JWST/product/jw01410014001_02101_00001_guider1_uncal.fits",
    ]
    first = products[0]
    assert first.labels == (Label.L1B,) and first.origin == f"{QUERY_PRODUCTS}:2"
    assert first.props["size"] == 100713600 and first.props["calib_level"] == 1
    assert first.props["detector"] == "guider1" and first.props["program"] == "01410"
    assert "mast_mrp" not in first.props  # the table has no productGroupDescription column
    observations = [n for n in of(records, Node, Label.OBSERVATION) if "obs_id" in n.props]
    assert [(o.key, o.labels) for o in observations] == [
        ("71672220", (Label.EXPOSURE,)), ("71673298", (Label.EXPOSURE,)), ("71673297", (Label.EXPOSURE,))]


def test_observation_rows_are_refused_naming_the_column() -> None:
    with pytest.raises(LoadError, match="missing required column 'obsID'.*observation rows") as caught:
        load(QUERY_OBS)
    assert caught.value.origin == f"{QUERY_OBS}:1"


def test_listing_without_a_product_name_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "noname.csv"
    path.write_text("obsID,size\n1,2\n")
    with pytest.raises(LoadError) as caught:
        load(path)
    assert str(caught.value) == (f"{path}:1: a product listing needs a 'dataURI' or 'productFilename' column "
                                 "and this table has neither")


def test_member_row_under_a_level3_listing(tmp_path: Path) -> None:
    path = write_listing(tmp_path, listing_row(productGroupDescription="Minimum Recommended Products"))
    records = load(path)
    uri = "mast:JWST/product/jw02733002001_02103_00001_mirimage_cal.fits"
    product = of(records, Node, Label.PRODUCT)[0]
    assert product.key == uri and product.labels == (Label.L2B,)
    assert "mast_mrp" not in product.props  # MAST's flag is relative to the Level-3 listing, not its own
    parent = next(n for n in of(records, Node, Label.OBSERVATION) if n.key == L3_OBSID)
    assert parent.props == {"mast_listed": True} and parent.labels == (Label.COMBINED,)
    member = next(n for n in of(records, Node, Label.OBSERVATION) if n.key == EXP_OBSID)
    assert member.labels == (Label.EXPOSURE,) and member.props["program"] == "02733"
    edges = {(e.type, e.start, e.end) for e in of(records, Edge)}
    assert (Rel.HAS_MEMBER, (Label.OBSERVATION, L3_OBSID), (Label.OBSERVATION, EXP_OBSID)) in edges
    assert (Rel.HAS_PRODUCT, (Label.OBSERVATION, EXP_OBSID), (Label.PRODUCT, uri)) in edges
    assert (Rel.MAST_MRP, (Label.OBSERVATION, L3_OBSID), (Label.PRODUCT, uri)) in edges


def test_own_listing_row_not_flagged_has_mast_mrp_false(tmp_path: Path) -> None:
    path = write_listing(tmp_path, listing_row(parent_obsid=EXP_OBSID, productFilename=
                                               "jw02733002001_02103_00001_mirimage_uncal.fits"))
    records = load(path)
    assert of(records, Node, Label.PRODUCT)[0].props["mast_mrp"] is False
    assert not of(records, Edge, Rel.MAST_MRP) and not of(records, Edge, Rel.HAS_MEMBER)


@pytest.mark.parametrize(("filename", "kind"), [
    ("jw02733002001_02103_00001_mirimage_rate.fits", "intermediate"),
    ("jw02733002001_02103_00001_mirimage_rateints.fits", "intermediate"),
    ("jw02733002001_02103_00001_mirimage_o002_crf.fits", "intermediate"),
    ("jw01019001001_gs-acq1_2022117003102_uncal.fits", "guide_star"),
    ("jw02733002001_02103_00001_mirimage_cal.fits", None),
    ("jw02733002001_02103_00001_mirimage_rate.jpg", None),
])
def test_aggregation_of_intermediate_and_guide_star_products(tmp_path: Path, filename: str, kind: str | None) -> None:
    records = load(write_listing(tmp_path, listing_row(productFilename=filename)))
    assert not of(records, Reject)
    aggregation = of(records, Edge, Rel.AGGREGATION)
    if kind is None:
        assert aggregation == []
    else:
        (edge,) = aggregation
        assert edge.start == (Label.OBSERVATION, EXP_OBSID) and edge.props == {"kind": kind}


def test_the_same_product_under_two_parents_repeats_its_records(tmp_path: Path) -> None:
    own = listing_row(parent_obsid=EXP_OBSID, productGroupDescription="Minimum Recommended Products")
    member = listing_row()
    records = load(write_listing(tmp_path, own, member))
    products = of(records, Node, Label.PRODUCT)
    assert len(products) == 2 and products[0].key == products[1].key
    assert products[0].props["mast_mrp"] is True and "mast_mrp" not in products[1].props
    assert {e.start[1] for e in of(records, Edge, Rel.MAST_MRP)} == {EXP_OBSID}


def test_masked_cells_are_left_out(tmp_path: Path) -> None:
    row = listing_row(description="--", project="N/A", prvversion="NULL", dataRights="")
    product = of(load(write_listing(tmp_path, row)), Node, Label.PRODUCT)[0]
    assert not {"description", "project", "prvversion", "data_rights"} & set(product.props)


def test_no_data_uri_uses_the_file_name(tmp_path: Path) -> None:
    product = of(load(write_listing(tmp_path, listing_row(dataURI=""))), Node, Label.PRODUCT)[0]
    assert product.key == "mast:JWST/product/jw02733002001_02103_00001_mirimage_cal.fits"


def test_data_uri_alone_names_the_product(tmp_path: Path) -> None:
    product = of(load(write_listing(tmp_path, listing_row(productFilename=""))), Node, Label.PRODUCT)[0]
    assert product.props["filename"] == "jw02733002001_02103_00001_mirimage_cal.fits"


def test_no_parent_obsid_column_gives_no_parent_records(tmp_path: Path) -> None:
    row = listing_row(productGroupDescription="Minimum Recommended Products")
    del row["parent_obsid"]
    records = load(write_listing(tmp_path, row))
    assert not of(records, Edge, Rel.MAST_MRP) and not of(records, Edge, Rel.HAS_MEMBER)
    assert "mast_mrp" not in of(records, Node, Label.PRODUCT)[0].props
    assert not any(n.props.get("mast_listed") for n in of(records, Node, Label.OBSERVATION))


def test_json_listing_with_integer_obsids(tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    record = listing_row()
    record.update(obsID=int(EXP_OBSID), parent_obsid=int(L3_OBSID), size=100, calib_level=2)
    path.write_text(json.dumps({"data": [record]}, indent=1))
    records = load(path)
    assert {n.key for n in of(records, Node, Label.OBSERVATION)} == {EXP_OBSID, L3_OBSID}


def test_ecsv_and_votable_listings_load(tmp_path: Path) -> None:
    from astropy.table import Table

    table = Table.read(RECORDED / "jw01039_products.ecsv")
    table.write(tmp_path / "products.xml", format="votable")
    from_ecsv = load(RECORDED / "jw01039_products.ecsv")
    from_votable = load(tmp_path / "products.xml")
    assert [dict(r.props) for r in from_ecsv] == [dict(r.props) for r in from_votable]
    assert of(from_votable, Node, Label.PRODUCT)[0].origin.startswith(f"{tmp_path / 'products.xml'}:")


# ---- one test per bad row: a Reject naming the column and value, and the file goes on


def _reject_then_good(tmp_path: Path, **bad: str) -> Reject:
    good = listing_row(productFilename="jw02733002001_02103_00001_mirimage_i2d.fits")
    records = load(write_listing(tmp_path, listing_row(**bad), good))
    rejects = of(records, Reject)
    assert len(rejects) == 1 and rejects[0].origin == f"{tmp_path / 'listing.csv'}:2"
    assert [p.origin for p in of(records, Node, Label.PRODUCT)] == [f"{tmp_path / 'listing.csv'}:3"]
    return rejects[0]


def test_reject_non_numeric_size(tmp_path: Path) -> None:
    assert _reject_then_good(tmp_path, size="12 MB").reason == "size '12 MB' is not an integer"


def test_reject_negative_size(tmp_path: Path) -> None:
    assert _reject_then_good(tmp_path, size="-1").reason == "size: -1 is negative"


def test_reject_bad_calib_level(tmp_path: Path) -> None:
    assert _reject_then_good(tmp_path, calib_level="two").reason == "calib_level 'two' is not an integer"


def test_reject_unknown_suffix(tmp_path: Path) -> None:
    reason = _reject_then_good(tmp_path, productFilename="jw02733002001_02103_00001_mirimage_foo.fits").reason
    assert "unknown suffix 'foo'" in reason


def test_reject_name_breaking_the_rules(tmp_path: Path) -> None:
    reason = _reject_then_good(tmp_path, productFilename="hst_12345_01_wfc3_f160w_drz.fits").reason
    assert "does not start with 'jw'" in reason


def test_reject_empty_obsid(tmp_path: Path) -> None:
    assert _reject_then_good(tmp_path, obsID="--").reason == "obsID is empty"


def test_reject_bad_proposal_id(tmp_path: Path) -> None:
    assert _reject_then_good(tmp_path, proposal_id="GO-2733").reason == "proposal_id 'GO-2733' is not a JWST program number"


def test_reject_non_mast_data_uri(tmp_path: Path) -> None:
    reason = _reject_then_good(tmp_path, dataURI="https://example.org/jw02733002001_02103_00001_mirimage_cal.fits").reason
    assert reason.startswith("dataURI 'https://example.org/") and reason.endswith("is not a mast: URI")


def test_reject_row_without_any_file_name(tmp_path: Path) -> None:
    reason = _reject_then_good(tmp_path, productFilename="", dataURI="").reason
    assert reason.startswith("no product file name")


def test_reject_ragged_row(tmp_path: Path) -> None:
    path = write_listing(tmp_path, listing_row())
    path.write_text(path.read_text() + "1,2,3\n")
    (reject,) = of(load(path), Reject)
    assert reject.origin == f"{path}:3" and "fields" in reject.reason


def test_bad_json_fails_the_file(tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    path.write_text('{"jw02733-o002_t001_miri_f1130w": [\n{"obsID": 1,}\n]}')
    with pytest.raises(LoadError, match="bad JSON"):
        load(path)


def test_pipe_separated_file_fails(tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text("obsID|productFilename\n1|jw02733002001_02103_00001_mirimage_cal.fits\n")
    with pytest.raises(LoadError, match="pipe-separated"):
        load(path)


def test_detect() -> None:
    for path in REAL_LISTINGS:
        assert ListingLoader.detect(path, path.read_bytes()[:65536]), path
    assert not ListingLoader.detect(QUERY_OBS, QUERY_OBS.read_bytes())


# ------------------------------------------------------------------ rows of one observation

class _NoRepeats(listings.Context):
    """A Context that finds no row repeating an earlier one's observation, program and parent."""

    def repeat(self, *args) -> bool:
        return False


class _EveryRow(ListingLoader):
    """The listing loader making every record each row names (no row's records left out)."""

    def records(self, path):
        with mock.patch.object(listings, "Context", _NoRepeats):
            yield from super().records(path)


def _check(loader, path, skip_bad):
    """What the within-file check passes on, as written, and the rejects; or the file's error."""
    rejects: list = []
    try:
        records = list(_checked(loader, path, skip_bad, rejects))
    except BadFile as exc:
        return str(exc)
    return written(records), [str(r) for r in rejects]


@pytest.mark.parametrize("seed", range(40))
def test_rows_of_one_observation_check_as_when_each_row_describes_it(tmp_path, seed):
    """Leaving out the records a row repeats changes nothing the check passes on or reports,
    conflicting rows included (each conflicting row is reported, with or without --skip-bad)."""
    _compare_random_listing(tmp_path, seed)


def _compare_random_listing(tmp_path: Path, seed: int) -> list:
    """A random listing checked with and without the Context: asserted equal, the outcomes returned."""
    import random

    rng = random.Random(seed)
    path = tmp_path / "listing.csv"
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["obsID", "parent_obsid", "obs_id", "proposal_id", "productFilename", "productGroupDescription"])
        obs_ids = ["jw01018001001_02101_00001_nrca1", "jw01018-o001_t001_nircam", "", "jw01018001001_02101_00002_nrca1"]
        # a program agrees with the obs_id (or is not given): a disagreeing one is a Reject of its own
        programs = ["1018", "1018", "", ""]
        usual = {obsid: (rng.choice(obs_ids), rng.choice(programs)) for obsid in "123"}
        odd = rng.random() * 0.3  # how often a row gives its observation another obs_id or program
        for n in range(rng.randint(1, 60)):
            obsid = rng.choice("123")
            obs_id, program = usual[obsid]
            if rng.random() < odd:
                obs_id, program = rng.choice(obs_ids), rng.choice(programs)
            if not obs_id and program:
                program = rng.choice(["1018", "2733"])  # nothing to disagree with
            out.writerow([obsid, rng.choice([obsid, "9", ""]), obs_id, program,
                          f"jw01018001001_02101_{n:05d}_nrca1_cal.fits",
                          rng.choice(["Minimum Recommended Products", ""])])
    every = [_check(_EveryRow(), path, skip_bad) for skip_bad in (False, True)]
    assert [_check(ListingLoader(), path, skip_bad) for skip_bad in (False, True)] == every
    return every


def test_rows_of_one_observation_cover_repeats_and_conflicts(tmp_path):
    """The cases above include files with conflicting rows and files without."""
    outcomes = []
    for seed in range(40):
        (tmp_path / str(seed)).mkdir()
        outcomes.append(_compare_random_listing(tmp_path / str(seed), seed))
    assert 5 < sum(isinstance(strict, str) for strict, _ in outcomes) < 35
    assert sum(len(lenient[1]) > 1 for _, lenient in outcomes) > 3


def test_real_listings_check_as_when_each_row_describes_it():
    for path in REAL_LISTINGS:
        every = _check(_EveryRow(), path, False)
        assert not isinstance(every, str) and _check(ListingLoader(), path, False) == every


def test_repeats_of_a_listing_are_not_written_twice(tmp_path) -> None:
    """A listing row names its observation, program and parent: the check passes each on once."""
    path = tmp_path / "listing.csv"
    rows = [f"{n},9,mast:JWST/product/jw01018001001_02101_0000{n}_nrca1_cal.fits,jw01018001001_02101_0000{n}_nrca1,SCIENCE"
            for n in range(1, 4)]
    rows2 = [f"9,9,mast:JWST/product/jw01018-o001_t001_nircam_clear-{f}_i2d.fits,jw01018-o001_t001_nircam,SCIENCE"
             for f in ("f090w", "f150w", "f200w")]
    path.write_text("obsID,parent_obsid,dataURI,obs_id,productType\n" + "\n".join(rows + rows2) + "\n")
    every = list(_EveryRow().records(path))  # each row all it names
    checked = list(_checked(_EveryRow(), path, False, []))
    assert len(checked) < len(every)
    assert written(checked) == written(every)
    observations = [r for r in checked if isinstance(r, Node) and r.label is Label.OBSERVATION and r.key == "9"]
    # the parent of rows 2-4, then described by rows 5-7 (its obs_id and program are new): twice, not 9 times
    assert [r.origin for r in observations] == [f"{path}:2", f"{path}:5"]
    assert sum(isinstance(r, Node) and r.ref == (Label.OBSERVATION, "9") for r in every) == 9


@pytest.mark.parametrize("marker", ["None", "none", "NONE"])
def test_none_in_a_cell_is_not_known_not_a_value(tmp_path: Path, marker: str) -> None:
    """docs/formats.md: masked `--`, empty cells, NULL, N/A, None and NaN all mean "not known". A
    `None` parent_obsid is no Observation "None" (with every exposure its member), a `None` size or
    dataRights no error."""
    path = write_listing(tmp_path, listing_row(parent_obsid=marker, size=marker, dataRights=marker,
                                               calib_level=marker))
    records = load(path)
    assert not of(records, Reject)
    assert {r.key for r in of(records, Node, Label.OBSERVATION)} == {EXP_OBSID}
    assert not of(records, Edge, Rel.HAS_MEMBER)
    (product,) = of(records, Node, Label.PRODUCT)
    assert not {"size", "data_rights", "calib_level"} & set(product.props)
    (refused,) = of(load(write_listing(tmp_path, listing_row(obsID=marker), name="no_obsid.csv")), Reject)
    assert refused.reason == "obsID is empty"


def test_an_obsid_written_as_a_float_names_the_same_observation(tmp_path: Path) -> None:
    """docs/formats.md: obsID and parent_obsid are identifiers, `71672220.0` reads as `71672220`. A
    JSON or ECSV float did; the same text in a CSV cell (a float column written out) named another
    Observation, "87600002.0", beside the "87600002" of the file's other spellings."""
    plain = load(write_listing(tmp_path, listing_row(), name="plain.csv"))
    floats = load(write_listing(tmp_path, listing_row(obsID=f"{EXP_OBSID}.0", parent_obsid=f"{L3_OBSID}.00"),
                                name="floats.csv"))
    assert [(type(r), getattr(r, "key", None), getattr(r, "start", None), getattr(r, "end", None), r.props)
            for r in floats] == [(type(r), getattr(r, "key", None), getattr(r, "start", None),
                                  getattr(r, "end", None), r.props) for r in plain]
    rows = [listing_row(obsID=f"{EXP_OBSID}.5")]
    assert {r.key for r in of(load(write_listing(tmp_path, *rows, name="half.csv")), Node, Label.OBSERVATION)} == \
        {f"{EXP_OBSID}.5", L3_OBSID}  # (not a float column's integral value: text, kept as it is)
