"""Plausible byte sizes of JWST products, from the detector format and the exposure's shape.

Pipeline products of one shape have nearly equal sizes (arrays dominate); catalogs, spectra and
previews vary with content, so they draw from a range.
"""

from __future__ import annotations

import random

from .modes import Mode

_HEADER = 57_600  # primary header, ASDF extension and table overhead


def exposure_file(suffix: str, mode: Mode, nints: int, ngroups: int, rng: random.Random) -> int:
    """Size of a Level-1b/2 exposure file (per detector, per segment)."""
    px = mode.pixels
    arrays = {
        "uncal": px * 2 * ngroups * nints,
        "rate": px * 4 * 5,
        "rateints": px * 4 * 5 * nints,
        "cal": px * 4 * 6,
        "calints": px * 4 * 6 * nints,
        "crf": px * 4 * 6,
        "i2d": int(px * 1.12) * 4 * 5,
        "s2d": rng.randint(3_000_000, 9_000_000),
        "x1d": rng.randint(150_000, 1_200_000),
        "x1dints": nints * rng.randint(25_000, 32_000),
    }[suffix]
    return _HEADER + arrays + rng.randint(0, 8) * 2880


def combined_file(suffix: str, mode: Mode, members: int, nints: int, rng: random.Random) -> int:
    """Size of a Level-3 file combining `members` calibrated exposures (`nints` integrations in all)."""
    px = mode.pixels
    footprint = int(px * (1.0 + 0.35 * max(members - 1, 0)))
    size = {
        "i2d": footprint * 4 * 5,
        "segm": footprint * 4,
        "cat": 4_000 + rng.randint(40, 400) * members * 210,
        "s2d": rng.randint(400_000, 3_000_000),
        "x1d": rng.randint(40_000, 220_000),
        "c1d": rng.randint(40_000, 220_000),
        "s3d": rng.randint(80_000_000, 400_000_000),
        "x1dints": nints * rng.randint(25_000, 32_000),
        "whtlt": 1_800 + nints * 64,
        "psfsub": px * 4 * 3 * max(nints, 1),
    }[suffix]
    return (0 if suffix in ("cat", "whtlt") else _HEADER) + size


def preview(rng: random.Random) -> int:
    return rng.randint(180_000, 950_000)


def thumbnail(rng: random.Random) -> int:
    return rng.randint(4_000, 16_000)


def guide_star(kind: str, suffix: str, seconds: float, rng: random.Random) -> int:
    """Guider files: acquisition images are small; fine guidance grows with the exposure's length."""
    if kind in ("fg", "track"):
        per_second = 12_800 if suffix == "stream" else 2_600
        return _HEADER + int(per_second * max(seconds, 60.0)) + rng.randint(0, 2880)
    base = {"id": 1_650_000, "acq1": 240_000, "acq2": 120_000}[kind]
    return base * (2 if suffix == "cal" else 1) + rng.randint(0, 20) * 2880


def msa_metadata(shutters: int, rng: random.Random) -> int:
    return _HEADER + shutters * 48 + rng.randint(0, 200) * 80
