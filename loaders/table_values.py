"""Cell values: the unknown markers, and the converters loaders apply to a table's cells.

Values come out as plain Python (str, int, float, bool); unknown values (masked ``--``, empty
cells, ``NULL``, ``N/A``, ``None``, NaN) come out as ``None``. The converters (`text`, `integer`, `number`,
`ident`) raise `BadValue`, which a loader turns into a `Reject` naming the column and value.
`known` is the notion of unknown of association and EDB JSON documents and association pools
(the same, but no ``--``).
"""

from __future__ import annotations

import itertools
import math
import operator
import re
from typing import Any

from mastgraph.model.errors import shown


def _every_case(texts: frozenset[str]) -> frozenset[str]:
    """`texts` in every mix of upper and lower case: ``s in _every_case(T)`` is ``s.lower() in T``
    without making a lower-case copy of every value (no non-ASCII character lowers to an ASCII one
    of these texts, so the ASCII case variants are all there is)."""
    return frozenset("".join(chars) for text in texts
                     for chars in itertools.product(*({c.lower(), c.upper()} for c in text)))


#: Cell texts that mean "not known" (docs/formats.md: masked ``--``, empty, NULL, N/A, None, NaN).
UNKNOWN_TEXTS = frozenset({"", "--", "null", "n/a", "none", "nan"})
#: The same in every mix of upper and lower case (`_every_case`).
UNKNOWN_FORMS = _every_case(UNKNOWN_TEXTS)
#: Texts that mean "not known" in association and EDB documents and pools (compared in lower case).
UNKNOWN_VALUES = frozenset({"", "null", "none", "n/a", "nan"})
_UNKNOWN_VALUE_FORMS = _every_case(UNKNOWN_VALUES)


class BadValue(ValueError):
    """A cell whose value does not fit its column (the message names both)."""


def unknown_to_none(value: Any) -> Any:
    """None for the unknown markers (`--`, empty, NULL, N/A, None, NaN); stripped text otherwise."""
    if value is None:
        return None
    if isinstance(value, str):
        stripped = value.strip()
        return None if stripped in UNKNOWN_FORMS else stripped
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def known(value: Any) -> Any:
    """A JSON document's value, or None when it says "unknown" (empty, null, none, N/A, NaN)."""
    if isinstance(value, str):
        value = value.strip()
        return None if value in _UNKNOWN_VALUE_FORMS else value
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def python_value(value: Any) -> Any:
    """A numpy/astropy cell as a plain Python value; masked, NaN and unknown texts as None."""
    import numpy as np

    if value is None or isinstance(value, np.ma.core.MaskedConstant):
        return None
    if isinstance(value, (np.generic, np.ndarray)):
        value = value.tolist()
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return unknown_to_none(value)


#: The integers a property may hold: Neo4j's (and the importer's) are 64-bit.
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1


def json_kind(value: Any) -> str:
    """What a JSON value is, in a message: "a JSON list", "a JSON object", ..."""
    for kind, word in _JSON_KINDS:
        if isinstance(value, kind):
            return f"a JSON {word}"
    return f"a JSON {type(value).__name__}"


#: (Python type, JSON's word), bool before int (a bool is an int); dict subclasses (LocatedDict) too.
_JSON_KINDS = ((bool, "boolean"), (dict, "object"), (list, "list"), (str, "string"), ((int, float), "number"),
               (type(None), "null"))


def text(value: Any, column: str = "") -> str | None:
    """A text cell; numbers print without a spurious `.0`; `BadValue` for a JSON list or object
    (`column` names it in the message)."""
    if type(value) is str:  # the common case, as unknown_to_none does it
        value = value.strip()
        return None if value in UNKNOWN_FORMS else value
    value = unknown_to_none(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        raise BadValue(f"{column or 'a value'}: {json_kind(value)} is not text")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: An identifier's text as a float column writes it (`71672220.0`): the identifier is its digits.
_INTEGRAL_TEXT = re.compile(r"([0-9]+)\.0+")


def ident_text(value: str) -> str:
    """A known identifier's stripped text, `71672220.0` as `71672220` (as `ident` reads the float)."""
    if "." in value:
        integral = _INTEGRAL_TEXT.fullmatch(value)
        if integral is not None:
            return integral[1]
    return value


def ident(value: Any, column: str) -> str | None:
    """An identifier (obsid): a str even when the file has an int; `71672220.0` -> `"71672220"` (a
    float, or text as a float column writes it)."""
    if type(value) is str:  # what text() makes of it
        value = value.strip()
        return None if value in UNKNOWN_FORMS else ident_text(value)
    value = unknown_to_none(value)
    if isinstance(value, bool):  # (JSON's true, an ECSV or VOTable bool column: not "True")
        raise BadValue(f"{column} {value!r} is not an identifier")
    if isinstance(value, float):
        if not value.is_integer():
            raise BadValue(f"{column} {shown(value)} is not an identifier")
        return str(int(value))
    if isinstance(value, (list, dict)):
        raise BadValue(f"{column}: {json_kind(value)} is not an identifier")
    return text(value, column)


def integer(value: Any, column: str) -> int | None:
    """An integer cell (None when unknown): an int, an integral float, or text of ASCII digits (an
    integral decimal such as ``3.0`` too); `BadValue` for anything else (``190_080`` and digits of
    other scripts, which Python's `int` takes, included) and past 64 bits."""
    value = unknown_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(f"{column} {shown(value)} is not an integer")
    if isinstance(value, int):
        return in_int64(value, column)
    if isinstance(value, float):
        if value.is_integer():
            return in_int64(int(value), column, value)
        raise BadValue(f"{column} {shown(value)} is not an integer")
    if type(value) is not str:  # (numpy's integers and floats from a table reader, a Decimal ...)
        try:
            return in_int64(operator.index(value), column)
        except TypeError:
            pass
    elif not number_text(value):
        raise BadValue(f"{column} {shown(value)} is not an integer")
    else:
        try:
            whole = int(value)
        except ValueError:
            pass
        else:
            return in_int64(whole, column, value)
    try:
        number_ = float(value)
    except (TypeError, ValueError):
        raise BadValue(f"{column} {shown(value)} is not an integer") from None
    if not math.isfinite(number_):
        raise BadValue(f"{column} {shown(value)} is not an integer")
    if number_.is_integer():
        return in_int64(int(number_), column, value)
    raise BadValue(f"{column} {shown(value)} is not an integer")


def in_int64(value: int, column: str, given: Any = None) -> int:
    """`value`, or `BadValue` when it does not fit in 64 bits (naming the value as `given`, when given)."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    raise BadValue(f"{column} {shown(value if given is None else given)} does not fit in a 64-bit integer")


#: Why a number written with an underscore or a digit of another script is refused: Python's int
#: and float (and numpy's, and astropy's converters through them) take both; the tables' formats don't.
NUMBER_TEXT = "a number is written in ASCII digits, without underscores"


def number_text(text: str) -> bool:
    """Whether `text` could be a number as tables write them: ASCII, without underscores (`NUMBER_TEXT`)."""
    return text.isascii() and "_" not in text


def not_a_number(text: str) -> str:
    """Why a VOTable field's `text`, which `number_text` refuses, is not a value of the field."""
    return f"{shown(text.strip())} is not a value of its type ({NUMBER_TEXT})"


def float_of_text(text: str) -> float:
    """`float(text)` of a number as a table writes it: ValueError also for what Python's float alone
    takes, underscores ("2_17.3") and digits of other scripts ("٢١٧.٣")."""
    if not number_text(text):
        raise ValueError(text)
    return float(text)


def number(value: Any, column: str) -> float | None:
    value = unknown_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadValue(f"{column} {shown(value)} is not a number")
    try:
        result = float_of_text(value) if type(value) is str else float(value)
    except (TypeError, ValueError):
        raise BadValue(f"{column} {shown(value)} is not a number") from None
    if math.isinf(result):
        raise BadValue(f"{column} {shown(value)} is not a finite number")
    return None if math.isnan(result) else result
