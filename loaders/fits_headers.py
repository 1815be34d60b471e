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
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from astropy.io import fits

from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders import domains, names
from mastgraph.loaders.associations import association_name
from mastgraph.loaders.records import LoadError, Record, Reject
from mastgraph.model.records import Edge, Node, clean

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

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        return head.startswith(b"SIMPLE  =")

    def records(self, path: Path) -> Iterator[Record]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                found = list(self._read(path))
            except fits.VerifyError as exc:  # a card read above (`header.get`) that astropy cannot parse
                found = [Reject(f"{path}[PRIMARY]", unparsable(exc))]
        for warning in caught:
            unusable = unusable_header(warning.message)
            if unusable is not None:
                raise LoadError(f"{path}[HDU {unusable[0]}]", unusable[1])
        yield from found

    def _read(self, path: Path) -> Iterator[Record]:
        try:
            hdul = fits.open(path, lazy_load_hdus=True)
            header = hdul[0].header
        except (OSError, ValueError, IndexError) as exc:
            raise LoadError(str(path), f"not a readable FITS file ({exc})") from None
        with hdul:
            primary = f"{path}[{hdul[0].name or 'PRIMARY'}]"
            inputs = yield from self._hdrtab(path, hdul)
            yield from self._records(path, primary, header, inputs)

    @staticmethod
    def _hdrtab(path: Path, hdul: fits.HDUList) -> Iterator[Record]:
        """The input file names of the HDRTAB extension (a Level-3 product), else None."""
        where = f"{path}[HDRTAB]"
        try:
            hdu = hdul["HDRTAB"]
        except KeyError:
            return None
        except (OSError, ValueError) as exc:
            raise LoadError(str(path), f"not a readable FITS file ({exc})") from None
        columns = {name.upper(): name for name in getattr(hdu, "columns", fits.ColDefs([])).names}
        if "FILENAME" not in columns:
            yield Reject(where, "HDRTAB has no FILENAME column")
            return None
        try:
            values = [str(value).strip() for value in hdu.data[columns["FILENAME"]]]
        except (OSError, ValueError) as exc:
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


#: astropy's warning that an HDU's header cannot be read (``HDU #n``: zero-based), and its reason.
_BAD_HDU = re.compile(r"Error validating header for HDU #(\d+)[^\n]*\n\s*(.+?)\s*$", re.S)


def unusable_header(message: Warning | str) -> tuple[int, str] | None:
    """(HDU number, reason) when an astropy warning says a header cannot be read, else None."""
    match = _BAD_HDU.search(str(message))
    if match is None:
        return None
    reason = match[2].splitlines()[0].strip().rstrip(".")
    return int(match[1]), f"header: cannot be read ({reason})"


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
        if not str(value).strip().isdigit() or int(str(value)) != int(named[prop]):
            yield f"{keyword}: {value!r} disagrees with the file name {filename!r} ({prop} {named[prop]})"
