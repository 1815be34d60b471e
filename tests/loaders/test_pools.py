"""Association pools: the real pools load row by row; broken pools fail as the protocol says."""

from __future__ import annotations

from pathlib import Path

import pytest

from mastgraph.model.vocabulary import Label
from mastgraph.loaders.pools import PoolLoader
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.model.records import Node

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real" / "pools"
REAL_FILES = sorted(REAL.glob("*.csv"))
P = "mast:JWST/product/"
HEADER = "FILENAME|OBS_ID|PROGRAM|EXP_TYPE|MSAMETFL"


def load(path: Path) -> list:
    return list(PoolLoader().records(path))


def exposures(records) -> list[Node]:
    return [r for r in records if isinstance(r, Node) and Label.POOL_FILE not in r.labels]


def write(tmp_path: Path, *lines: str, name: str = "jw01234_20240101t000000_pool.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def real_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    lines = path.read_text().splitlines()
    header = lines[0].split("|")
    return [(n, dict(zip(header, line.split("|")))) for n, line in enumerate(lines[1:], start=2)]


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_pool_is_detected(path):
    assert PoolLoader.detect(path, path.read_bytes()[:65536])


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_pool_yields_its_file_and_one_exposure_per_row(path):
    records = load(path)
    assert not [r for r in records if isinstance(r, Reject)]
    pool_file = records[0]
    assert pool_file.labels == (Label.POOL_FILE,) and pool_file.key == P + path.name
    assert pool_file.props["filename"] == path.name and pool_file.props["suffix"] == "pool"
    rows = real_rows(path)
    got = exposures(records)
    assert len(records) == 1 + len(rows) == 1 + len(got)
    for node, (line, row) in zip(got, rows):
        assert node.key == P + row["FILENAME"]
        assert node.props["filename"] == row["FILENAME"]
        assert node.props["exp_type"] == row["EXP_TYPE"]
        assert node.props["level"] == "1b" and node.labels == (Label.L1B,)
        assert "msametfl" not in node.props  # NULL in every real row
        assert node.origin == f"{path}:{line}"


def test_named_pool_file_props_come_from_the_name():
    path = REAL / "jw09505_20251216t202003_pool.csv"
    assert load(path)[0].props == {"program": "09505", "version_id": "20251216t202003", "suffix": "pool",
                                   "extension": "csv", "stem": "jw09505_20251216t202003_pool",
                                   "filename": "jw09505_20251216t202003_pool.csv"}


def test_exact_exposure_of_the_flight_pool():
    path = REAL / "jw09505_20251216t202003_pool.csv"
    node = exposures(load(path))[1]
    assert node.key == P + "jw09505001001_02102_00001_mirimage_uncal.fits"
    assert node.props == {
        "program": "09505", "observation": "001", "visit": "001", "visit_id": "09505001001", "visit_group": "02",
        "parallel": "1", "activity": "02", "exposure": "00001", "detector": "mirimage", "suffix": "uncal",
        "extension": "fits", "level": "1b", "stem": "jw09505001001_02102_00001_mirimage",
        "exposure_key": "jw09505001001_02102_00001_mirimage",
        "filename": "jw09505001001_02102_00001_mirimage_uncal.fits", "exp_type": "MIR_WFSS",
    }


def test_comment_lines_and_msametfl(tmp_path):
    path = write(tmp_path, "# made by hand", "#", HEADER,
                 "jw01234001001_01101_00001_nrs1_uncal.fits|V01234001001P0000000001101|1234|NRS_MSASPEC|jw01234001001_01_msa.fits")
    records = load(path)
    assert records[0].origin == f"{path}:3"
    (node,) = exposures(records)
    assert node.props["msametfl"] == "jw01234001001_01_msa.fits"
    assert node.props["exp_type"] == "NRS_MSASPEC"
    assert node.origin == f"{path}:4"


def test_identical_duplicate_rows_are_read_once(tmp_path):
    row = "jw01234001001_01101_00001_nrca1_uncal.fits|V|1234|NRC_IMAGE|NULL"
    records = load(write(tmp_path, HEADER, row, row))
    assert len(exposures(records)) == 1
    assert not [r for r in records if isinstance(r, Reject)]


# ---- broken files: one test per case ----

def test_disagreeing_duplicate_row_is_a_reject(tmp_path):
    path = write(tmp_path, HEADER, "jw01234001001_01101_00001_nrca1_uncal.fits|V|1234|NRC_IMAGE|NULL",
                 "jw01234001001_01101_00001_nrca1_uncal.fits|V|1234|NRC_DARK|NULL")
    (reject,) = [r for r in load(path) if isinstance(r, Reject)]
    assert reject.origin == f"{path}:3" and "line 2" in reject.reason


def test_a_duplicate_row_must_agree_in_every_column_read_or_checked(tmp_path):
    """INSTRUME is checked, not a property: a repeat naming another instrument is refused; a column
    mastgraph neither reads nor checks (TARGNAME) may differ."""
    head = "FILENAME|OBS_ID|PROGRAM|EXP_TYPE|INSTRUME|TARGNAME"
    name = "jw01234001001_01101_00001_nrca1_uncal.fits"
    path = write(tmp_path, head, f"{name}|V|1234|NRC_IMAGE|NIRCAM|A", f"{name}|V|1234|NRC_IMAGE|MIRI|A")
    (reject,) = [r for r in load(path) if isinstance(r, Reject)]
    assert (reject.origin, reject.reason) == (f"{path}:3", f"FILENAME {name!r} repeats line 2 with other values")
    path = write(tmp_path, head, f"{name}|V|1234|NRC_IMAGE|NIRCAM|A", f"{name}|V|1234|NRC_IMAGE|NIRCAM|B")
    records = load(path)
    assert len(exposures(records)) == 1 and not [r for r in records if isinstance(r, Reject)]


def test_missing_filename_column_is_a_load_error(tmp_path):
    path = write(tmp_path, "OBS_ID|EXP_TYPE", "V|NRC_IMAGE")
    with pytest.raises(LoadError, match="FILENAME"):
        load(path)


def test_missing_exp_type_column_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match="EXP_TYPE"):
        load(write(tmp_path, "FILENAME|OBS_ID", "jw01234001001_01101_00001_nrca1_uncal.fits|V"))


def test_empty_file_is_a_load_error(tmp_path):
    with pytest.raises(LoadError):
        load(write(tmp_path, "# only a comment"))


def test_binary_file_is_a_load_error(tmp_path):
    path = tmp_path / "jw01234_20240101t000000_pool.csv"
    path.write_bytes(b"FILENAME|EXP_TYPE\n\xff\xfe\x00bad\n")
    with pytest.raises(LoadError):
        load(path)


def test_bad_file_name_is_a_reject(tmp_path):
    path = write(tmp_path, HEADER, "not_a_jwst_file.fits|V|1234|NRC_IMAGE|NULL",
                 "jw01234001001_01101_00001_nrca1_uncal.fits|V|1234|NRC_IMAGE|NULL")
    records = load(path)
    (reject,) = [r for r in records if isinstance(r, Reject)]
    assert reject.origin == f"{path}:2" and "not_a_jwst_file.fits" in reject.reason
    assert len(exposures(records)) == 1  # the file goes on


def test_bad_exp_type_is_a_reject(tmp_path):
    (reject,) = load(write(tmp_path, HEADER, "jw01234001001_01101_00001_nrca1_uncal.fits|V|1234|IMAGE|NULL"))[1:]
    assert isinstance(reject, Reject) and "EXP_TYPE" in reject.reason and "IMAGE" in reject.reason


def test_null_exp_type_is_a_reject(tmp_path):
    (reject,) = load(write(tmp_path, HEADER, "jw01234001001_01101_00001_nrca1_uncal.fits|V|1234|NULL|NULL"))[1:]
    assert isinstance(reject, Reject) and "EXP_TYPE" in reject.reason


def test_wrong_field_count_is_a_reject(tmp_path):
    (reject,) = load(write(tmp_path, HEADER, "jw01234001001_01101_00001_nrca1_uncal.fits|V|NRC_IMAGE"))[1:]
    assert isinstance(reject, Reject) and "fields" in reject.reason


def test_detect_refuses_other_csv(tmp_path):
    path = write(tmp_path, "obsID,obs_collection,productFilename", "1,JWST,x.fits", name="listing.csv")
    assert not PoolLoader.detect(path, path.read_bytes())


@pytest.mark.parametrize("program, error", [
    ("1" * 5000, "PROGRAM: '" + "1" * 63 + "... (5002 characters) "
                 "disagrees with FILENAME 'jw01234001001_01101_00001_nrca1_uncal.fits' (program 01234)"),
    ("0" * 4999 + "1234", None), ("01234", None), ("1234", None),
])
def test_a_program_of_thousands_of_digits_is_a_reject_not_a_failure(tmp_path, program, error):
    """`int` refuses more than 4300 digits (ValueError): the row's Reject, compared as digits."""
    path = write(tmp_path, HEADER, f"jw01234001001_01101_00001_nrca1_uncal.fits|V|{program}|NRC_IMAGE|NULL")
    rejects = [r.reason for r in load(path) if isinstance(r, Reject)]
    assert rejects == ([] if error is None else [error])


@pytest.mark.parametrize("header", [f"{HEADER}|EXP_TYPE", f"{HEADER}|exp_type"])
def test_a_column_named_twice_refuses_the_file_at_its_header(tmp_path: Path, header: str) -> None:
    """Which of two EXP_TYPE columns a row's exposure type is would be the reader's choice (the last
    one, before): refused, as a CSV listing's repeated column is (names compared in upper case)."""
    path = write(tmp_path, header, "jw01234001001_01101_00001_nrca1_uncal.fits|V|1234|NRC_IMAGE|NULL|NRC_DARK")
    with pytest.raises(LoadError) as caught:
        load(path)
    assert str(caught.value) == f"{path}:1: duplicate column 'EXP_TYPE' in header"


@pytest.mark.parametrize("cell", ["", "NULL", "None", "N/A"])
def test_an_exposure_type_not_given_says_so(tmp_path: Path, cell: str) -> None:
    """Not "EXP_TYPE None is not an exposure type": the cell gives none."""
    path = write(tmp_path, HEADER, f"jw01234001001_01101_00001_nrca1_uncal.fits|V|1234|{cell}|NULL")
    assert [str(r) for r in load(path) if isinstance(r, Reject)] == [
        f"{path}:2: EXP_TYPE is empty or not known (a pool row needs its exposure type)"]
