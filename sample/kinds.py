"""Observation kinds: how JWST observing templates unfold into visits, exposures and associations.

Each function adds one observation (or a linked set, for coronagraphy) to a program being built
and returns the combined (Level-3) observations it makes. Sizes are parameters, so the demo and
the benchmark scales repeat the same kinds at different sizes.
"""

from __future__ import annotations

from .archive import Combined, Exposure, Target
from .builder import ProgramBuilder
from . import modes
from .modes import NIRCAM_LONG, NIRCAM_SHORT, NIRSPEC

TILE_STEP = 125.0  # arcsec between mosaic tiles (visits)


def _tile(index: int, step: float, columns: int = 10) -> tuple[float, float]:
    """(east, north) arcsec of mosaic tile `index` (0-based), filling rows of `columns` tiles."""
    return ((index % columns) * step, (index // columns) * step)


def _dither(n: int, size: float) -> tuple[float, float]:
    """A small cycling dither offset (arcsec) for pattern position `n` (1-based)."""
    return (size * ((n * 7) % 5 - 2) / 2.0, size * ((n * 3) % 5 - 2) / 2.0)


def nircam_mosaic(
    b: ProgramBuilder, observation: int, target: Target, *, tiles: int, dithers: int,
    short_filter: str = "F200W", long_filter: str = "F444W", seconds: float = 472.0, ngroups: int = 7,
) -> list[Combined]:
    """NIRCam imaging, both channels at once on all ten detectors, a dithered mosaic of `tiles` visits.

    image2 per exposure and detector; image3 per channel combining every detector, dither and tile.
    """
    short, long_ = modes.nircam_image(short_filter, "SHORT"), modes.nircam_image(long_filter, "LONG")
    members: dict[str, list[Exposure]] = {"short": [], "long": []}
    for tile in range(1, tiles + 1):
        visit = b.visit(observation, tile, target)
        for n in range(1, dithers + 1):
            east, north = _tile(tile - 1, TILE_STEP, columns=4)
            offset = (east + _dither(n, 3.0)[0], north + _dither(n, 3.0)[1])
            common = dict(activity=1, number=n, seconds=seconds, ngroups=ngroups, patt_num=n, numdthpt=dithers,
                          tile=tile, offset=offset)
            # Both channels expose at the same time: one clock interval, two filters.
            start = b.clock
            sw = b.exposures(visit, short, NIRCAM_SHORT, **common)
            b.clock = start
            lw = b.exposures(visit, long_, NIRCAM_LONG, fine_guidance=False, **common)
            members["short"] += sw
            members["long"] += lw
    combined = []
    for mode, key in ((short, "short"), (long_, "long")):
        b.level2(members[key])
        combined += b.level3(f"o{observation:03d}", mode, [(e, "science") for e in members[key]],
                             asn_type="image3", rule="candidate_Asn_Lv3Image", products=("i2d", "cat", "segm"), crf=True)
    return combined


def miri_imaging(
    b: ProgramBuilder, observation: int, target: Target, *, visits: int, dithers: int, filter_: str = "F1130W",
    seconds: float = 288.6, ngroups: int = 40, nints: int = 2, first_tile: int = 1,
) -> tuple[list[Exposure], list[Combined]]:
    """MIRI imaging, `visits` mosaic tiles of `dithers` positions (tiles numbered from `first_tile`
    within the program's mosaic); image2 and image3."""
    mode = modes.miri_image(filter_)
    exposures = []
    for tile in range(1, visits + 1):
        visit = b.visit(observation, tile, target)
        for n in range(1, dithers + 1):
            east, north = _tile(first_tile + tile - 2, TILE_STEP * 0.6)
            offset = (east + _dither(n, 5.0)[0], north + _dither(n, 5.0)[1])
            exposures += b.exposures(visit, mode, ("mirimage",), activity=3, number=n, seconds=seconds,
                                     ngroups=ngroups, nints=nints, patt_num=n, numdthpt=dithers,
                                     tile=first_tile + tile - 1, offset=offset)
    b.level2(exposures)
    combined = b.level3(f"o{observation:03d}", mode, [(e, "science") for e in exposures], asn_type="image3",
                        rule="candidate_Asn_Lv3Image", products=("i2d", "cat", "segm"), crf=True)
    return exposures, combined


def miri_mosaic(b: ProgramBuilder, candidate: str, exposures: list[Exposure], filter_: str = "F1130W") -> list[Combined]:
    """A candidate-level (`c1NNN`) image3 mosaic across observations of one program."""
    return b.level3(candidate, modes.miri_image(filter_), [(e, "science") for e in exposures], asn_type="image3",
                    rule="candidate_Asn_Lv3Image", products=("i2d", "cat", "segm"), crf=True,
                    candidate_type="mosaic")


def nirspec_mos(
    b: ProgramBuilder, observation: int, target: Target, *, nods: int, sources: list[int],
    filter_: str = "F170LP", grating: str = "G235M", seconds: float = 1312.9,
) -> list[Combined]:
    """NIRSpec MOS: MSA target acquisition, confirmation image, `nods` nodded science exposures on
    both detectors with their MSA metadata file; spec2 with the other nods as background; one
    spec3 association whose product name carries `s{source_id}`, one combined spectrum per source."""
    visit = b.visit(observation, 1, target)
    acq = modes.nirspec_acquisition("NRS_MSATA", "F140X", "FULL", 2048 * 2048)
    confirm = modes.nirspec_acquisition("NRS_CONFIRM", "F140X", "FULL", 2048 * 2048)
    ta = b.exposures(visit, acq, ("nrs1",), activity=1, number=1, seconds=214.7, ngroups=5, visit_group=2,
                     pointing_type="TARGET_ACQUISITION", intent="calibration")
    conf = b.exposures(visit, confirm, NIRSPEC, activity=2, number=1, seconds=87.0, ngroups=3, visit_group=2,
                       pointing_type="TARGET_ACQUISITION", intent="calibration")
    mode = modes.nirspec_mos(filter_, grating)
    science: list[Exposure] = []
    for n in range(1, nods + 1):
        science += b.exposures(visit, mode, NIRSPEC, activity=1, number=n, seconds=seconds, ngroups=20,
                               visit_group=3, patt_num=n, numdthpt=nods, offset=(0.0, 0.5 * (n - (nods + 1) / 2)))
    b.msa_metadata(visit, science, shutters=250 * max(len(sources), 1))
    b.level2(ta + conf)
    b.level2(science, background=lambda e: [o for o in science if o.detector == e.detector and o is not e])
    members = [(e, "science") for e in science] + [(e, "target_acquisition") for e in ta + conf]
    return b.level3(f"o{observation:03d}", mode, members, asn_type="spec3", rule="candidate_Asn_Lv3NRSMOS",
                    products=("s2d", "x1d"), crf=True, sources=sources)


def nircam_coronagraphy(
    b: ProgramBuilder, first_observation: int, target: Target, reference: Target, *, psf_points: int,
    per_roll: int, filter_: str = "F444W", mask: str = "MASKRND", roll_step: float = 10.0,
) -> list[Combined]:
    """NIRCam coronagraphy: a reference-PSF observation on a small-grid dither, then two roll
    observations of the science target, each with target acquisition and confirmation; coron3
    combines both rolls (science) with the reference exposures (psf)."""
    subarray, pixels = "SUB320A335R", 320 * 320
    mode = modes.nircam_coron(filter_, mask, subarray, pixels)
    tacq = modes.nircam_acquisition("NRC_TACQ", "F335M", "SUB64FP1A", 64 * 64)
    tconf = modes.nircam_acquisition("NRC_TACONFIRM", "F335M", subarray, pixels)
    members: list[tuple[Exposure, str]] = []
    acquisitions: list[Exposure] = []
    pa = round(b.rng.uniform(0.0, 340.0), 3)
    plan = [(first_observation, reference, "psf", psf_points, pa)]
    plan += [(first_observation + r, target, "science", per_roll, round(pa + r * roll_step, 3)) for r in (1, 2)]
    for observation, tgt, exptype, count, pa_v3 in plan:
        visit = b.visit(observation, 1, tgt, pa_v3=pa_v3)
        ta = b.exposures(visit, tacq, ("nrcalong",), activity=1, number=1, seconds=10.7, ngroups=3,
                         pointing_type="TARGET_ACQUISITION", intent="calibration")
        conf = b.exposures(visit, tconf, ("nrcalong",), activity=2, number=1, seconds=24.6, ngroups=3,
                           pointing_type="TARGET_ACQUISITION", intent="calibration")
        acquisitions += ta + conf
        intent = "calibration" if exptype == "psf" else "science"
        for n in range(1, count + 1):
            offset = _dither(n, 0.02) if exptype == "psf" else (0.0, 0.0)
            for e in b.exposures(visit, mode, ("nrcalong",), activity=3, number=n, seconds=1024.5 if exptype == "science" else 512.3,
                                 ngroups=10, nints=24 if exptype == "science" else 12, patt_num=n, numdthpt=count,
                                 offset=offset, intent=intent, visit_group=3):
                members.append((e, exptype))
    b.level2(acquisitions)
    b.level2([e for e, _ in members])
    members += [(e, "target_acquisition") for e in acquisitions if e.visit.target is target]
    return b.level3("a3001", mode, members, asn_type="coron3", rule="discover_Asn_Lv3Coron", products=("i2d",),
                    per_member=("psfsub",), candidate_type="coronagraphy")


def nirspec_tso(
    b: ProgramBuilder, observation: int, target: Target, *, segments: int, nints: int, hours: float = 8.2,
    filter_: str = "CLEAR", grating: str = "PRISM",
) -> list[Combined]:
    """NIRSpec bright-object time series: wide-aperture target acquisition, then one long exposure
    split into `segments` files; tso-spec2 per segment, tso3 combining all segments."""
    visit = b.visit(observation, 1, target)
    wata = modes.nirspec_acquisition("NRS_WATA", "F110W", "SUB32", 32 * 32)
    ta = b.exposures(visit, wata, ("nrs1",), activity=1, number=1, seconds=18.9, ngroups=5,
                     pointing_type="TARGET_ACQUISITION", intent="calibration")
    mode = modes.nirspec_bots(filter_, grating, "S1600A1", "SUB512", 512 * 32)
    detectors = ("nrs1",) if grating == "PRISM" else NIRSPEC
    science = b.exposures(visit, mode, detectors, activity=1, number=1, seconds=hours * 3600.0, ngroups=20,
                          nints=nints, segments=segments, visit_group=3)
    b.level2(ta)
    b.level2(science)
    members = [(e, "science") for e in science] + [(e, "target_acquisition") for e in ta]
    return b.level3(f"o{observation:03d}", mode, members, asn_type="tso3", rule="candidate_Asn_Lv3TSO",
                    products=("x1dints", "whtlt"))
