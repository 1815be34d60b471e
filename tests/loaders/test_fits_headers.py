"""FITS headers: the real headers give their product, reference files, CRDS context and
association; broken files fail as the loader protocol says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders.fits_headers import FitsHeaderLoader, reference_file
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.model.records import Edge, Node

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real" / "headers"
REAL_FILES = sorted(REAL.glob("*.fits"))
P = "mast:JWST/product/"


def load(path: Path) -> list:
    return list(FitsHeaderLoader().records(path))


def of(records, kind, label_or_rel=None):
    return [r for r in records if isinstance(r, kind)
            and (label_or_rel is None or getattr(r, "label", getattr(r, "type", None)) == label_or_rel)]


def write(tmp_path: Path, cards: dict, name: str = "x.fits", hdrtab: fits.BinTableHDU | None = None) -> Path:
    primary = fits.PrimaryHDU()
    for key, value in cards.items():
        primary.header[key] = value
    hdus = [primary, fits.ImageHDU(np.zeros((2, 2), dtype="f4"), name="SCI")]
    if hdrtab is not None:
        hdus.append(hdrtab)
    path = tmp_path / name
    fits.HDUList(hdus).writeto(path)
    return path


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_file_is_detected(path):
    assert FitsHeaderLoader.detect(path, path.read_bytes()[:65536])


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_file_gives_the_product_its_filename_keyword_names(path):
    records = load(path)
    assert of(records, Reject) == []
    product = records[0]
    filename = fits.getheader(path)["FILENAME"]
    assert product.label == Label.PRODUCT and product.key == P + filename
    assert product.props["filename"] == filename
    assert product.origin == f"{path}[PRIMARY]"
    assert product.props["instrument"] == fits.getheader(path)["INSTRUME"].lower()


def test_test1_cal_reference_files_exactly():
    path = REAL / "test1_cal.fits"
    header = fits.getheader(path)
    r_keywords = [k for k in header if k.startswith("R_")]
    assert len(r_keywords) == 29
    used = [k for k in r_keywords if header[k] != "N/A"]
    records = load(path)
    refs = of(records, Node, Label.REFERENCE_FILE)
    edges = of(records, Edge, Rel.USED_REFERENCE)
    assert len(refs) == len(edges) == len(used) == 21
    assert {n.key for n in refs} == {header[k].removeprefix("crds://") for k in used}
    product = (Label.PRODUCT, P + "test1_cal.fits")
    assert Edge(Rel.USED_REFERENCE, product, (Label.REFERENCE_FILE, "jwst_nirspec_pathloss_0001.fits"),
                {"reftype": "pathloss"}, f"{path}[PRIMARY]") in records
    assert Node(Label.REFERENCE_FILE, "jwst_nirspec_wavelengthrange_0004.asdf",
                {"instrument": "nirspec", "reftype": "wavelengthrange"}, (), f"{path}[PRIMARY]") in records
    assert all(n.props["instrument"] == "nirspec" for n in refs)


def test_test1_cal_context_association_and_props():
    path = REAL / "test1_cal.fits"
    records = load(path)
    product = (Label.PRODUCT, P + "test1_cal.fits")
    assert of(records, Node, Label.CRDS_CONTEXT) == [Node(Label.CRDS_CONTEXT, "jwst_0641.pmap", {}, (), f"{path}[PRIMARY]")]
    assert of(records, Edge, Rel.CALIBRATED_UNDER) == [
        Edge(Rel.CALIBRATED_UNDER, product, (Label.CRDS_CONTEXT, "jwst_0641.pmap"), {}, f"{path}[PRIMARY]")]
    asn = "jw00636-o019_20210129t021306_spec2_001"
    assert [n.key for n in of(records, Node, Label.ASSOCIATION)] == [asn]
    assert [(e.start, e.end) for e in of(records, Edge, Rel.PRODUCED_BY)] == [(product, (Label.ASSOCIATION, asn))]
    assert records[0].props == {
        "filename": "test1_cal.fits", "suffix": "cal", "extension": "fits", "cal_ver": "0.17.1", "crds_ver": "7.6.0",
        "asnpool": "jw00636_20210129t021306_pool", "asntable": "jw00636-o019_20210129t021306_spec2_001_asn.json",
        "exp_type": "NRS_FIXEDSLIT", "t_min": 59243.01485424768, "t_max": 59243.01707223379, "effexptm": 186.96,
        "instrument": "nirspec",
    }
    assert len(records) == 1 + 2 * 21 + 2 + 2


def test_uncal_exposure_props_exactly():
    path = REAL / "jw01075001001_03105_00009_nrca2_uncal.fits"
    (product,) = load(path)
    assert product.labels == (Label.L1B,)
    assert product.props["exposure_key"] == "jw01075001001_03105_00009_nrca2"
    assert product.props["t_min"] == 59713.76077019132 and product.props["t_max"] == 59713.7621371412
    assert isinstance(product.props["effexptm"], float) and product.props["exp_type"] == "NRC_CORON"
    assert "cal_ver" not in product.props and "hdrtab_inputs" not in product.props


def test_guide_star_file_named_by_its_filename_keyword():
    (product,) = load(REAL / "add_wcs_default_acq1.fits")
    assert product.key == P + "jw01019001001_gs-acq1_2022117003102_uncal.fits"
    assert product.labels == (Label.GUIDE_STAR, Label.L1B)
    assert product.props["instrument"] == "fgs" and product.props["gs_kind"] == "acq1"


def test_level3_hdrtab_inputs(tmp_path):
    table = fits.BinTableHDU.from_columns(
        [fits.Column(name="FILENAME", format="60A", array=np.array(
            ["jw01234001001_02101_00001_nrca1_cal.fits", "jw01234001001_02101_00002_nrca1_cal.fits"]))],
        name="HDRTAB")
    path = write(tmp_path, {"FILENAME": "jw01234-o001_t001_nircam_clear-f200w_i2d.fits", "INSTRUME": "NIRCAM",
                            "ASNTABLE": "jw01234-o001_20240101t000000_image3_00001_asn.json"}, hdrtab=table)
    records = load(path)
    product = records[0]
    assert product.labels == (Label.L3,)
    assert product.props["hdrtab_inputs"] == ["jw01234001001_02101_00001_nrca1_cal.fits",
                                              "jw01234001001_02101_00002_nrca1_cal.fits"]
    assert [e.end for e in of(records, Edge, Rel.PRODUCED_BY)] == [
        (Label.ASSOCIATION, "jw01234-o001_20240101t000000_image3_00001")]


def test_no_filename_keyword_uses_the_file_name(tmp_path):
    path = write(tmp_path, {"INSTRUME": "MIRI"}, name="jw01234001001_02101_00001_mirimage_rate.fits")
    (product,) = load(path)
    assert product.key == P + "jw01234001001_02101_00001_mirimage_rate.fits"
    assert product.labels == (Label.L2A,)


def test_user_reference_file_takes_the_keyword_reftype(tmp_path):
    path = write(tmp_path, {"FILENAME": "jw01234001001_02101_00001_mirimage_cal.fits", "INSTRUME": "MIRI",
                            "R_FLAT": "/home/me/my_flat.fits", "R_PTHLOS": "mypathloss.fits",
                            "R_DARK": "N/A"})
    refs = {n.key: n.props for n in of(load(path), Node, Label.REFERENCE_FILE)}
    assert refs == {"my_flat.fits": {"instrument": "miri", "reftype": "flat"},
                    "mypathloss.fits": {"instrument": "miri", "reftype": "pathloss"}}


def test_reference_file_name_parse():
    assert reference_file("R_MSAOPE", "crds://jwst_nirspec_msaoper_0001.json", None) == (
        "jwst_nirspec_msaoper_0001.json", {"instrument": "nirspec", "reftype": "msaoper"})


# ---- broken files: one test per case ----

def test_not_fits_is_a_load_error(tmp_path):
    path = tmp_path / "x.fits"
    path.write_text("this is not FITS\n" * 200)
    with pytest.raises(LoadError) as err:
        load(path)
    assert "\n" not in str(err.value)


def test_empty_file_is_a_load_error(tmp_path):
    path = tmp_path / "empty.fits"
    path.write_bytes(b"")
    with pytest.raises(LoadError):
        load(path)


def test_non_numeric_expstart_is_a_reject(tmp_path):
    path = write(tmp_path, {"FILENAME": "jw01234001001_02101_00001_nrca1_uncal.fits", "EXPSTART": "yesterday",
                            "EXPEND": 60000.5})
    records = load(path)
    (reject,) = of(records, Reject)
    assert "EXPSTART" in reject.reason and "yesterday" in reject.reason and reject.origin == f"{path}[PRIMARY]"
    assert "t_min" not in records[1].props and records[1].props["t_max"] == 60000.5


def test_hdrtab_without_filename_column_is_a_reject(tmp_path):
    table = fits.BinTableHDU.from_columns([fits.Column(name="OTHER", format="J", array=np.array([1]))], name="HDRTAB")
    path = write(tmp_path, {"FILENAME": "jw01234-o001_t001_nircam_clear-f200w_i2d.fits"}, hdrtab=table)
    records = load(path)
    (reject,) = of(records, Reject)
    assert reject.origin == f"{path}[HDRTAB]" and "FILENAME" in reject.reason
    assert "hdrtab_inputs" not in of(records, Node)[0].props


CARD = 80


def _damaged(tmp_path: Path, name: str, change) -> Path:
    """A copy of the real Level-2 header file, changed by `change(bytearray)`."""
    data = bytearray((REAL / "test1_cal.fits").read_bytes())
    change(data)
    target = tmp_path / name
    target.write_bytes(bytes(data))
    return target


def _card(number: int, image: bytes):
    def change(data: bytearray) -> None:
        data[number * CARD:(number + 1) * CARD] = image.ljust(CARD)
    return change


def _cut_extension_header(data: bytearray) -> None:
    del data[data.find(b"XTENSION") + 400:]


def _content(records: list) -> list:
    return [(type(r).__name__, getattr(r, "key", None), getattr(r, "end", None), r.props) for r in records]


def _cut_data(data: bytearray) -> None:
    del data[len(data) // 2:]


def _extension_card(number: int, image: bytes):
    def change(data: bytearray) -> None:
        at = data.find(b"XTENSION") + number * CARD
        data[at:at + CARD] = image.ljust(CARD)
    return change


def _primary_end_blanked(data: bytearray) -> None:
    at = next(at for at in range(0, len(data), CARD) if data[at:at + CARD] == b"END".ljust(CARD))
    data[at:at + CARD] = b" " * CARD


@pytest.mark.parametrize("name, change, error", [
    ("bad_value", _card(20, b"EXPSTART= 5a9243.0x / damaged"),
     "{path}[PRIMARY]: EXPSTART: the card's value cannot be parsed as FITS"),
    ("cut_extension", _cut_extension_header,
     "{path}[HDU 1]: header: cannot be read (Header size is not multiple of 2880: 400)"),
    ("non_standard_card", _card(21, b"\x01\x02 not a card"), None),
    ("long_keyword", _card(22, b"LONGKEYWORDX= 'x'"), None),
    ("cut_data", _cut_data, None),
    ("primary_naxis1_missing", _card(2, b"NAXIS   =                    1"),
     "{path}: not a readable FITS file (a header lacks the keyword NAXIS1 its data's size needs)"),
    ("extension_naxis1_missing", _extension_card(3, b"COMMENT NAXIS1 gone"),
     "{path}: not a readable FITS file (a header lacks the keyword NAXIS1 its data's size needs)"),
    # astropy reads these on (the next HDU's cards taken as the primary's), or takes them as they are
    ("primary_end_blanked", _primary_end_blanked,
     "{path}: not a readable FITS file (the primary header has no END card: it runs into the next HDU's header)"),
    ("simple_false", _card(0, b"SIMPLE  =                    F"),
     "{path}: not a readable FITS file (SIMPLE is False, not T: the file does not follow the FITS standard)"),
    ("bitpix_7", _card(1, b"BITPIX  =                    7"),
     "{path}: not a readable FITS file (BITPIX 7 is none of the standard's (8, 16, 32, 64, -32, -64))"),
])
def test_astropy_warnings_on_damaged_files_become_one_line_or_nothing(tmp_path, capfd, name, change, error):
    """astropy's own warnings (VerifyWarning, truncation) never reach the console: a header it
    cannot read is the one-line error, the rest changes nothing mastgraph reads."""
    import warnings

    path = _damaged(tmp_path, f"{name}.fits", change)
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        if error is None:
            records = load(path)
            assert of(records, Node, Label.PRODUCT) and not of(records, Reject)
            if name == "cut_data":  # (only the data was cut: the headers give all they gave)
                assert _content(records) == _content(load(REAL / "test1_cal.fits"))
        else:
            try:
                records = load(path)
            except LoadError as exc:
                assert str(exc) == error.format(path=path)
            else:
                assert [str(r) for r in records] == [error.format(path=path)]
    captured = capfd.readouterr()
    assert not escaped, [str(w.message) for w in escaped]
    assert "WARNING" not in captured.err + captured.out and "astropy" not in captured.err + captured.out


@pytest.mark.parametrize("value", [True, False, 5, 708.5])
def test_a_reference_keyword_that_is_not_a_fits_string_is_a_reject(tmp_path, value):
    """An R_* value names a file (docs/formats.md: crds://..., N/A, or a user's file name): a FITS
    logical or number is none (`R_DARK = T` was the ReferenceFile "True")."""
    path = write(tmp_path, {"FILENAME": "jw01234001001_02101_00001_mirimage_cal.fits", "INSTRUME": "MIRI",
                            "R_DARK": value, "R_FLAT": "crds://jwst_miri_flat_0001.fits"})
    records = load(path)
    assert [r.reason for r in of(records, Reject)] == [
        f"R_DARK: {value!r} is not a reference file name (the card's value is not a FITS string)"]
