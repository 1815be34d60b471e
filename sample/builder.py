"""Builds one program as the observatory and the JWST pipeline would leave it in the archive.

The builder keeps the observatory clock (visits and exposures follow each other in MJD) and
makes, for each exposure, the files its pipeline stages write; for each Level-2 and Level-3
association, the association and what it produces. Program kinds (`kinds.py`) call it.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from . import names, sizes
from .archive import Association, Combined, Exposure, Link, Member, Product, Program, Segment, Target, Visit
from .asnfile import constraints
from .crds import Context
from .modes import Mode
from .suffixes import AUXILIARY, EXPOSURE_MRP, GUIDE_STAR_DESCRIPTIONS, GUIDE_STAR_SUBGROUPS, PREVIEW, SUFFIXES, THUMBNAIL
from .timeline import SECOND, guide_star_stamp, version_id

#: When the newer context's reprocessing ran (MJD, 2024-03-11): products processed under it are
#: dated after this.
REPROCESSING = 60380.0


class Obsids:
    """MAST obsids, handed out in generation order across the whole archive."""

    def __init__(self, first: int = 87_600_001) -> None:
        self.next = first

    def __call__(self) -> int:
        value = self.next
        self.next += 1
        return value


def _product(filename: str, suffix: str, level: int, size: int, *, mrp: bool = False, header: bool = False) -> Product:
    kind = SUFFIXES[suffix]
    return Product(filename, suffix, level, kind.product_type, kind.subgroup, kind.description, size, mrp, header)


class ProgramBuilder:
    def __init__(
        self,
        program: int,
        *,
        pi: str,
        title: str,
        context: Context,
        rng: random.Random,
        obsids: Obsids,
        start: float,
        release_delay: float = 365.0,
    ) -> None:
        self.program = Program(program, pi, title, context, "", release_delay)
        self.rng = rng
        self.obsids = obsids
        self.clock = start
        self._counters: dict[tuple[str, str], int] = defaultdict(int)
        self._targets: list[Target] = []

    # -- targets and visits -------------------------------------------------------------------

    def target(self, name: str, classification: str, ra: float, dec: float, proposer_name: str | None = None) -> Target:
        target = Target(len(self._targets) + 1, name, proposer_name or name.upper().replace(" ", "-"),
                        classification, ra, dec)
        self._targets.append(target)
        return target

    def wait(self, days: float) -> None:
        self.clock += days

    def visit(self, observation: int, visit: int, target: Target, pa_v3: float | None = None) -> Visit:
        """A new visit: slew, then guide-star identification, acquisition and track."""
        self.clock += self.rng.uniform(0.008, 0.03)
        pa = pa_v3 if pa_v3 is not None else round(self.rng.uniform(0.0, 360.0), 3)
        v = Visit(self.program.program, observation, visit, target, self.clock, pa)
        for kind, offset, seconds in (("id", 0, 60), ("acq1", 95, 40), ("acq2", 140, 40), ("track", 190, 120)):
            stamp = guide_star_stamp(self.clock + offset * SECOND)
            for suffix, level in (("uncal", 1), ("cal", 2)):
                v.pending_guide_star.append(self._guide_star(v, kind, stamp, suffix, level, seconds, None))
        self.clock += 330 * SECOND
        return v

    def _guide_star(self, v: Visit, kind: str, stamp: str, suffix: str, level: int, seconds: float,
                    segment: int | None) -> Product:
        filename = names.guide_star_filename(v.program, v.observation, v.visit, kind, stamp, suffix, segment)
        return Product(filename, f"gs-{kind}", level, AUXILIARY, GUIDE_STAR_SUBGROUPS[kind],
                       GUIDE_STAR_DESCRIPTIONS[suffix], sizes.guide_star(kind, suffix, seconds, self.rng))

    # -- exposures ----------------------------------------------------------------------------

    def exposures(
        self,
        visit: Visit,
        mode: Mode,
        detectors: Sequence[str],
        *,
        activity: int,
        number: int,
        seconds: float,
        visit_group: int = 2,
        sequence: int = 1,
        pointing_type: str = "SCIENCE",
        intent: str = "science",
        nints: int = 1,
        ngroups: int = 5,
        segments: int = 0,
        patt_num: int = 1,
        numdthpt: int = 1,
        tile: int = 1,
        offset: tuple[float, float] = (0.0, 0.0),
        fine_guidance: bool = True,
    ) -> list[Exposure]:
        """One exposure read out simultaneously on `detectors`; the clock moves past it.

        The fine-guidance files of the exposure are listed under its first detector; a second
        call for the other channel of the same exposure passes `fine_guidance=False`.
        """
        t0 = self.clock
        t1 = t0 + seconds * SECOND
        bounds = [(t0 + (t1 - t0) * i / segments, t0 + (t1 - t0) * (i + 1) / segments) for i in range(segments)]
        ra, dec = _offset(visit.target, offset)
        made = []
        for detector in detectors:
            def stem(segment: int | None, _d: str = detector) -> str:
                return names.exposure_basename(visit.program, visit.observation, visit.visit, visit_group,
                                               sequence, activity, number, _d, segment)

            segs = [Segment(stem(i + 1), i + 1, a, b) for i, (a, b) in enumerate(bounds)] or [Segment(stem(None), None, t0, t1)]
            e = Exposure(
                self.obsids(), stem(None), visit, mode, detector, visit_group, sequence, activity, number, segs,
                t0, t1, round(seconds * 0.968, 3), nints, ngroups, ra, dec, intent, pointing_type, patt_num,
                numdthpt, tile, [(f"o{visit.observation:03d}", "observation")],
            )
            e.products = self._exposure_products(e)
            made.append(e)
        first = made[0]
        for seg in first.segments if fine_guidance else ():
            stamp = guide_star_stamp(seg.t_min)
            length = (seg.t_max - seg.t_min) / SECOND
            for suffix, level in (("stream", 1), ("cal", 2)):
                first.products.append(self._guide_star(visit, "fg", stamp, suffix, level, length, seg.number))
        if pointing_type == "SCIENCE" and visit.pending_guide_star:
            first.products.extend(visit.pending_guide_star)
            visit.pending_guide_star = []
        self.program.exposures.extend(made)
        self.clock = t1 + self.rng.uniform(18.0, 75.0) * SECOND
        return made

    def _exposure_products(self, e: Exposure) -> list[Product]:
        mode, rng = e.mode, self.rng
        nints = math.ceil(e.nints / len(e.segments))  # integrations per segment file
        out = []
        for seg in e.segments:
            for suffix in ("uncal", "rate", "rateints"):
                size = sizes.exposure_file(suffix, mode, nints, e.ngroups, rng)
                out.append(_product(f"{seg.stem}_{suffix}.fits", suffix, 1 if suffix == "uncal" else 2, size))
            for i, suffix in enumerate(mode.stage2):
                size = sizes.exposure_file(suffix, mode, nints, e.ngroups, rng)
                out.append(_product(f"{seg.stem}_{suffix}.fits", suffix, 2, size,
                                    mrp=suffix in EXPOSURE_MRP, header=i == 0))
            if mode.previews:
                out.extend(self._previews(f"{seg.stem}_{mode.stage2[0]}", 2))
        return out

    def _previews(self, shown: str, level: int) -> list[Product]:
        """`<basename>_<suffix>.jpg` and its `_thumb.jpg`, at the level of the product shown."""
        suffix = shown.rsplit("_", 1)[1]
        return [
            Product(f"{shown}.jpg", suffix, level, PREVIEW, suffix.upper(), "Preview-Full", sizes.preview(self.rng)),
            Product(f"{shown}_thumb.jpg", "thumb", level, THUMBNAIL, "THUMB", "Preview-Thumb", sizes.thumbnail(self.rng)),
        ]

    def msa_metadata(self, visit: Visit, exposures: Iterable[Exposure], number: int = 1, shutters: int = 800) -> str:
        """The visit's MSA metadata file, listed under each MOS exposure and named by their MSAMETFL."""
        filename = names.msa_filename(visit.program, visit.observation, visit.visit, number)
        product = _product(filename, "msa", 2, sizes.msa_metadata(shutters, self.rng), header=True)
        for e in exposures:
            e.msa_file = filename
            e.products.append(product)
        return filename

    # -- associations -------------------------------------------------------------------------

    def _association(self, acid: str, asn_type: str, rule: str, target: str, name: str, members: list[Member],
                     level: int, mode: Mode, candidate_type: str) -> Association:
        self._counters[(acid, asn_type)] += 1
        counter = self._counters[(acid, asn_type)]
        product = _product("", "asn", level, 0)  # named and sized once the program's version id is known
        asn = Association(
            self.program.program, acid, "", asn_type, counter, rule, target, "",
            constraints(self.program.program, mode, acid, candidate_type, level), name, members, level, product,
        )
        self.program.associations.append(asn)
        return asn

    def level2(self, exposures: Iterable[Exposure], background: Callable[[Exposure], list[Exposure]] | None = None) -> None:
        """One Level-2 association per exposure (per segment): its rate/rateints -> product named by the exposure."""
        for e in exposures:
            acid = e.candidates[0][0]
            others = background(e) if background else []
            for seg in e.segments:
                members = [Member(f"{seg.stem}_{e.mode.level2_input}.fits", "science", e)]
                members += [Member(f"{o.segments[0].stem}_{o.mode.level2_input}.fits", "background", o) for o in others]
                asn = self._association(acid, e.mode.level2, e.mode.level2_rule, str(e.visit.target.number),
                                        seg.stem, members, 2, e.mode, "observation")
                e.products.append(asn.product)

    def level3(
        self,
        acid: str,
        mode: Mode,
        members: Sequence[tuple[Exposure, str]],
        *,
        asn_type: str,
        rule: str,
        products: Sequence[str],
        crf: bool = False,
        per_member: Sequence[str] = (),
        sources: Sequence[int] = (),
        candidate_type: str = "observation",
    ) -> list[Combined]:
        """A Level-3 association of calibrated exposures and the combined observation(s) it makes.

        With `sources`, the product name carries `s{source_id}` and each source is its own combined
        observation (multiplicity). `crf` adds each science member's `<stem>_<acid>_crf.fits`;
        `per_member` suffixes are Level-3 files per science member (`psfsub`).
        """
        program = self.program.program
        science = [e for e, exptype in members if exptype == "science"]
        label = f"t{science[0].visit.target.number:03d}"
        template = "s{source_id}" if sources else label
        name = names.level3_basename(program, acid, template, mode.instrument_lc, mode.optical)
        asn_members = [Member(e.calibrated(seg), exptype, e) for e, exptype in members for seg in e.segments]
        asn = self._association(acid, asn_type, rule, label, name, asn_members, 3, mode, candidate_type)
        exposures = list(dict.fromkeys(e for e, _ in members))
        if acid.startswith("c"):  # an association candidate: the pool lists it for each member
            for e in exposures:
                if (acid, candidate_type) not in e.candidates:
                    e.candidates.append((acid, candidate_type))
        if crf:
            for e in science:
                for seg in e.segments:
                    filename = names.product_filename(seg.stem, "crf", asn_id=acid)
                    size = sizes.exposure_file("crf", mode, e.nints, e.ngroups, self.rng)
                    e.products.append(_product(filename, "crf", 2, size))
        nints = sum(e.nints for e in science)
        combined = []
        for lab in [f"s{s:05d}" for s in sources] or [label]:
            base = names.level3_basename(program, acid, lab, mode.instrument_lc, mode.optical)
            c = Combined(self.obsids(), base, acid, mode, science[0].visit.target, exposures, asn)
            for suffix in products:
                kind = SUFFIXES[suffix]
                size = sizes.combined_file(suffix, mode, len(science), nints, self.rng)
                c.products.append(_product(names.product_filename(base, suffix, kind.ext), suffix, 3, size,
                                           mrp=True, header=kind.ext == "fits"))
            if mode.previews:
                c.products.extend(self._previews(f"{base}_{products[0]}", 3))
            for suffix in per_member:
                for e in science:
                    for seg in e.segments:
                        size = sizes.combined_file(suffix, mode, 1, e.nints, self.rng)
                        c.products.append(_product(names.product_filename(seg.stem, suffix, asn_id=acid), suffix, 3,
                                                   size, mrp=True, header=True))
            c.products.append(asn.product)
            combined.append(c)
        self.program.combined.extend(combined)
        return combined

    def link(self, from_uri: str, type_: str, to_uri: str, kind: str = "") -> None:
        self.program.links.append(Link(from_uri, type_, to_uri, kind))

    # -- completion ---------------------------------------------------------------------------

    def build(self) -> Program:
        """Date the processing, name the associations and the pool, and hand the program over."""
        p = self.program
        processed = self.clock + self.rng.uniform(1.0, 4.0)
        if p.context.index:
            processed = max(processed, REPROCESSING + self.rng.uniform(0.0, 120.0))
        p.version = version_id(processed)
        for asn in p.associations:
            asn.version = p.version
            asn.pool = p.pool_name
            asn.product.filename = names.asn_filename(p.program, asn.acid, p.version, asn.asn_type, asn.counter)
        home = next(e for e in p.exposures if e.pointing_type == "SCIENCE")
        p.pool_product = _product(names.pool_filename(p.program, p.version), "pool", 2, 0)
        home.products.append(p.pool_product)
        return p


def _offset(target: Target, offset: tuple[float, float]) -> tuple[float, float]:
    """Pointing offset by (east, north) arcseconds from the target."""
    east, north = offset
    dec = target.dec + north / 3600.0
    ra = (target.ra + east / 3600.0 / max(math.cos(math.radians(dec)), 1e-6)) % 360.0
    return round(ra, 7), round(dec, 7)
