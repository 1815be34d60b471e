"""The plain FITS read (`loaders/fits_scan.py`: headers found block by block, data skipped by the size
rule, only the cards mastgraph reads given to astropy) gives exactly what astropy's whole-file read
gives: the same records, Rejects and one-line errors, on the real files and on damaged or unusual
variants of them; and it is the read taken for the standard ones."""

from __future__ import annotations

import random
import warnings
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from mastgraph.loaders.fits_headers import FitsHeaderLoader
from mastgraph.pipeline.ingest import parse_file
from mastgraph.loaders.records import LoadError

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "sample" / "data" / "real" / "headers"
FILES = sorted(p for folder in (ROOT / "sample", ROOT / "tests") for p in folder.rglob("*.fits"))
CARD, BLOCK = 80, 2880


class WholeFile(FitsHeaderLoader):
    """The loader as it reads a file that is not plainly standard: astropy's HDUList, every HDU."""

    def read_plain(self, path: Path):
        return None


def outcome(loader: FitsHeaderLoader, path: Path) -> tuple[str, object]:
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        try:
            result = ("records", [repr(record) for record in loader.records(path)])
        except LoadError as exc:
            result = ("error", str(exc))
    # (astropy leaves its file to the garbage collector when its reader fails with a TypeError)
    escaped = [w for w in escaped if not issubclass(w.category, ResourceWarning)]
    assert not escaped, [str(w.message) for w in escaped]
    return result


def assert_same(path: Path, plain: bool | None = None) -> tuple[str, object]:
    """Both reads agree on `path`; with `plain`, whether the plain read took the file is as said."""
    expected = outcome(WholeFile(), path)
    assert outcome(FitsHeaderLoader(), path) == expected
    if plain is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                taken = FitsHeaderLoader().read_plain(path) is not None
            except fits.VerifyError:
                taken = True
        assert taken is plain
    return expected


def test_there_are_fits_files_to_compare():
    assert len(FILES) >= 5 and REAL / "test1_cal.fits" in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_fits_file_in_the_repository_reads_the_same_and_plainly(path):
    kind, records = assert_same(path, plain=True)
    assert kind == "records" and records


def _cards(path: Path) -> list[bytes]:
    """The primary header's cards of a file, END excluded."""
    data = path.read_bytes()
    cards = [data[at:at + CARD] for at in range(0, len(data), CARD)]
    return cards[:cards.index(b"END".ljust(CARD))]


def _write(tmp_path: Path, name: str, hdus: list) -> Path:
    path = tmp_path / name
    fits.HDUList(hdus).writeto(path)
    return path


def _primary(**cards) -> fits.PrimaryHDU:
    primary = fits.PrimaryHDU()
    base = {"FILENAME": "jw01345-o001_t001_nircam_clear-f200w_i2d.fits", "INSTRUME": "NIRCAM",
            "EXP_TYPE": "NRC_IMAGE", "EXPSTART": 59926.6, "EXPEND": 59926.7, "PROGRAM": "01345",
            "CRDS_CTX": "jwst_1046.pmap", "R_FLAT": "crds://jwst_nircam_flat_0313.fits",
            "ASNTABLE": "jw01345-o001_20230109t234445_image3_00001_asn.json"}
    for key, value in {**base, **cards}.items():
        if value is not None:
            primary.header[key] = value
    return primary


def _hdrtab(names=("jw01345001001_02101_00001_nrca1_cal.fits", "N/A", "jw01345001001_02101_00001_nrca2_cal.fits"),
            column="FILENAME", extname="HDRTAB") -> fits.BinTableHDU:
    return fits.BinTableHDU.from_columns(
        [fits.Column(name="EXPSTART", format="D", array=np.arange(len(names), dtype="f8")),
         fits.Column(name=column, format="60A", array=np.array(names)),
         fits.Column(name="FLAGS", format="3X", array=np.zeros((len(names), 3), dtype=bool)),
         fits.Column(name="VALUES", format="PE(4)", array=[np.zeros(2, "f4")] * len(names))], name=extname)


def _image(name: str, shape=(3, 5), dtype="i2") -> fits.ImageHDU:
    return fits.ImageHDU(np.ones(shape, dtype=dtype), name=name)


# Files astropy writes: well-formed, in any HDU order, with long strings, HIERARCH cards, many extensions.
MADE = {
    "level3_hdrtab_last": lambda: [_primary(), _image("SCI"), _image("ERR", dtype="f8"), _hdrtab()],
    "hdrtab_first": lambda: [_primary(), _hdrtab(), _image("SCI", (7, 3, 2), "f4")],
    "many_extensions": lambda: [_primary()] + [_image(f"E{n}", (n + 1, 3), "i4") for n in range(40)] + [_hdrtab()],
    "no_hdrtab": lambda: [_primary(), _image("SCI")],
    "primary_only": lambda: [_primary()],
    "continue_long_strings": lambda: [_primary(CAL_VER="1." + "9" * 150, R_FLAT="crds://" + "x" * 120 + ".fits",
                                               ASNPOOL="jw01345_20230109t234445_pool" + "&" * 70), _image("SCI")],
    "hierarch_card": lambda: [_primary(**{"HIERARCH ESO DET NAME": "x"}), _image("SCI")],
    "hierarch_reference": lambda: [_primary(**{"HIERARCH R_LONGNAMEDREF": "crds://jwst_nircam_flat_0313.fits"})],
    "hdrtab_lower_case_column": lambda: [_primary(), _hdrtab(column="filename")],
    "hdrtab_no_filename_column": lambda: [_primary(), _hdrtab(column="NAME")],
    "hdrtab_is_an_image": lambda: [_primary(), _image("HDRTAB")],
    "primary_named": lambda: [_primary(EXTNAME="MAIN"), _image("SCI")],
    "primary_named_hdrtab": lambda: [_primary(EXTNAME="HDRTAB"), _image("SCI")],
    "two_hdrtabs": lambda: [_primary(), _hdrtab(names=("a_cal.fits",)), _hdrtab()],
    "record_valued_reference": lambda: [_primary(R_DARK="AXIS.1: 3")],
    "undefined_and_unknown_values": lambda: [_primary(EXPEND=None, INSTRUME="N/A", CRDS_CTX="NULL",
                                                      R_DARK=fits.card.UNDEFINED)],
    "duplicate_reference": lambda: [_primary()],
    "float_program": lambda: [_primary(PROGRAM=1345.0, VISIT=1)],
    "bad_instrument_and_times": lambda: [_primary(INSTRUME="HUBBLECAM", EXPSTART=59926.9, EXPEND=59926.1)],
    "primary_with_data": lambda: [fits.PrimaryHDU(np.zeros((4, 4), "f4"), header=_primary().header), _image("SCI")],
}


@pytest.mark.parametrize("name", sorted(MADE))
def test_well_formed_files_of_every_shape_read_the_same(tmp_path, name):
    hdus = MADE[name]()
    if name == "duplicate_reference":
        hdus[0].header.append(("R_FLAT", "crds://jwst_nircam_flat_0999.fits"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = _write(tmp_path, f"{name}.fits", hdus)
    plain = None if name in {"hierarch_reference", "record_valued_reference", "hierarch_card",
                             "primary_named_hdrtab"} else True
    assert_same(path, plain=plain)


def _set_card(index: int, image: bytes):
    def change(data: bytearray) -> None:
        data[index * CARD:(index + 1) * CARD] = image.ljust(CARD)[:CARD]
    return change


def _after_end(data: bytearray) -> None:
    end = bytes(data).find(b"END".ljust(CARD))
    data[end + CARD:end + CARD + 4] = b"junk"


# Damage done to the real Level-2 file (`test1_cal.fits`): each read as astropy reads it.
DAMAGE = {
    "bad_value": (_set_card(20, b"EXPSTART= 5a9243.0x / damaged"), True),
    "bad_reference_value": (_set_card(40, b"R_FLAT  = 'unterminated"), True),
    "non_standard_card": (_set_card(21, b"\x01\x02 not a card"), False),
    "long_keyword": (_set_card(22, b"LONGKEYWORDX= 'x'"), True),
    "lower_case_keyword": (_set_card(23, b"instrume= 'MIRI    '"), False),
    "equals_in_keyword": (_set_card(23, b"INST= 'MIRI'"), False),
    "invalid_end": (_set_card(24, b"END.     x"), False),
    "cut_extension": (lambda data: data.__delitem__(slice(bytes(data).find(b"XTENSION") + 400, None)), False),
    "cut_data": (lambda data: data.__delitem__(slice(len(data) // 2, None)), False),
    "cut_in_primary": (lambda data: data.__delitem__(slice(1000, None)), False),
    "trailing_bytes": (lambda data: data.extend(b"x" * 100), False),
    "trailing_block": (lambda data: data.extend(b" " * BLOCK), False),
    "bytes_after_end": (_after_end, False),
    "naxis_not_integer": (lambda data: data.__setitem__(
        slice(bytes(data).find(b"NAXIS   ="), bytes(data).find(b"NAXIS   =") + CARD),
        b"NAXIS   =                  0.0".ljust(CARD)), False),
    "extension_naxis_not_text_number": (lambda data: data.__setitem__(
        slice(bytes(data).find(b"NAXIS   =", bytes(data).find(b"XTENSION")),
              bytes(data).find(b"NAXIS   =", bytes(data).find(b"XTENSION")) + CARD),
        b"NAXIS   = '2'".ljust(CARD)), False),
    "unknown_extension": (lambda data: data.__setitem__(
        slice(bytes(data).find(b"XTENSION"), bytes(data).find(b"XTENSION") + 20), b"XTENSION= 'FOREIGN '"), False),
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_damaged_files_read_the_same(tmp_path, name):
    change, plain = DAMAGE[name]
    data = bytearray((REAL / "test1_cal.fits").read_bytes())
    change(data)
    path = tmp_path / f"{name}.fits"
    path.write_bytes(bytes(data))
    assert_same(path, plain=plain)


def test_randomly_damaged_files_read_the_same(tmp_path):
    """Bytes flipped and files cut at random places of every real file: the same outcome each time."""
    rng = random.Random(20220712)
    kinds = {"plain": 0, "whole": 0}
    for n in range(120):
        source = rng.choice(FILES)
        data = bytearray(source.read_bytes())
        if rng.random() < 0.3:
            del data[rng.randrange(len(data)):]
        else:
            for _ in range(rng.randint(1, 3)):
                # mostly in the headers, where the reads differ
                at = rng.randrange(min(len(data), BLOCK * 3))
                data[at] = rng.choice([data[at] ^ rng.randint(1, 255), ord(" "), ord("'"), ord("="), ord("&")])
        path = tmp_path / f"{n}_{source.name}"
        path.write_bytes(bytes(data))
        assert_same(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                kinds["plain" if FitsHeaderLoader().read_plain(path) is not None else "whole"] += 1
            except fits.VerifyError:
                kinds["plain"] += 1
    assert kinds["plain"] and kinds["whole"], kinds


class _Counting:
    """A binary file that counts the bytes read from it."""

    def __init__(self, fh, counter: list[int]) -> None:
        self.fh, self.counter = fh, counter

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.counter[0] += len(data)
        return data

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()


def test_the_plain_read_skips_the_data_arrays(tmp_path, monkeypatch):
    """A product with large data arrays before its HDRTAB: the headers and HDRTAB's rows are read,
    the arrays are skipped (the size rule), and the records are astropy's."""
    from mastgraph.loaders import fits_headers

    path = _write(tmp_path, "large.fits", [_primary(), _image("SCI", (1024, 2048), "f4"),
                                          _image("ERR", (1024, 2048), "f4"), _hdrtab()])
    assert path.stat().st_size > 16_000_000
    counter = [0]
    monkeypatch.setattr(fits_headers, "open", lambda p, mode: _Counting(open(p, mode), counter), raising=False)
    records = FitsHeaderLoader().read_plain(path)
    assert records is not None and counter[0] < 8 * BLOCK, counter[0]
    monkeypatch.undo()
    assert [repr(r) for r in records] == outcome(WholeFile(), path)[1]


def test_an_extension_whose_naxis_is_text_is_refused_in_one_line(tmp_path):
    """astropy raises TypeError on such an HDU while looking for HDRTAB: one line naming the file."""
    change, _ = DAMAGE["extension_naxis_not_text_number"]
    data = bytearray((REAL / "test1_cal.fits").read_bytes())
    change(data)
    path = tmp_path / "test1_cal.fits"
    path.write_bytes(bytes(data))
    result = parse_file(path)
    assert result.error is not None and "\n" not in result.error
    assert result.error.startswith(f"{path}: not a readable FITS file"), result.error
