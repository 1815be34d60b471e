"""Value domains (loaders/domains.py, docs/formats.md): every bundled real file loads; a damaged copy
of one, one defect placed after good content, is refused with one line naming the file, line,
field and reason; what MAST really serves (masked, empty, BOM/CRLF, N/A, extra columns, repeated
rows) still loads."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from astropy.io import fits

from mastgraph.pipeline.ingest import parse_file
from mastgraph.loaders import domains, registry
from mastgraph.loaders.tables import BadValue

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "sample" / "data" / "real"
RECORDED = ROOT / "tests" / "data" / "mast"
API_CSV = REAL / "listings" / "mastdocs_viz_products_api" / "products_jw01039-o004_t001_miri_ch3-long.csv"
API_JSON = API_CSV.with_suffix(".json")
PRODUCT_TABLE = REAL / "listings" / "jwst_mast_query_readme" / "productTable.csv"
OBS_TABLE = REAL / "listings" / "jwst_mast_query_readme" / "obsTable.csv"
IMAGE3 = REAL / "asn" / "jw09505" / "jw09505-o001_20251216t202003_image3_00001_asn.json"
IMAGE2 = REAL / "asn" / "jw09505" / "jw09505-o001_20251216t202003_image2_00001_asn.json"
POOL = REAL / "pools" / "jw09505_20251216t202003_pool.csv"
EDB = REAL / "edb" / "SA_ZATTEST2-20220202T222458-20220202T222459.csv"
CAL = REAL / "headers" / "test1_cal.fits"
UNCAL = REAL / "headers" / "jw01075001001_03105_00009_nrca2_uncal.fits"
OBS_ECSV = RECORDED / "jw01039_observations.ecsv"
PRODUCTS_ECSV = RECORDED / "jw01039_products.ecsv"

BUNDLED = sorted(registry.expand([REAL, RECORDED]))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_bundled_real_file_loads_without_a_reject(path):
    result = parse_file(path)
    assert result.error is None and result.rejects == [] and result.records > 0


def test_the_bundled_real_files_are_all_here():
    assert len(BUNDLED) >= 38  # sample/data/real (34 data files) and tests/data/mast (4)


# --------------------------------------------------------------------------- damaging real files

def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def cell(sep: str, column: str, value: str, row: int = -1) -> Callable[[Path, Path], int]:
    """Set one cell of a delimited table (`row` counts data rows; -1 the last): the line changed."""
    def damage(source: Path, target: Path) -> int:
        lines = _lines(source)
        data = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
        header = lines[data[0]].rstrip("\r\n").split(sep)
        at = data[1:][row]
        body = lines[at].rstrip("\r\n")
        cells = body.split(sep)
        assert len(cells) == len(header), "the helper handles plain (unquoted) rows only"
        cells[header.index(column)] = value
        lines[at] = sep.join(cells) + lines[at][len(body):]
        target.write_text("".join(lines), encoding="utf-8", newline="")
        return at + 1
    return damage


def cells(sep: str, changes: list[tuple[int, str, str]]) -> Callable[[Path, Path], int]:
    """Several cells (row, column, value); the line of the last change."""
    def damage(source: Path, target: Path) -> int:
        line = 0
        for row, column, value in changes:
            line = cell(sep, column, value, row)(source, target)
            source = target
        return line
    return damage


def text(old: str, new: str, line: int | None = None) -> Callable[[Path, Path], int]:
    """Replace the last occurrence of `old`; the line given, else the line of the change."""
    def damage(source: Path, target: Path) -> int:
        content = source.read_text(encoding="utf-8")
        at = content.rindex(old)
        target.write_text(content[:at] + new + content[at + len(old):], encoding="utf-8", newline="")
        return line if line is not None else content.count("\n", 0, at) + 1
    return damage


def header(**cards: object) -> Callable[[Path, Path], str]:
    """Set primary-header cards of a copied FITS file; the origin is the primary HDU."""
    def damage(source: Path, target: Path) -> str:
        shutil.copyfile(source, target)
        with fits.open(target, mode="update") as hdul:
            for keyword, value in cards.items():
                hdul[0].header[keyword] = value
        return "PRIMARY"
    return damage


#: (id, real file, damage, expected reason). One rule each; the defect comes after good content.
CASES = [
    # product listings (CSV of the products API, its JSON, astroquery's ECSV, jwst_mast_query's table)
    ("listing-calib-level", API_CSV, cell(",", "calib_level", "7"), "calib_level: 7 is not a calibration level (0 to 4)"),
    ("listing-level-vs-name", API_CSV, cell(",", "calib_level", "2"),
     "calib_level: 2 disagrees with the file name 'jw01039-o004_t001_miri_ch3-long_x1d.fits' "
     "(a level-3 product is calib_level 3)"),
    ("listing-productType", API_CSV, cell(",", "productType", "SCIENTIFIC"),
     "productType: 'SCIENTIFIC' is not one of " + ", ".join(sorted(domains.PRODUCT_TYPES))),
    ("listing-dataproduct_type", API_CSV, cell(",", "dataproduct_type", "cubes"),
     "dataproduct_type: 'cubes' is not one of " + ", ".join(sorted(domains.DATAPRODUCT_TYPES))),
    ("listing-type", API_CSV, cell(",", "type", "X"), "type: 'X' is not one of C, D, S"),
    ("listing-exp_type", API_CSV, cell(",", "exp_type", "MIR_MRX"),
     "exp_type: 'MIR_MRX' is not a JWST exposure type (stdatamodels keyword_exptype)"),
    ("listing-dataURI-vs-filename", API_CSV,
     cell(",", "dataURI", "mast:JWST/product/jw01039-o004_t001_miri_ch3-long_s3d.fits"),
     "dataURI: 'mast:JWST/product/jw01039-o004_t001_miri_ch3-long_s3d.fits' names another file than "
     "productFilename 'jw01039-o004_t001_miri_ch3-long_x1d.fits'"),
    ("listing-obs_id-vs-proposal", API_CSV, cell(",", "proposal_id", "1040"),
     "obs_id: 'jw01039-o004_t001_miri_ch3-long' names program 01039, the row's proposal_id is 1040"),
    ("listing-size", API_CSV, cell(",", "size", "-190080"), "size: -190080 is negative"),
    ("listing-json-calib-level", API_JSON, text('"calib_level":3', '"calib_level":5', line=26),
     "calib_level: 5 is not a calibration level (0 to 4)"),
    ("listing-json-productType", API_JSON, text('"productType":"SCIENCE"', '"productType":"SCIENCES"', line=26),
     "productType: 'SCIENCES' is not one of " + ", ".join(sorted(domains.PRODUCT_TYPES))),
    ("listing-ecsv-level-vs-name", PRODUCTS_ECSV, text("PUBLIC 3\n", "PUBLIC 1\n"),
     "calib_level: 1 disagrees with the file name 'jw01039-o004_t001_miri_ch3-long_x1d.fits' "
     "(a level-3 product is calib_level 3)"),
    ("listing-obsnum-vs-obs_id", PRODUCT_TABLE, cell(",", "obsnum", "15"),
     "obs_id: 'jw01410014001_02101_00001_guider1' names observation 14, the row's is 15"),
    ("listing-parent-cycle", PRODUCT_TABLE,
     cells(",", [(1, "parent_obsid", "71673297"), (2, "parent_obsid", "71673298")]),
     "parent_obsid: 71673298 makes a cycle of parents (71673297 -> 71673298 -> 71673297)"),
    ("listing-uncal-level", PRODUCT_TABLE, cell(",", "calib_level", "2"),
     "calib_level: 2 disagrees with the file name 'jw01410014001_02101_00001_guider1_uncal.fits' "
     "(a level-1b product is calib_level 1)"),
    ("listing-dataRights", API_CSV, cell(",", "dataRights", "SECRET"),
     "dataRights: 'SECRET' is not one of EXCLUSIVE_ACCESS, PUBLIC, RESTRICTED"),
    ("listing-json-dataRights", API_JSON, text('"dataRights":"PUBLIC"', '"dataRights":"PRIVATE"', line=26),
     "dataRights: 'PRIVATE' is not one of EXCLUSIVE_ACCESS, PUBLIC, RESTRICTED"),
    ("listing-json-size", API_JSON, text('"size":190080', '"size":-190080', line=26), "size: -190080 is negative"),
    ("listing-table-size", PRODUCT_TABLE, cell(",", "size", "-1"), "size: -1 is negative"),
    # integers: 64-bit (Neo4j's), ASCII digits only (Python's int takes "190_080" and other scripts' digits)
    ("listing-size-past-64-bits", API_CSV, cell(",", "size", "9223372036854775808"),
     "size '9223372036854775808' does not fit in a 64-bit integer"),
    ("listing-size-underscore", API_CSV, cell(",", "size", "190_080"), "size '190_080' is not an integer"),
    ("listing-size-other-digits", API_CSV, cell(",", "size", "\u0661\u0669\u0660"),
     "size '\u0661\u0669\u0660' is not an integer"),
    ("listing-calib-level-long", API_CSV, cell(",", "calib_level", "3" * 5000),
     f"calib_level {repr('3' * 5000)[:64]}... (5002 characters) is not an integer"),
    ("listing-json-size-past-64-bits", API_JSON, text('"size":190080', '"size":99999999999999999999', line=26),
     "size 99999999999999999999 does not fit in a 64-bit integer"),
    # JSON values of the wrong kind: one line, never a Python representation of them
    ("listing-json-type-list", API_JSON, text('"type":"D"', '"type":["D"]', line=26), "type: a JSON list is not text"),
    ("listing-json-obsid-list", API_JSON, text('"obsID":83209967', '"obsID":[83209967]', line=26),
     "obsID: a JSON list is not an identifier"),
    ("listing-json-filename-object", API_JSON,
     text('"productFilename":"jw01039-o004_t001_miri_ch3-long_x1d.fits"', '"productFilename":{"a":1}', line=26),
     "productFilename: a JSON object is not text"),
    ("listing-json-lone-surrogate", API_JSON,
     text('1D extracted spectrum"', '1D extracted spectrum \\ud800"', line=41),
     "bad JSON: \\ud800 is half of a surrogate pair, not a character"),
    ("listing-json-too-deep", API_JSON, text('"MIRI External Flat"', "[" * 100_000 + "]" * 100_000, line=26),
     "bad JSON: nested too deeply (lists or objects inside one another past the reader's limit)"),
    ("listing-table-proposal", PRODUCT_TABLE, cell(",", "proposal_id", "1412"),
     "obs_id: 'jw01410014001_02101_00001_guider1' names program 01410, the row's proposal_id is 1412"),
    ("listing-table-calib-level", PRODUCT_TABLE, cell(",", "calib_level", "9"), "calib_level: 9 is not a calibration level (0 to 4)"),
    # observation rows (jwst_mast_query's obsTable, astroquery's ECSV)
    ("observations-t_min-before-mission", OBS_TABLE, cell(",", "t_min", "50000.5"),
     "t_min: MJD 50000.5 is outside the mission's life (56293 to 69807, 2013-01-01 to 2050-01-01)"),
    ("observations-t_min-after-mission", OBS_TABLE, cell(",", "t_min", "79624.849289"),
     "t_min: MJD 79624.849289 is outside the mission's life (56293 to 69807, 2013-01-01 to 2050-01-01)"),
    ("observations-t_exptime", OBS_TABLE, cell(",", "t_exptime", "-161.052"), "t_exptime: -161.052 is negative"),
    ("observations-obsnum", OBS_TABLE, cell(",", "obsnum", "4"),
     "obs_id: 'jw01410003001_02101_00001_guider1' names observation 3, the row's is 4"),
    ("observations-proposal", OBS_TABLE, cell(",", "proposal_id", "1411"),
     "obs_id: 'jw01410003001_02101_00001_guider1' names program 01410, the row's proposal_id is 1411"),
    ("observations-calib-level", OBS_ECSV, text("ch3-long 3 1039", "ch3-long -1 1039"),
     "calib_level: -1 is not a calibration level (0 to 4)"),
    ("observations-dataproduct_type", OBS_ECSV, text("JWST cube", "JWST picture"),
     "dataproduct_type: 'picture' is not one of " + ", ".join(sorted(domains.DATAPRODUCT_TYPES))),
    ("observations-t_min-text", OBS_TABLE, cell(",", "t_min", "yesterday"), "t_min 'yesterday' is not a number"),
    ("observations-ecsv-dataRights", OBS_ECSV, text("1039 PUBLIC", "1039 OPEN"),
     "dataRights: 'OPEN' is not one of EXCLUSIVE_ACCESS, PUBLIC, RESTRICTED"),
    # association JSON (asn_generate of jwst 3.0.0)
    ("asn-pool-name", IMAGE3, text('"jw09505_20251216t202003_pool.csv"', '"jw09505_2025_pool.csv"', line=1),
     "asn_pool: file name 'jw09505_2025_pool.csv' breaks the pool naming rule jw<ppppp>_<yyyymmddThhmmss>_pool.csv"),
    ("asn-pool-path", IMAGE3, text('"jw09505_20251216t202003_pool.csv"', '"../pools/my pool.csv"', line=1),
     "asn_pool: '../pools/my pool.csv' is not a pool file name"),
    ("asn-program-vs-name", IMAGE3, text('"program": "09505"', '"program": "09506"', line=1),
     "program: '09506' disagrees with the file name 'jw09505-o001_20251216t202003_image3_00001_asn.json' ('09505')"),
    ("asn-asn_id-vs-name", IMAGE3, text('"asn_id": "o001"', '"asn_id": "o002"', line=1),
     "asn_id: 'o002' disagrees with the file name 'jw09505-o001_20251216t202003_image3_00001_asn.json' ('o001')"),
    ("asn-version-vs-name", IMAGE3, text('"version_id": "20251216t202003"', '"version_id": "20251217t202003"', line=1),
     "version_id: '20251217t202003' disagrees with the file name "
     "'jw09505-o001_20251216t202003_image3_00001_asn.json' ('20251216t202003')"),
    ("asn-type", IMAGE3, text('"asn_type": "image3"', '"asn_type": "image9"', line=1), "unknown asn_type 'image9'"),
    ("asn-exptype", IMAGE3, text('"exptype": "science"', '"exptype": "sciense"', line=34),
     "member 'jw09505001003_02101_00001_mirimage_cal.fits': unknown exptype 'sciense'"),
    ("asn-level3-member-level", IMAGE3,
     text("jw09505001003_02101_00001_mirimage_cal.fits", "jw09505001003_02101_00001_mirimage_rate.fits", line=34),
     "expname: 'jw09505001003_02101_00001_mirimage_rate.fits' is a level-2a product; a image3 association's "
     "science members are level 2b"),
    ("asn-level2-member-level", IMAGE2,
     text("jw09505001003_02101_00001_mirimage_rate.fits", "jw09505001003_02101_00001_mirimage_uncal.fits", line=16),
     "expname: 'jw09505001003_02101_00001_mirimage_uncal.fits' is a level-1b product; a image2 association's "
     "science members are level 2a"),
    ("asn-type-list", IMAGE2, text('"asn_type": "image2"', '"asn_type": ["image2"]', line=1),
     "asn_type: a JSON list is not text"),
    ("asn-member-expname-list", IMAGE2,
     text('"jw09505001003_02101_00001_mirimage_rate.fits"', '["jw09505001003_02101_00001_mirimage_rate.fits"]',
          line=16), "member expname: a JSON list is not a file name"),
    ("asn-lone-surrogate", IMAGE2, text('"image2"', '"image2\\udc00"', line=2),
     "bad JSON: \\udc00 is half of a surrogate pair, not a character"),
    # pools (asn_generate's input)
    ("pool-exp_type", POOL, cell("|", "EXP_TYPE", "MIR_IMAGES"),
     "EXP_TYPE: 'MIR_IMAGES' is not a JWST exposure type (stdatamodels keyword_exptype)"),
    ("pool-program", POOL, cell("|", "PROGRAM", "9506"),
     "PROGRAM: '9506' disagrees with FILENAME 'jw09505001003_02101_00001_mirimage_uncal.fits' (program 09505)"),
    ("pool-obs_num", POOL, cell("|", "OBS_NUM", "2"),
     "OBS_NUM: '2' disagrees with FILENAME 'jw09505001003_02101_00001_mirimage_uncal.fits' (observation 001)"),
    ("pool-msametfl", POOL, cell("|", "MSAMETFL", "jw09505001003_1_msa.fits"),
     "MSAMETFL: file name 'jw09505001003_1_msa.fits' breaks the MSA naming rule jw<ppppp><ooo><vvv>_<NN>_msa.fits"),
    ("pool-instrument", POOL, cell("|", "INSTRUME", "MIRIX"),
     "INSTRUME: 'MIRIX' is not one of FGS, MIRI, NIRCAM, NIRISS, NIRSPEC"),
    ("pool-visit", POOL, cell("|", "VISIT", "7"),
     "VISIT: '7' disagrees with FILENAME 'jw09505001003_02101_00001_mirimage_uncal.fits' (visit 003)"),
    ("pool-visit-id", POOL, cell("|", "VISIT_ID", "09506001001"),
     "VISIT_ID: '09506001001' disagrees with FILENAME 'jw09505001003_02101_00001_mirimage_uncal.fits' (visit_id 09505001003)"),
    # FITS headers (jwst 3.0.0 test data)
    ("fits-crds-name", CAL, header(R_DARK="crds://jwst_nirspec_dark.fits"),
     "R_DARK: 'crds://jwst_nirspec_dark.fits' is not a CRDS reference name "
     "(crds://jwst_<instrument>_<reftype>_<NNNN>.<ext>)"),
    ("fits-crds-instrument", CAL, header(R_DARK="crds://jwst_miri_dark_0136.fits"),
     "R_DARK: 'crds://jwst_miri_dark_0136.fits' is a miri reference file in a NIRSPEC header"),
    ("fits-crds-context", CAL, header(CRDS_CTX="jwst_641.pmap"),
     "CRDS_CTX: 'jwst_641.pmap' is not a CRDS context name (jwst_<NNNN>.pmap)"),
    ("fits-expstart", CAL, header(EXPSTART=40000.0),
     "EXPSTART: MJD 40000.0 is outside the mission's life (56293 to 69807, 2013-01-01 to 2050-01-01)"),
    ("fits-expend-before-start", CAL, header(EXPEND=59243.0),
     "EXPSTART: 59243.01485424768 is after EXPEND 59243.0"),
    ("fits-effexptm", CAL, header(EFFEXPTM=-186.96), "EFFEXPTM: -186.96 is negative"),
    ("fits-instrument", CAL, header(INSTRUME="NIRSPECX"),
     "INSTRUME: 'NIRSPECX' is not a JWST instrument (FGS, MIRI, NIRCAM, NIRISS, NIRSPEC)"),
    ("fits-exp_type", CAL, header(EXP_TYPE="NRS_FIXEDSLITS"),
     "EXP_TYPE: 'NRS_FIXEDSLITS' is not a JWST exposure type (stdatamodels keyword_exptype)"),
    ("fits-asnpool", CAL, header(ASNPOOL="jw00636 pool"), "ASNPOOL: 'jw00636 pool' is not a pool file name"),
    ("fits-msametfl", CAL, header(MSAMETFL="jw00636019001_01_msa.txt"),
     "MSAMETFL: 'jw00636019001_01_msa.txt' is not an MSA metadata file name (jw<ppppp><ooo><vvv>_<NN>_msa.fits)"),
    ("fits-program-vs-name", UNCAL, header(PROGRAM="01076"),
     "PROGRAM: '01076' disagrees with the file name 'jw01075001001_03105_00009_nrca2_uncal.fits' (program 01075)"),
    ("fits-observation-vs-name", UNCAL, header(OBSERVTN="002"),
     "OBSERVTN: '002' disagrees with the file name 'jw01075001001_03105_00009_nrca2_uncal.fits' (observation 001)"),
    ("fits-expend-text", CAL, header(EXPEND="soon"), "EXPEND 'soon' is not a number"),
    # EDB (a MAST EDB response, CRLF)
    ("edb-mjd", EDB, cell(",", "MJD", "49612.9340111690"),
     "MJD: MJD 49612.934011169 is outside the mission's life (56293 to 69807, 2013-01-01 to 2050-01-01)"),
    ("edb-mjd-text", EDB, cell(",", "MJD", "noon"), "MJD 'noon' is not a number"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_damaged_real_file_is_refused_with_one_line(tmp_path, case):
    _, source, damage, reason = case
    target = tmp_path / source.name
    where = damage(source, target)
    result = parse_file(target)
    origin = f"{target}[{where}]" if isinstance(where, str) else f"{target}:{where}"
    assert result.error == f"{origin}: {reason}"
    assert parse_file(source).error is None  # the real file itself loads


def test_the_damaged_copies_cover_every_format_and_at_least_sixty_cases():
    assert len(CASES) >= 60 and len({c[0] for c in CASES}) == len(CASES)
    assert {registry.detect(c[1]).kind for c in CASES} == {
        "listing", "observations", "association", "pool", "fits", "edb"}


def test_edb_file_name_range_must_not_end_before_it_starts(tmp_path):
    target = tmp_path / "SA_ZATTEST2-20220202T222459-20220202T222458.csv"
    shutil.copyfile(EDB, target)
    assert parse_file(target).error == (f"{target}: EDB file name: the range starts at 20220202T222459, "
                                        "after its end 20220202T222458")


def test_skip_bad_reports_the_damaged_row_and_keeps_the_others(tmp_path):
    target = tmp_path / API_CSV.name
    cell(",", "calib_level", "7")(API_CSV, target)
    result = parse_file(target, skip_bad=True)
    assert result.error is None
    assert [str(r) for r in result.rejects] == [f"{target}:3: calib_level: 7 is not a calibration level (0 to 4)"]
    assert 0 < result.records < parse_file(API_CSV).records


# --------------------------------------------------------------------------- what MAST serves is tolerated

def _records(path: Path) -> int:
    result = parse_file(path)
    assert result.error is None and result.rejects == []
    return result.records


def test_bom_crlf_masked_na_extra_columns_and_repeated_rows_still_load(tmp_path):
    lines = API_CSV.read_text().splitlines()
    head, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    for masked, column in (("--", "exp_type"), ("", "size"), ("N/A", "productType"), ("null", "type"),
                           ("NaN", "calib_level")):
        rows[0][head.index(column)] = masked
    head.append("filters")
    rows = [r + ["F1130W"] for r in rows]
    text = "\ufeff" + "\r\n".join(",".join(r) for r in [head, *rows, rows[1]]) + "\r\n"
    target = tmp_path / "served.csv"
    target.write_text(text, encoding="utf-8", newline="")
    assert _records(target) == _records(API_CSV)


@pytest.mark.parametrize("source", [IMAGE2, POOL, REAL / "edb" / "edb_mnemonic_dictionary.json", API_JSON],
                         ids=lambda p: p.name)
def test_a_bom_is_allowed_in_every_json_and_pool_file(tmp_path, source):
    """docs/formats.md: every text format is UTF-8, a BOM allowed."""
    target = tmp_path / source.name
    target.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert _records(target) == _records(source)


@pytest.mark.parametrize("value, kind", [('["image2"]', "list"), ('{"a": 1}', "object"), ("2", "number")])
def test_an_asn_type_that_is_not_text_refuses_the_whole_file_also_with_skip_bad(tmp_path, value, kind):
    """Every rule of an association reads its asn_type: a file whose asn_type is not text cannot be
    read in part (a bad header field that is text, such as an unknown type, is a row's reject)."""
    target = tmp_path / IMAGE2.name
    text('"asn_type": "image2"', f'"asn_type": {value}', line=1)(IMAGE2, target)
    for skip_bad in (False, True):
        assert parse_file(target, skip_bad=skip_bad).error == f"{target}:1: asn_type: a JSON {kind} is not text"


def test_paired_surrogate_escapes_are_one_character(tmp_path):
    """A high and a low surrogate escape make one character (here U+1F600): not refused."""
    target = tmp_path / API_JSON.name
    text('1D extracted spectrum"', '1D extracted spectrum \\ud83d\\ude00 \\\\ud800"')(API_JSON, target)
    result = parse_file(target)
    assert result.error is None and result.records == parse_file(API_JSON).records


def test_lower_case_enumerations_are_tolerated(tmp_path):
    target = tmp_path / API_CSV.name
    cells(",", [(0, "productType", "science"), (1, "dataproduct_type", "CUBE"), (1, "type", "d")])(API_CSV, target)
    assert _records(target) == _records(API_CSV)


def test_a_user_reference_file_override_is_tolerated(tmp_path):
    target = tmp_path / CAL.name
    header(R_DARK="my_dark.fits", R_FLAT="N/A")(CAL, target)
    assert _records(target) == _records(CAL)


# --------------------------------------------------------------------------- the checks themselves

def test_a_parent_forest_accepts_an_exposure_under_several_level3_parents():
    forest = domains.ParentForest()
    for child, parent in (("e1", "c1"), ("e1", "c2"), ("e2", "c1"), ("e1", "c1")):
        forest.add(child, parent)
    with pytest.raises(BadValue, match=r"parent_obsid: e2 makes a cycle of parents \(c1 -> e2 -> c1\)"):
        forest.add("c1", "e2")


@pytest.mark.parametrize("check, value", [
    (domains.right_ascension, 360.5), (domains.right_ascension, -0.1), (domains.declination, 90.01),
    (domains.declination, -91.0)])
def test_sky_coordinates_outside_the_sphere_are_refused(check, value):
    with pytest.raises(BadValue, match=r"^s_\w+: "):
        check(value, "s_ra" if check is domains.right_ascension else "s_dec")


def test_observation_rows_with_sky_and_time_columns(tmp_path):
    head = "obsid,obs_id,intentType,instrument_name,s_ra,s_dec,t_min,t_max,t_exptime,calib_level,proposal_id"
    good = "71672220,jw01410001001_02101_00001_guider1,science,FGS/FGS1,83.8,-5.39,59623.95,59623.96,161.0,1,1410"
    bad = {
        "s_dec": ("-95.0", "s_dec: -95.0 is not a declination (-90 to 90 degrees)"),
        "s_ra": ("400", "s_ra: 400.0 is not a right ascension (0 to 360 degrees)"),
        "t_max": ("59623.90", "t_min: 59623.95 is after t_max 59623.9"),
        "intentType": ("sightseeing", "intentType: 'sightseeing' is not one of calibration, science"),
        "instrument_name": ("WFC3/IR", "instrument_name: 'WFC3/IR' is not a JWST instrument "
                                       "(FGS, MIRI, NIRCAM, NIRISS, NIRSPEC, with an optional /<mode>)"),
    }
    columns = head.split(",")
    for column, (value, reason) in bad.items():
        cells_ = good.split(",")
        cells_[columns.index(column)] = value
        target = tmp_path / f"{column}.csv"
        target.write_text("\n".join([head, good, ",".join(cells_)]) + "\n")
        assert parse_file(target).error == f"{target}:3: {reason}"
    target = tmp_path / "good.csv"
    target.write_text(head + "\n" + good + "\n")
    assert _records(target) == 3


def test_the_synthetic_sample_passes_every_check(tmp_path):
    from mastgraph.sample.generator import generate

    out = tmp_path / "demo"
    generate(out, "demo")
    files = registry.expand([out])
    failed = [r.error for r in map(parse_file, files) if r.error or r.rejects]
    assert len(files) > 100 and failed == []
