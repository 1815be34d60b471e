"""FITS headers: the product a file is, the reference files and CRDS context that calibrated it,
and the association that produced it.

Only headers are read (``fits.open(path, lazy_load_hdus=True)``), never the data arrays; the one
table read is a Level-3 file's small ``HDRTAB`` (one row per input exposure). The product is named
by the ``FILENAME`` keyword, else by the file's name. Origins are ``path[HDU name]``.

astropy reports damage as warnings (printed on the console by its logger) and parses a card's value
only when it is read: a file is therefore read whole, its warnings caught, before any record is
given. A header astropy cannot read (an HDU's header cut or malformed) fails the file, an unparsable
value of a keyword mastgraph reads refuses the header (`file[PRIMARY]: KEYWORD: reason`), and the
rest (a non-standard card, data cut short after the headers) changes nothing mastgraph reads and is
not shown.

A plainly standard file (`loaders/fits_scan.py`) is read without opening it with astropy: its HDUs'
headers are found block by block and its data skipped by the size rule, the primary header's cards
that mastgraph reads (with their CONTINUE cards) go to astropy's `Header.fromstring`, and HDRTAB's
FILENAME column is sliced from its rows. The cost is then that of the cards read, not of the file's
every card and HDU. Any other file is read by astropy whole, as described above; both ways give the
same records and messages (tests/loaders/test_fits_sameness.py).
"""

from __future__ import annotations

import functools
import os
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from astropy.io import fits

from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders import domains, fits_scan, names
from mastgraph.loaders.associations import association_name
from mastgraph.loaders.records import LoadError, Record, Reject
from mastgraph.model.records import Edge, Node, clean
from mastgraph.model.errors import shown

#: Header keyword -> Product property (text values).
TEXT_KEYWORDS = {"CAL_VER": "cal_ver", "CRDS_VER": "crds_ver", "ASNPOOL": "asnpool", "ASNTABLE": "asntable",
                 "EXP_TYPE": "exp_type", "MSAMETFL": "msametfl"}
#: Header keyword -> Product property (float values: MJD, seconds).
FLOAT_KEYWORDS = {"EXPSTART": "t_min", "EXPEND": "t_max", "EFFEXPTM": "effexptm"}
#: CRDS reference file names: ``jwst_<instrument>_<reftype>_<NNNN>.<ext>``.
CRDS_NAME = re.compile(r"^jwst_(?P<instrument>[a-z0-9]+)_(?P<reftype>[a-z0-9]+(?:_[a-z0-9]+)*?)_\d{4}\.[a-z]+$")
#: The reftype of an ``R_*`` keyword whose value is not a CRDS name (a user-supplied file) and
#: whose reftype is not simply the keyword without ``R_``: the jwst datamodels' ``meta.ref_file``
#: names, with the CRDS name where it differs (msaoper, tsophot, drizpars, resol, straymask).
REFTYPE_BY_KEYWORD = {
    "R_MSAOPE": "msaoper", "R_BARSHA": "barshadow", "R_CHRCOR": "chromcorr", "R_COLLIM": "collimator",
    "R_SIRSKL": "sirskernel", "R_CUBPAR": "cubepar", "R_DISPER": "disperser", "R_DISTOR": "distortion",
    "R_MIREMI": "emicorr", "R_EXTR1D": "extract1d", "R_FILOFF": "filteroffset", "R_FRIFRQ": "fringefreq",
    "R_IFUFOR": "ifufore", "R_IFUPOS": "ifupost", "R_IFUSLI": "ifuslicer", "R_LASTFR": "lastframe",
    "R_LINEAR": "linearity", "R_MRSXAR": "mrsxartcorr", "R_MRSPT": "mrsptcorr", "R_PSTSOS": "pastasoss",
    "R_PTHLOS": "pathloss", "R_PSFMAS": "psfmask", "R_READNO": "readnoise", "R_REGION": "regions",
    "R_RESAMP": "drizpars", "R_RESOL": "resol", "R_SATURA": "saturation", "R_SPKERN": "speckernel",
    "R_SPPROF": "specprofile", "R_SPTRAC": "spectrace", "R_SPCWCS": "specwcs", "R_STRAY": "straymask",
    "R_SUPERB": "superbias", "R_THRPUT": "throughput", "R_TRPDEN": "trapdensity", "R_TRPPAR": "trappars",
    "R_TSPHOT": "tsophot", "R_WAVCOR": "wavecorr", "R_WAVRAN": "wavelengthrange", "R_WAVMAP": "wavemap",
}
_UNKNOWN = frozenset({"", "null", "none", "n/a", "nan"})
#: The primary header's keywords mastgraph reads (besides every ``R_*``): the only cards parsed.
READ_KEYWORDS = frozenset(
    {"FILENAME", "INSTRUME", "CRDS_CTX", "PROGRAM", "OBSERVTN", "VISIT", "EXTNAME", *TEXT_KEYWORDS, *FLOAT_KEYWORDS})
_READ_FIELDS = frozenset(keyword.encode() for keyword in READ_KEYWORDS)


def header_value(header: fits.Header, keyword: str) -> Any:
    """A keyword's value, or None when absent, undefined or saying "unknown" (N/A, NULL, NaN)."""
    value = header.get(keyword)
    if value is None or isinstance(value, fits.card.Undefined):
        return None
    if isinstance(value, str):
        value = value.strip()
        return None if value.lower() in _UNKNOWN else value
    if isinstance(value, float) and value != value:
        return None
    return value


def reference_file(keyword: str, value: str, instrument: str | None) -> tuple[str, dict[str, str | None]]:
    """(name, {instrument, reftype}) of an ``R_*`` keyword's reference file."""
    name = value[len("crds://"):] if value.lower().startswith("crds://") else value
    name = name.rsplit("/", 1)[-1]
    match = CRDS_NAME.match(name.lower())
    if match:
        return name, {"instrument": match["instrument"], "reftype": match["reftype"]}
    reftype = REFTYPE_BY_KEYWORD.get(keyword, keyword[len("R_"):].lower())
    return name, {"instrument": instrument, "reftype": reftype}


def _float(header: fits.Header, keyword: str) -> float | str | None:
    """The keyword as a float; the bad value as text (for the Reject) when it is not a number."""
    value = header_value(header, keyword)
    if value is None:
        return None
    if isinstance(value, bool):
        return repr(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return repr(value)


class FitsHeaderLoader:
    """JWST FITS products, headers only."""

    kind: ClassVar[str] = "fits"
    #: A few records from the headers, however large the file (`pipeline.check_on_disk.on_disk`).
    records_grow_with_size: ClassVar[bool] = False

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        return head.startswith(b"SIMPLE  =")

    def records(self, path: Path) -> Iterator[Record]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                found = self.read_plain(path)
                if found is None:
                    found = list(self._read(path))
            except fits.VerifyError as exc:  # a card read above (`header.get`) that astropy cannot parse
                found = [Reject(f"{path}[PRIMARY]", unparsable(exc))]
        for warning in caught:
            unusable = unusable_header(warning.message)
            if unusable is not None:
                raise LoadError(f"{path}[HDU {unusable[0]}]", unusable[1])
        yield from found

    def _read(self, path: Path) -> Iterator[Record]:
        # (the file opened here: astropy leaves a file it opened itself open when a KeyError or a
        # TypeError stops its reading of the first HDU)
        try:
            fh = open(path, "rb")
        except OSError as exc:
            raise LoadError(str(path), f"not a readable FITS file ({exc})") from None
        try:
            hdul = fits.open(fh, lazy_load_hdus=True)
            header = hdul[0].header
        except (OSError, ValueError, IndexError, TypeError, KeyError) as exc:  # (TypeError: a float NAXIS)
            fh.close()
            raise LoadError(str(path), f"not a readable FITS file ({_unreadable(exc)})") from None
        problem = nonstandard_primary(header)
        if problem:
            hdul.close()
            fh.close()
            raise LoadError(str(path), f"not a readable FITS file ({problem})")
        with fh, hdul:
            primary = f"{path}[{hdul[0].name or 'PRIMARY'}]"
            inputs = yield from self._hdrtab(path, hdul)
            yield from self._records(path, primary, header, inputs)

    def read_plain(self, path: Path) -> list[Record] | None:
        """The records of a plainly standard file, read without astropy's HDUList; None for any other
        file (`fits_scan.NotPlain`), which `_read` reads."""
        try:
            with open(path, "rb") as fh:
                hdus = fits_scan.scan(fh, os.fstat(fh.fileno()).st_size)
                for hdu in hdus:
                    check_opened_values(hdu)
                return list(self._read_plain(path, fh, hdus))
        except (OSError, fits_scan.NotPlain):
            return None

    def _read_plain(self, path: Path, fh: Any, hdus: list[fits_scan.Hdu]) -> Iterator[Record]:
        header = PlainHeader(hdus[0])
        primary = f"{path}[{str(header.get('EXTNAME', 'PRIMARY')) or 'PRIMARY'}]"
        inputs = yield from self._hdrtab_plain(path, fh, hdus)
        yield from self._records(path, primary, header, inputs)

    @staticmethod
    def _hdrtab_plain(path: Path, fh: Any, hdus: list[fits_scan.Hdu]) -> Iterator[Record]:
        """`_hdrtab` of a plainly standard file: the first HDU named HDRTAB, its FILENAME column
        sliced from the rows (a column astropy would read otherwise raises `NotPlain`)."""
        hdu = next((hdu for hdu in hdus if extname(hdu).strip().upper() == "HDRTAB"), None)
        if hdu is None:
            return None
        if hdu.xtension != "BINTABLE":
            if hdu.index == 0:
                raise fits_scan.NotPlain("the primary HDU is named HDRTAB")
            yield Reject(f"{path}[HDRTAB]", "HDRTAB has no FILENAME column")
            return None
        check_all_values(hdu)
        if any(key[:5] in (b"TDISP", b"TSCAL", b"TZERO", b"TNULL", b"TBCOL") or key[:4] == b"TDIM"
               for key in hdu.keywords):
            raise fits_scan.NotPlain("HDRTAB has column keywords beyond TTYPE, TFORM and TUNIT")
        forms = fits_scan.tforms(hdu)
        names_ = column_names(hdu, len(forms))
        columns = {name.upper(): name for name in names_}
        if "FILENAME" not in columns:
            yield Reject(f"{path}[HDRTAB]", "HDRTAB has no FILENAME column")
            return None
        n = names_.index(columns["FILENAME"])
        match = re.fullmatch(r"([0-9]*)A", forms[n])
        if match is None or match[1] == "0":
            raise fits_scan.NotPlain("HDRTAB's FILENAME is not a plain text column")
        width, start = int(match[1] or 1), sum(fits_scan.column_bytes(form) for form in forms[:n])
        row_bytes, rows = hdu.integer(b"NAXIS1"), hdu.integer(b"NAXIS2")
        fh.seek(hdu.data_offset)
        data = fh.read(row_bytes * rows)
        values = []
        for at in range(start, row_bytes * rows, row_bytes):
            cell = data[at:at + width].rstrip(b"\0")
            if fits_scan.NOT_PRINTABLE.search(cell):
                raise fits_scan.NotPlain("HDRTAB's FILENAME holds bytes that are not text")
            values.append(cell.decode("ascii").strip())
        return [value for value in values if value and value.lower() not in _UNKNOWN]

    @staticmethod
    def _hdrtab(path: Path, hdul: fits.HDUList) -> Iterator[Record]:
        """The input file names of the HDRTAB extension (a Level-3 product), else None."""
        where = f"{path}[HDRTAB]"
        try:
            hdu = hdul["HDRTAB"]
        except KeyError as exc:
            if str(exc.args[0] if exc.args else "").startswith("Extension "):  # (astropy: no HDU of that name)
                return None
            # (a header astropy reads on the way, without a keyword its data's size needs: NAXISn ...)
            raise LoadError(str(path), f"not a readable FITS file ({_unreadable(exc)})") from None
        except (OSError, ValueError, TypeError) as exc:  # (TypeError: a later HDU's NAXIS not an integer)
            raise LoadError(str(path), f"not a readable FITS file ({exc})") from None
        columns = {name.upper(): name for name in getattr(hdu, "columns", fits.ColDefs([])).names}
        if "FILENAME" not in columns:
            yield Reject(where, "HDRTAB has no FILENAME column")
            return None
        try:
            values = [str(value).strip() for value in hdu.data[columns["FILENAME"]]]
        except (OSError, ValueError, TypeError) as exc:
            raise LoadError(where, f"HDRTAB cannot be read ({exc})") from None
        return [value for value in values if value and value.lower() not in _UNKNOWN]

    def _records(self, path: Path, where: str, header: fits.Header, inputs: list[str] | None) -> Iterator[Record]:
        filename = header_value(header, "FILENAME") or path.name
        filename = str(filename).rsplit("/", 1)[-1]
        instrument = header_value(header, "INSTRUME")
        instrument = str(instrument).lower() if instrument is not None else None
        props: dict[str, Any] = {prop: header_value(header, key) for key, prop in TEXT_KEYWORDS.items()}
        props = {k: (str(v) if v is not None else None) for k, v in props.items()}
        for keyword, prop in FLOAT_KEYWORDS.items():
            value = _float(header, keyword)
            if isinstance(value, str):
                yield Reject(where, f"{keyword} {value} is not a number")
                value = None
            props[prop] = value
        props.update(instrument=instrument, hdrtab_inputs=inputs)
        problems = list(header_problems(header, props, filename))
        if problems:  # the header is the file's one row: refused whole
            for problem in problems:
                yield Reject(where, problem)
            return
        product = self._product_node(filename, props, where)
        yield product
        yield from self._contributors(where, header, product.ref, instrument)

    @staticmethod
    def _product_node(filename: str, header_props: dict[str, Any], where: str) -> Node:
        try:
            parsed = names.parse_shared(filename)
        except names.BadName:
            stem, _, extension = filename.rpartition(".")
            suffix = stem.rsplit("_", 1)[-1].lower() if "_" in stem else None
            props = {"filename": filename, "suffix": suffix, "extension": extension.lower() or None}
            return Node(Label.PRODUCT, names.product_uri(filename), clean({**props, **header_props}), (), where)
        props = {**parsed.props, "filename": parsed.filename, **header_props}
        return Node(Label.PRODUCT, parsed.uri, clean(props), parsed.labels, where)

    @staticmethod
    def _contributors(where: str, header: fits.Header, product: tuple[Label, str | int],
                      instrument: str | None) -> Iterator[Record]:
        for keyword in header:
            if not keyword.startswith("R_"):
                continue
            value = header_value(header, keyword)
            if value is None:
                continue
            if not isinstance(value, str):  # (T, 5, 1.5: a FITS logical or number names no file)
                yield Reject(where, f"{keyword}: {value!r} is not a reference file name (the card's value is not "
                                    "a FITS string)")
                continue
            try:
                domains.crds_reference(keyword, str(value), instrument)
            except domains.BadValue as exc:
                yield Reject(where, str(exc))
                continue
            name, props = reference_file(keyword, str(value), instrument)
            yield Node(Label.REFERENCE_FILE, name, clean(props), (), where)
            yield Edge(Rel.USED_REFERENCE, product, (Label.REFERENCE_FILE, name), {"reftype": props["reftype"]}, where)
        context = header_value(header, "CRDS_CTX")
        if context is not None:
            try:
                domains.crds_context(str(context))
            except domains.BadValue as exc:
                yield Reject(where, str(exc))
                context = None
        if context is not None:
            yield Node(Label.CRDS_CONTEXT, str(context), {}, (), where)
            yield Edge(Rel.CALIBRATED_UNDER, product, (Label.CRDS_CONTEXT, str(context)), {}, where)
        table = header_value(header, "ASNTABLE")
        if table is not None:
            asn = association_name(str(table).rsplit("/", 1)[-1])
            yield Node(Label.ASSOCIATION, asn, {}, (), where)
            yield Edge(Rel.PRODUCED_BY, product, (Label.ASSOCIATION, asn), {}, where)


class PlainHeader:
    """The cards of a plainly standard primary header that mastgraph reads (`READ_KEYWORDS` and
    every ``R_*``, each with its CONTINUE cards), answering `get` and iteration as `fits.Header`
    does for them: the first card of a keyword gives its value, parsed by astropy when asked for.

    A read card that is not a plain ``KEYWORD = value`` card (HIERARCH, no value indicator in
    columns 9-10, a record-valued card) raises `NotPlain`: astropy then reads the file whole."""

    __slots__ = ("keywords", "first")

    def __init__(self, hdu: fits_scan.Hdu) -> None:
        if b"HIERARCH" in hdu.keywords:
            raise fits_scan.NotPlain("a HIERARCH card")
        header = hdu.header
        self.keywords: list[str] = []
        self.first: dict[str, bytes] = {}
        starts = sorted(at for field, found in hdu.keywords.items()
                        if field in _READ_FIELDS or field.startswith(b"R_") for at in found)
        for at in starts:
            image = fits_scan.card_group(header, at)
            field = image[:8].rstrip(b" ")
            if image[8:10] != b"= ":
                raise fits_scan.NotPlain("a card read without its value indicator")
            keyword = field.decode()
            self.keywords.append(keyword)
            self.first.setdefault(keyword, image)
        for image in self.first.values():
            if parsed_card(image)[0]:
                raise fits_scan.NotPlain("a record-valued keyword card")

    def __iter__(self) -> Iterator[str]:
        return iter(self.keywords)

    def get(self, keyword: str, default: Any = None) -> Any:
        image = self.first.get(keyword.upper())
        if image is None:
            return default
        _, value, error = parsed_card(image)
        if error is not None:
            raise fits.VerifyError(error)
        return value


@functools.lru_cache(maxsize=16384)
def parsed_card(image: bytes) -> tuple[bool, Any, str | None]:
    """(record-valued, value, astropy's VerifyError message when the value cannot be parsed) of
    one card image (with its CONTINUE cards), as `fits.Card` reads it.

    Remembered by image: files of one program repeat most of their cards (reference files, the
    CRDS context, versions) word for word, and astropy reads the configuration anew for every
    card it parses (`conf.enable_record_valued_keyword_cards`, `conf.strip_header_whitespace`)."""
    card = fits.Card.fromstring(image.decode("ascii"))
    record_valued = card.field_specifier is not None
    try:
        return record_valued, card.value, None
    except fits.VerifyError as exc:
        return record_valued, None, str(exc)


#: The keywords whose values astropy parses when it opens a file (`fits.open` reads every HDU's
#: header and makes its HDU: kind, size, scaling, name), besides every card with CONTINUE cards.
OPENED_KEYWORDS = frozenset({b"SIMPLE", b"EXTEND", b"BITPIX", b"NAXIS", b"PCOUNT", b"GCOUNT", b"GROUPS",
                             b"XTENSION", b"EXTNAME", b"EXTVER", b"EXTLEVEL", b"BSCALE", b"BZERO", b"BLANK",
                             b"TFIELDS", b"THEAP", b"ZIMAGE", b"ZSIMPLE", b"ZTENSION"})


def check_opened_values(hdu: fits_scan.Hdu) -> None:
    """`NotPlain` when a value astropy parses on opening the file cannot be parsed (astropy then
    refuses that HDU's header, a one-line error), or when the HDU is HDRTAB-like enough that its
    column keywords are read: there every card's value is checked."""
    starts = [at for keyword, found in hdu.keywords.items()
              if keyword in OPENED_KEYWORDS or keyword.startswith(b"NAXIS") for at in found]
    continued = hdu.keywords.get(b"CONTINUE", ())
    starts += [at - fits_scan.CARD for at in continued if hdu.header[at - fits_scan.CARD:at - 72] != b"CONTINUE"]
    for at in starts:
        image = fits_scan.card_group(hdu.header, at)
        if image[:8] == b"CONTINUE" or parsed_card(image)[2] is not None:
            raise fits_scan.NotPlain(f"HDU {hdu.index}: a value astropy reads on opening cannot be parsed")


def check_all_values(hdu: fits_scan.Hdu) -> None:
    """`NotPlain` when any card's value of the HDU cannot be parsed."""
    for _, image in fits_scan.card_groups(hdu.header):
        if image[:8].rstrip(b" ") not in (b"COMMENT", b"HISTORY", b"") and parsed_card(image)[2] is not None:
            raise fits_scan.NotPlain(f"HDU {hdu.index}: a value that cannot be parsed")


def _parsed_alone(images: list[bytes]) -> fits.Header:
    """A header of these card images, parsed by astropy; `NotPlain` when astropy warns or fails."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            header = fits.Header.fromstring(b"".join(images))
        except Exception as exc:  # (astropy's own: the file is then read by astropy whole)
            raise fits_scan.NotPlain(f"a card astropy cannot read ({exc})") from None
    if caught:
        raise fits_scan.NotPlain("a card astropy warns about")
    return header


def extname(hdu: fits_scan.Hdu) -> str:
    """An HDU's name as astropy's ``hdu.name`` gives it: ``str(EXTNAME)``, else PRIMARY or ''."""
    default = "PRIMARY" if hdu.index == 0 else ""
    images = [image for at, image in fits_scan.card_groups(hdu.header) if image[:8] == b"EXTNAME "]
    if not images and b"EXTNAME" not in hdu.keywords:
        return default
    try:
        return str(_parsed_alone(images).get("EXTNAME", default))
    except fits_scan.NotPlain:
        raise
    except Exception as exc:
        raise fits_scan.NotPlain(f"EXTNAME cannot be read ({exc})") from None


def column_names(hdu: fits_scan.Hdu, fields: int) -> list[str]:
    """A binary table's TTYPEn values (n = 1 .. fields); `NotPlain` unless each is one plain text."""
    names_ = []
    for n in range(1, fields + 1):
        key = b"TTYPE%d" % n
        if len(hdu.keywords.get(key, ())) != 1:
            raise fits_scan.NotPlain(f"HDU {hdu.index}: not one TTYPE{n}")
        value = _parsed_alone(hdu.cards(key)).get(key.decode())
        if not isinstance(value, str) or not value:
            raise fits_scan.NotPlain(f"HDU {hdu.index}: TTYPE{n} is not a name")
        names_.append(value)
    if len({name.upper() for name in names_}) != len(names_):
        raise fits_scan.NotPlain(f"HDU {hdu.index}: two columns of one name")
    return names_


#: astropy's warning that an HDU's header cannot be read (``HDU #n``: zero-based), and its reason.
_BAD_HDU = re.compile(r"Error validating header for HDU #(\d+)[^\n]*\n\s*(.+?)\s*$", re.S)


def unusable_header(message: Warning | str) -> tuple[int, str] | None:
    """(HDU number, reason) when an astropy warning says a header cannot be read, else None."""
    match = _BAD_HDU.search(str(message))
    if match is None:
        return None
    reason = match[2].splitlines()[0].strip().rstrip(".")
    return int(match[1]), f"header: cannot be read ({reason})"


def nonstandard_primary(header: fits.Header) -> str | None:
    """What makes a primary header astropy read not a standard one, or None: astropy reads on past a
    missing END into the next HDU's header (whose cards would be taken as the primary's), and takes
    SIMPLE = F or any BITPIX."""
    if "XTENSION" in header:
        return "the primary header has no END card: it runs into the next HDU's header"
    if header.get("SIMPLE") is not True:
        return f"SIMPLE is {shown(header.get('SIMPLE'))}, not T: the file does not follow the FITS standard"
    if header.get("BITPIX") not in fits_scan.STANDARD_BITPIX:
        return f"BITPIX {shown(header.get('BITPIX'))} is none of the standard's (8, 16, 32, 64, -32, -64)"
    return None


def _unreadable(exc: Exception) -> str:
    """astropy's reason for a file it cannot open; a KeyError's is the keyword a header lacks (NAXIS1
    when NAXIS is 1, say), which astropy gives bare."""
    if isinstance(exc, KeyError):
        return f"a header lacks the keyword {exc.args[0] if exc.args else ''} its data's size needs"
    return str(exc)


def unparsable(exc: Exception) -> str:
    """`KEYWORD: reason` of astropy's VerifyError for a card it cannot parse."""
    match = re.search(r"card \(([^)]*)\)", str(exc))
    keyword = match[1].strip() if match else "card"
    return f"{keyword}: the card's value cannot be parsed as FITS"


def header_problems(header: fits.Header, props: dict[str, Any], filename: str) -> Iterator[str]:
    """Why the header's values cannot be true (docs/formats.md, "FITS headers"), one reason each."""
    instrument = props.get("instrument")
    if instrument is not None:
        try:
            domains.instrument(instrument.upper(), "INSTRUME")
        except domains.BadValue as exc:
            yield str(exc)
    checks = (("exp_type", "EXP_TYPE", domains.exp_type), ("t_min", "EXPSTART", domains.mjd),
              ("t_max", "EXPEND", domains.mjd), ("effexptm", "EFFEXPTM", domains.not_negative),
              ("asnpool", "ASNPOOL", domains.pool_name), ("msametfl", "MSAMETFL", domains.msa_file_name))
    for prop, keyword, check in checks:
        if props.get(prop) is not None:
            try:
                check(props[prop], keyword)
            except domains.BadValue as exc:
                yield str(exc)
    try:
        domains.not_after(props.get("t_min"), props.get("t_max"), "EXPSTART", "EXPEND")
    except domains.BadValue as exc:
        yield str(exc)
    try:
        parsed = names.parse_shared(filename)
    except names.BadName:
        return
    named = parsed.props
    # A Level-3 product's header is made from its inputs' (the first one's observation and visit,
    # even for calwebb_coron3's per-exposure psfsub in the sample generator): the program only.
    keywords = (("PROGRAM", "program"),) if parsed.level == "3" else (
        ("PROGRAM", "program"), ("OBSERVTN", "observation"), ("VISIT", "visit"))
    for keyword, prop in keywords:
        value = header_value(header, keyword)
        if value is None or named.get(prop) is None:
            continue
        if not (str(value).strip().isdigit() and str(value).isascii()) or int(str(value)) != int(named[prop]):
            yield f"{keyword}: {shown(value)} disagrees with the file name {shown(filename)} ({prop} {named[prop]})"
