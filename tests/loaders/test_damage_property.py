"""Real files damaged at random (truncated, bytes flipped, a column dropped or two swapped, a row
repeated with a change): parsing never ends in a traceback; a file is refused in one line naming
it, or loads (its rejected rows, with --skip-bad, one line each)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mastgraph.pipeline.ingest import parse_file

from .test_domains import BUNDLED

TEXT = [p for p in BUNDLED if p.suffix != ".fits"]
FITS = [p for p in BUNDLED if p.suffix == ".fits"]


def _rows(data: bytes) -> tuple[bytes, list[list[bytes]]]:
    sep = b"|" if data.count(b"|") > data.count(b",") else b","
    return sep, [line.split(sep) for line in data.split(b"\n")]


def _join(sep: bytes, rows: list[list[bytes]]) -> bytes:
    return b"\n".join(sep.join(row) for row in rows)


@st.composite
def damaged(draw) -> tuple[Path, bytes]:
    source = draw(st.sampled_from(TEXT + FITS))
    data = source.read_bytes()
    how = draw(st.sampled_from(["truncate", "flip", "drop column", "swap columns", "repeat row changed"]))
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "flip":
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(data) - 1))
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1:]
    else:
        sep, rows = _rows(data)
        width = max(len(r) for r in rows)
        if how == "drop column" and width > 1:
            column = draw(st.integers(0, width - 1))
            rows = [r[:column] + r[column + 1:] for r in rows]
        elif how == "swap columns" and width > 1:
            a, b = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
            rows = [[r[b] if i == a and b < len(r) else r[a] if i == b and a < len(r) else c
                     for i, c in enumerate(r)] for r in rows]
        elif how == "repeat row changed" and len(rows) > 1:
            index = draw(st.integers(1, len(rows) - 1))
            row = list(rows[index])
            cell = draw(st.integers(0, len(row) - 1))
            row[cell] = row[cell] + draw(st.sampled_from([b"1", b"x", b"-", b"\xff", b"", b"99999999"]))
            rows.insert(index + 1, row)
        data = _join(sep, rows)
    return source, data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=damaged(), skip_bad=st.booleans())
def test_damaged_real_files_never_end_in_a_traceback(tmp_path, case, skip_bad):
    source, data = case
    target = tmp_path / source.name
    target.write_bytes(data)
    result = parse_file(target, skip_bad=skip_bad)  # any exception but a refusal would fail here
    if result.error is not None:
        assert "\n" not in result.error and result.error.startswith(str(target)), result.error
    for reject in result.rejects:
        assert "\n" not in str(reject) and str(reject).startswith(str(target))
