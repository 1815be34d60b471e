"""FITS header blocks from (keyword, value, comment) cards, formatted as astropy formats them.

Writing a header through astropy verifies every card through its configuration machinery (several
milliseconds a file); the sample writes thousands of headers, so it formats the fixed-format cards
itself. The result is what `astropy.io.fits` writes for the same cards (checked by the tests).
"""

from __future__ import annotations

BLOCK = 2880


def _value(value: object) -> str:
    if isinstance(value, str):
        if value == "":
            return "''"
        quoted = "'" + f"{value.replace(chr(39), chr(39) * 2):8}" + "'"
        return f"{quoted:20}"
    if isinstance(value, bool):
        return f"{'T' if value else 'F':>20}"
    if isinstance(value, int):
        return f"{value:>20d}"
    if isinstance(value, float):
        text = str(value).replace("e", "E")
        if len(text) > 20:
            cut = text.find("E")
            text = text[:20] if cut < 0 else text[: 20 - (len(text) - cut)] + text[cut:]
        return f"{text:>20}"
    raise TypeError(f"unsupported FITS card value {value!r}")


def card(keyword: str, value: object, comment: str = "") -> str:
    """One 80-character card; the comment is cut to what fits, as the pipeline's files show it."""
    image = f"{keyword:8}= {_value(value)}"
    if comment:
        image += f" / {comment}"
    return f"{image[:80]:80}"


def block(cards: list[str]) -> bytes:
    """Cards, an END card, padded with blanks to whole 2880-byte blocks."""
    text = "".join(cards) + f"{'END':80}"
    text += " " * (-len(text) % BLOCK)
    return text.encode("ascii")


def primary(cards: list[tuple]) -> bytes:
    """A primary header with no data (NAXIS = 0) followed by the given cards."""
    head = [
        card("SIMPLE", True, "conforms to FITS standard"),
        card("BITPIX", 8, "array data type"),
        card("NAXIS", 0, "number of array dimensions"),
        card("EXTEND", True),
    ]
    return block(head + [card(*c) for c in cards])
