"""Sample scales: the bundled demo and the benchmark sizes S, M, L, XL."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scale:
    name: str
    products: int  # programs are added until at least this many products exist; 0: the demo programs only
    benchmark: tuple[int, ...]  # member counts of the benchmark Level-3 products included
    factor: int  # how large the repeated programs grow
    fits: bool  # FITS headers written by default
    edb_every: int  # engineering series for every n-th visit (0: every science exposure)
    description: str


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("demo", 0, (), 1, True, 0, "the demo programs, ~1k products"),
        Scale("S", 10_000, (10, 100), 1, True, 4, "~10k products"),
        Scale("M", 100_000, (10, 100, 1000), 2, False, 6, "~100k products"),
        Scale("L", 1_000_000, (10, 100, 1000), 4, False, 10, "~1M products"),
        Scale("XL", 10_000_000, (10, 100, 1000), 8, False, 20, "~10M products"),
    )
}


def get(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r}; one of {', '.join(SCALES)}") from None
