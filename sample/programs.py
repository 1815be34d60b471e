"""The programs of the synthetic archive: the fixed demo programs, the benchmark program, and
randomly sized repeats of the same observation kinds for the benchmark scales.

Each recipe takes a `ProgramBuilder` and fills it; everything random comes from the builder's
seeded generator, so a (seed, program) pair always yields the same program.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from . import kinds, names
from .archive import Target
from .builder import ProgramBuilder

#: (name, classification, RA, Dec) of fields and objects JWST programs point at.
TARGETS = (
    ("EGS", "Extragalactic deep field", 214.825, 52.825),
    ("GOODS-S", "Extragalactic deep field", 53.1225, -27.8053),
    ("COSMOS", "Extragalactic deep field", 150.1163, 2.2008),
    ("ABELL 2744", "Galaxy cluster", 3.5863, -30.3972),
    ("SMACS J0723.3-7327", "Galaxy cluster", 110.8375, -73.4544),
    ("NGC 628", "Galaxy; Spiral", 24.1739, 15.7836),
    ("M51", "Galaxy; Spiral", 202.4696, 47.1952),
    ("NGC 3132", "Planetary nebula", 151.7573, -40.4365),
    ("ORION BAR", "Photodissociation region", 83.837, -5.418),
    ("CAS A", "Supernova remnant", 350.85, 58.815),
    ("LHA 120-N 133", "HII region", 83.9325, -69.2431),
)
PLANET_HOSTS = (
    ("WASP-39", "Star; Exoplanet host", 217.3266, -3.4445),
    ("WASP-96", "Star; Exoplanet host", 0.6766, -47.3614),
    ("TRAPPIST-1", "Star; Exoplanet host", 346.6222, -5.0414),
    ("HD 209458", "Star; Exoplanet host", 330.7950, 18.8843),
)
CORONAGRAPHY = (
    (("HIP 65426", "Star; Directly imaged planet host", 201.1504, -51.5044), ("HIP 68245", "Star; PSF reference", 209.5679, -42.1008)),
    (("HR 8799", "Star; Directly imaged planet host", 346.8696, 21.1343), ("HD 218261", "Star; PSF reference", 346.7890, 23.4521)),
    (("BETA PIC", "Star; Debris disk", 86.8212, -51.0665), ("ALPHA PIC", "Star; PSF reference", 102.0477, -61.9414)),
)
PI_NAMES = (
    "Okafor, Chidinma", "Lindqvist, Maja", "Rivera, Ana", "Nakamura, Hiro", "Dubois, Claire", "Mensah, Kwame",
    "Kowalski, Piotr", "Haddad, Leila", "Sato, Yuki", "Brennan, Siobhan", "Ferreira, Tiago", "Iyer, Meera",
)
FILTER_PAIRS = (("F090W", "F277W"), ("F115W", "F356W"), ("F150W", "F444W"), ("F200W", "F444W"), ("F200W", "F356W"))
MIRI_FILTERS = ("F560W", "F770W", "F1000W", "F1130W", "F1280W", "F1500W", "F1800W", "F2100W")
MOS_SETUPS = (("F170LP", "G235M"), ("F290LP", "G395M"), ("CLEAR", "PRISM"), ("F100LP", "G140M"))


@dataclass(frozen=True, slots=True)
class Recipe:
    """One program to build: its id, title, when it starts, and how it fills the builder."""

    program: int
    title: str
    start: float | None  # MJD; None: right after the previous program
    context: int  # index into crds.CONTEXTS; -1: chosen from the start date
    release_delay: float
    fill: Callable[[ProgramBuilder], None]


def hst_drc(rng: random.Random, filter_: str = "f814w") -> str:
    """A Hubble Advanced Products drizzled image URI (an external pre-image)."""
    proposal = rng.randint(10_000, 16_999)
    visit = f"{rng.choice('abcdefghjk')}{rng.randint(1, 9)}"
    ipppss = f"j{rng.choice('bcd')}{rng.choice('0123456789abcdefghjk')}{rng.choice('0123456789abcdefghjk')}{visit}"
    return f"mast:HST/product/hst_{proposal}_{visit}_acs_wfc_{filter_}_{ipppss}_drc.fits"


def _target(b: ProgramBuilder, entry: tuple[str, str, float, float]) -> Target:
    name, classification, ra, dec = entry
    return b.target(name, classification, ra, dec)


def _link_pre_imaging(b: ProgramBuilder, pre_image: list, mos: list) -> None:
    """MOS exposures planned on a NIRCam pre-image of this program and on an HST image."""
    long_i2d = next(p for p in pre_image[-1].products if p.suffix == "i2d")
    hst = hst_drc(b.rng)
    for c in pre_image:
        i2d = next(p for p in c.products if p.suffix == "i2d")
        b.link(names.data_uri(i2d.filename), "LINKED", hst, "other_mission")
    for e in mos[0].science:
        for p in e.products:
            if p.suffix == "cal":
                b.link(names.data_uri(p.filename), "PREREQUISITE", names.data_uri(long_i2d.filename), "pre_image")
            elif p.suffix == "uncal":
                b.link(names.data_uri(p.filename), "EXTERNAL_PRE_IMAGE", hst)


# -- the demo programs ---------------------------------------------------------------------------

def _demo_miri(b: ProgramBuilder) -> None:
    nebula = _target(b, TARGETS[7])
    first, _ = kinds.miri_imaging(b, 2, nebula, visits=2, dithers=4, filter_="F1130W")
    second, _ = kinds.miri_imaging(b, 3, nebula, visits=1, dithers=4, filter_="F1130W", first_tile=3)
    kinds.miri_mosaic(b, "c1001", first + second, "F1130W")


def _demo_mos(b: ProgramBuilder) -> None:
    field = _target(b, TARGETS[0])
    pre_image = kinds.nircam_mosaic(b, 1, field, tiles=2, dithers=3, short_filter="F200W", long_filter="F444W")
    b.wait(24.0)
    mos = kinds.nirspec_mos(b, 66, field, nods=3, sources=[1, 347, 1212, 2040, 3318])
    _link_pre_imaging(b, pre_image, mos)


def _demo_coron(b: ProgramBuilder) -> None:
    science, reference = CORONAGRAPHY[0]
    kinds.nircam_coronagraphy(b, 1, _target(b, science), _target(b, reference), psf_points=5, per_roll=2)


def _demo_tso(b: ProgramBuilder) -> None:
    kinds.nirspec_tso(b, 4, _target(b, PLANET_HOSTS[0]), segments=3, nints=21_500)


DEMO = (
    Recipe(2733, "MIRI imaging of a planetary nebula", 59743.2, 1, 0.0, _demo_miri),
    Recipe(1386, "NIRCam coronagraphy of a directly imaged planet", 59769.4, 0, 0.0, _demo_coron),
    Recipe(1366, "NIRSpec time series of a transiting exoplanet", 59787.1, 1, 0.0, _demo_tso),
    Recipe(1345, "NIRCam imaging and NIRSpec MOS of a deep field", 59926.6, 0, 0.0, _demo_mos),
)

# -- the benchmark program -----------------------------------------------------------------------

BENCHMARK_PROGRAM = 9000
BENCHMARK_FILTER = "F770W"


def benchmark_obs_ids(members: tuple[int, ...]) -> dict[int, str]:
    """The Level-3 observations with exactly 10, 100 and 1,000 members, by member count."""
    acid = {10: "o010", 100: "o101", 1000: "c1001"}
    return {n: names.level3_basename(BENCHMARK_PROGRAM, acid[n], "t001", "miri", BENCHMARK_FILTER.lower()) for n in members}


def benchmark(members: tuple[int, ...]) -> Recipe:
    """MIRI imaging: o010 (2 visits x 5 dithers = 10 members), o101..o110 (25 x 4 = 100 each), and
    the candidate mosaic c1001 over o101..o110 (1,000 members)."""

    def fill(b: ProgramBuilder) -> None:
        field = _target(b, TARGETS[2])
        if 10 in members:
            kinds.miri_imaging(b, 10, field, visits=2, dithers=5, filter_=BENCHMARK_FILTER, seconds=155.4)
        tiles = 10 if 1000 in members else 1 if 100 in members else 0
        mosaic = []
        for k in range(tiles):
            exposures, _ = kinds.miri_imaging(b, 101 + k, field, visits=25, dithers=4, filter_=BENCHMARK_FILTER,
                                              seconds=155.4, nints=1, first_tile=1 + 25 * k)
            mosaic += exposures
        if 1000 in members:
            kinds.miri_mosaic(b, "c1001", mosaic, BENCHMARK_FILTER)

    return Recipe(BENCHMARK_PROGRAM, "Benchmark: MIRI mosaics of 10, 100 and 1,000 exposures", None, 1, 365.0, fill)


# -- random programs for the scales --------------------------------------------------------------

def random_recipe(program: int, rng: random.Random, factor: int) -> Recipe:
    """A program of one of the observation kinds, sized by `factor` (1 for S ... 8 for XL)."""
    kind = rng.choices(("nircam", "miri", "mos", "coron", "tso"), weights=(30, 25, 20, 10, 15))[0]
    release = 0.0 if rng.random() < 0.15 else 365.0
    field = rng.choice(TARGETS)
    # Sizes are drawn here, from the schedule's generator, so a recipe is fixed before it is built.
    if kind == "nircam":
        obs = [(rng.choice(FILTER_PAIRS), rng.randint(1, 2 * factor), rng.choice((2, 3, 4, 6))) for _ in range(rng.randint(1, 2))]

        def fill(b: ProgramBuilder) -> None:
            t = _target(b, field)
            for i, (pair, tiles, dithers) in enumerate(obs, start=1):
                kinds.nircam_mosaic(b, i, t, tiles=tiles, dithers=dithers, short_filter=pair[0], long_filter=pair[1])

        title = "NIRCam imaging mosaic"
    elif kind == "miri":
        n_obs = rng.randint(1, 3)
        mosaic = n_obs > 1 and rng.random() < 0.5
        shared = rng.choice(MIRI_FILTERS)
        obs = [(shared if mosaic else rng.choice(MIRI_FILTERS), rng.randint(1, 2 * factor), rng.randint(2, 8),
                rng.randint(1, 4), round(rng.uniform(90.0, 900.0), 1)) for _ in range(n_obs)]
        firsts = [1 + sum(o[1] for o in obs[:i]) for i in range(n_obs)]  # a mosaic continues tile numbering

        def fill(b: ProgramBuilder) -> None:
            t = _target(b, field)
            exposures = []
            for i, (filter_, visits, dithers, nints, seconds) in enumerate(obs, start=1):
                made, _ = kinds.miri_imaging(b, i, t, visits=visits, dithers=dithers, filter_=filter_, nints=nints,
                                             seconds=seconds, first_tile=firsts[i - 1] if mosaic else 1)
                exposures += made
            if mosaic:
                kinds.miri_mosaic(b, "c1001", exposures, shared)

        title = "MIRI imaging"
    elif kind == "mos":
        setup = rng.choice(MOS_SETUPS)
        sources = sorted(rng.sample(range(1, 99_999), rng.randint(3, 12 * factor)))
        pre = rng.random() < 0.6
        pre_tiles, pre_dithers = rng.randint(1, factor), rng.choice((2, 3, 4))
        gap = rng.uniform(1.0, 5.0)  # the observatory is serial: a short wait keeps the timeline dense

        def fill(b: ProgramBuilder) -> None:
            t = _target(b, field)
            if pre:
                pre_image = kinds.nircam_mosaic(b, 1, t, tiles=pre_tiles, dithers=pre_dithers)
                b.wait(gap)
            mos = kinds.nirspec_mos(b, 2, t, nods=3, sources=sources, filter_=setup[0], grating=setup[1])
            if pre:
                _link_pre_imaging(b, pre_image, mos)

        title = "NIRSpec multi-object spectroscopy"
    elif kind == "coron":
        science, reference = rng.choice(CORONAGRAPHY)
        psf_points, per_roll = rng.choice((1, 5, 9)), rng.randint(1, 2 * factor)
        filter_ = rng.choice(("F444W", "F356W", "F410M"))

        def fill(b: ProgramBuilder) -> None:
            kinds.nircam_coronagraphy(b, 1, _target(b, science), _target(b, reference), psf_points=psf_points,
                                      per_roll=per_roll, filter_=filter_)

        title = "NIRCam coronagraphy"
    else:
        host = rng.choice(PLANET_HOSTS)
        segments, nints = rng.randint(2, 3 * factor), rng.randint(2_000, 30_000)
        grating = rng.choice(("PRISM", "G395H"))
        hours = round(rng.uniform(4.0, 12.0), 2)

        def fill(b: ProgramBuilder) -> None:
            kinds.nirspec_tso(b, 1, _target(b, host), segments=segments, nints=nints, hours=hours,
                              filter_="CLEAR" if grating == "PRISM" else "F290LP", grating=grating)

        title = "NIRSpec bright-object time series"
    return Recipe(program, title, None, -1, release, fill)


def pi_name(program: int) -> str:
    return PI_NAMES[program % len(PI_NAMES)]
