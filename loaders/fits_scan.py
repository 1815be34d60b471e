"""The HDUs of a plainly standard FITS file, found without astropy: each one's header cards (up to
END) and where its data lies, by the standard's size rule (BITPIX, NAXISn, PCOUNT, GCOUNT).

Reading a header this way costs a few block reads and a look at each card's keyword field; data is
skipped by seeking. astropy stays the parser of every value mastgraph reads (`loaders/fits_headers.py`
hands it the cards it needs). Whatever is not plainly standard raises `NotPlain`, and the file is
read by astropy whole, as before: a header cut short or without END, a byte outside printable ASCII
in a header, an invalid END card, a structural keyword (SIMPLE, XTENSION, BITPIX, NAXISn, PCOUNT,
GCOUNT, TFIELDS, TFORMn) missing, repeated or not a plain integer, an extension other than IMAGE or
BINTABLE, random groups, a compressed image, data cut short, bytes after the last HDU.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

BLOCK = 2880
CARD = 80
END_CARD = b"END".ljust(CARD)
#: astropy's check of the first card (``astropy.io.fits.hdu.hdulist``: the signature, then T).
SIGNATURE = b"SIMPLE  =                    T"
#: A byte outside printable ASCII (a header's, or a text column's).
NOT_PRINTABLE = re.compile(rb"[^\x20-\x7e]")
_END = re.compile(rb"END")
_PREFIX = re.compile(rb"(.{9}).{71}", re.S)
#: Of the cards' first 9 bytes joined by newlines: a lower-case keyword, a value indicator before column 9.
_LOWER_FIELD = re.compile(rb"(?m)^.{0,7}[a-z]")
_EARLY_EQUALS = re.compile(rb"(?m)^.{0,7}= ")
#: An integer-valued card after its keyword field: ``= <integer> [/ comment]``.
_INTEGER = re.compile(rb"= +([+-]?[0-9]+) *(?:/.*)?")
_STRING = re.compile(rb"= +'([^']*)' *(?:/.*)?")
#: A binary table's TFORM: repeat count, type code, and (P/Q descriptors) the array's type and size.
_TFORM = re.compile(r"([0-9]*)([LXBIJKAEDCMPQ])(|[LXBIJKAEDCM]\([0-9]+\))")
_TFORM_BYTES = {"L": 1, "B": 1, "I": 2, "J": 4, "K": 8, "A": 1, "E": 4, "D": 8, "C": 8, "M": 16, "P": 8, "Q": 16}
STANDARD_BITPIX = frozenset({8, 16, 32, 64, -32, -64})
#: Keywords whose values fix an HDU's kind and size: each must appear once at most.
_STRUCTURAL = frozenset({b"SIMPLE", b"XTENSION", b"BITPIX", b"NAXIS", b"PCOUNT", b"GCOUNT", b"GROUPS",
                         b"TFIELDS", b"ZIMAGE", b"THEAP"})


class NotPlain(Exception):
    """The file is not plainly standard (the reason): astropy reads it whole."""


@dataclass(frozen=True, slots=True)
class Hdu:
    """One HDU: its header's cards before END, its kind, and its data's place in the file."""

    index: int
    header: bytes
    xtension: str | None  # None: the primary HDU
    keywords: dict[bytes, list[int]]  # keyword field (rstripped; a HIERARCH card's own name too) -> card offsets
    data_offset: int
    data_size: int  # without the padding to a whole block

    def cards(self, keyword: bytes) -> list[bytes]:
        return [self.header[at:at + CARD] for at in self.keywords.get(keyword, ())]

    def integer(self, keyword: bytes, default: int | None = None) -> int:
        """The keyword's plain integer value (`default` when absent and one is given)."""
        found = self.keywords.get(keyword)
        if not found:
            if default is None:
                raise NotPlain(f"HDU {self.index}: no {keyword.decode()}")
            return default
        match = _INTEGER.fullmatch(self.header, found[0] + 8, found[0] + CARD)
        if match is None or len(found) > 1:
            raise NotPlain(f"HDU {self.index}: {keyword.decode()} is not one plain integer")
        return int(match[1])


def scan(fh: BinaryIO, size: int) -> list[Hdu]:
    """Every HDU of the file, in order; `NotPlain` when the file is not plainly standard."""
    hdus: list[Hdu] = []
    offset = 0
    while offset < size:
        hdu = _hdu(fh, len(hdus), offset)
        end = hdu.data_offset + -(-hdu.data_size // BLOCK) * BLOCK
        if end > size:
            raise NotPlain(f"HDU {hdu.index}: data cut short")
        hdus.append(hdu)
        offset = end
    if not hdus:
        raise NotPlain("empty file")
    return hdus


def _header(fh: BinaryIO, index: int, offset: int) -> bytes:
    """The header's cards before END (END and the block's padding checked)."""
    fh.seek(offset)
    blocks: list[bytes] = []
    while True:
        block = fh.read(BLOCK)
        if len(block) < BLOCK:
            raise NotPlain(f"HDU {index}: header cut short")
        if NOT_PRINTABLE.search(block):
            raise NotPlain(f"HDU {index}: a header byte outside printable ASCII")
        for found in _END.finditer(block):
            at = found.start()
            if at % CARD:
                continue
            if block[at:at + CARD] == END_CARD:
                if block[at + CARD:].strip(b" "):
                    raise NotPlain(f"HDU {index}: bytes after END")
                blocks.append(block[:at])
                return b"".join(blocks)
            if not (block[at + 3:at + 4].isalnum() or block[at + 3:at + 4] in (b"_", b"-")):
                raise NotPlain(f"HDU {index}: an invalid END card")
        blocks.append(block)


def _keywords(header: bytes, index: int) -> dict[bytes, list[int]]:
    """Keyword field -> card offsets; `NotPlain` for a keyword field astropy would read otherwise
    (lower case, ``=`` before column 9) and a structural keyword given twice."""
    prefixes = _PREFIX.findall(header)  # each card's first 9 bytes
    joined = b"\n".join(prefixes)
    if _LOWER_FIELD.search(joined) or _EARLY_EQUALS.search(joined):
        raise NotPlain(f"HDU {index}: a keyword astropy reads in its own way")
    keywords: dict[bytes, list[int]] = {}
    for at, prefix in zip(range(0, len(header), CARD), prefixes):
        keyword = prefix[:8].rstrip(b" ")
        if keyword == b"HIERARCH":
            keyword = header[at + 9:at + CARD].split(b"=", 1)[0].strip(b" ").upper()
            keywords.setdefault(b"HIERARCH", []).append(at)
        keywords.setdefault(keyword, []).append(at)
    for keyword in _STRUCTURAL.intersection(keywords):
        if len(keywords[keyword]) > 1:
            raise NotPlain(f"HDU {index}: {keyword.decode()} given twice")
    return keywords


def _hdu(fh: BinaryIO, index: int, offset: int) -> Hdu:
    header = _header(fh, index, offset)
    keywords = _keywords(header, index)
    first = header[:CARD]
    if index == 0:
        if not first.startswith(SIGNATURE) or b"GROUPS" in keywords or b"PCOUNT" in keywords \
                or b"GCOUNT" in keywords:
            raise NotPlain("not a plain primary HDU")
        xtension = None
    else:
        match = _STRING.fullmatch(first, 8) if first.startswith(b"XTENSION") else None
        xtension = match[1].decode().rstrip() if match else None
        if xtension not in ("IMAGE", "BINTABLE") or b"ZIMAGE" in keywords:
            raise NotPlain(f"HDU {index}: not an IMAGE or BINTABLE extension")
    provisional = Hdu(index, header, xtension, keywords, 0, 0)
    bitpix = provisional.integer(b"BITPIX")
    naxis = provisional.integer(b"NAXIS")
    if bitpix not in STANDARD_BITPIX or not 0 <= naxis <= 999:
        raise NotPlain(f"HDU {index}: BITPIX or NAXIS out of the standard")
    axes = [provisional.integer(b"NAXIS%d" % n) for n in range(1, naxis + 1)]
    if any(axis < 0 for axis in axes):
        raise NotPlain(f"HDU {index}: a negative NAXISn")
    pcount, gcount = provisional.integer(b"PCOUNT", 0), provisional.integer(b"GCOUNT", 1)
    if xtension == "BINTABLE":
        if bitpix != 8 or naxis != 2 or gcount != 1 or pcount < 0 or b"PCOUNT" not in keywords:
            raise NotPlain(f"HDU {index}: not a plain binary table")
        if sum(column_bytes(form) for form in tforms(provisional)) != axes[0]:
            raise NotPlain(f"HDU {index}: the columns' widths are not NAXIS1")
    elif pcount != 0 or gcount != 1:
        raise NotPlain(f"HDU {index}: an image with PCOUNT or GCOUNT")
    elements = 0
    if axes:
        elements = 1
        for axis in axes:
            elements *= axis
    size = abs(bitpix) // 8 * gcount * (pcount + elements)
    data_offset = offset + -(-(len(header) + CARD) // BLOCK) * BLOCK
    return Hdu(index, header, xtension, keywords, data_offset, size)


def tforms(hdu: Hdu) -> list[str]:
    """A binary table's TFORMn values (n = 1 .. TFIELDS), as plain quoted strings."""
    fields = hdu.integer(b"TFIELDS")
    if not 0 <= fields <= 999:
        raise NotPlain(f"HDU {hdu.index}: TFIELDS out of the standard")
    forms = []
    for n in range(1, fields + 1):
        cards = hdu.cards(b"TFORM%d" % n)
        match = _STRING.fullmatch(cards[0], 8) if len(cards) == 1 else None
        if match is None:
            raise NotPlain(f"HDU {hdu.index}: TFORM{n} is not one plain string")
        forms.append(match[1].decode().strip())
    return forms


def column_bytes(form: str) -> int:
    """The bytes a TFORM takes in each row (`NotPlain` for a form outside the standard's)."""
    match = _TFORM.fullmatch(form)
    if match is None:
        raise NotPlain(f"TFORM {form!r} outside the standard")
    repeat = int(match[1]) if match[1] else 1
    if match[2] == "X":
        return (repeat + 7) // 8
    return repeat * _TFORM_BYTES[match[2]]


def card_groups(header: bytes) -> Iterator[tuple[int, bytes]]:
    """(offset, image) of each card with the CONTINUE cards after it, as astropy's
    `Header.fromstring` groups them."""
    start = 0
    for at in range(CARD, len(header), CARD):
        if header[at:at + 8] != b"CONTINUE":
            yield start, header[start:at]
            start = at
    if header:
        yield start, header[start:]


def card_group(header: bytes, at: int) -> bytes:
    """The card at `at` with the CONTINUE cards after it."""
    end = at + CARD
    while header[end:end + 8] == b"CONTINUE":
        end += CARD
    return header[at:end]
