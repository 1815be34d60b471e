"""The synthetic archive, one program at a time: targets, visits, exposures, combined observations,
associations and their products, as MAST and the JWST pipeline know them.

A `Program` is built in memory (it is small), written out file by file, then dropped: the archive
as a whole is never held. Every product has one home observation (its listing `obsID`); it is
repeated, with identical values, under every Level-3 observation that has that one as a member.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .crds import Context
from .modes import Mode

#: The MJD the synthetic archive is "as of" (2025-01-27): decides PUBLIC vs EXCLUSIVE_ACCESS.
ARCHIVE_DATE = 60702.0


@dataclass(slots=True)
class Target:
    number: int  # TARGETID within the program
    name: str  # TARGNAME
    proposer_name: str  # TARGPROP
    classification: str
    ra: float
    dec: float


@dataclass(slots=True, eq=False)
class Product:
    filename: str
    suffix: str
    calib_level: int
    product_type: str
    subgroup: str
    description: str
    size: int
    mrp: bool = False  # MAST's flag in the listing of the product's home observation
    header: bool = False  # a small FITS file with its header is written


@dataclass(slots=True, eq=False)
class Visit:
    program: int
    observation: int
    visit: int
    target: Target
    start: float
    pa_v3: float
    pending_guide_star: list[Product] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Segment:
    """The files of one exposure (or of one segment of a segmented exposure) share one stem."""

    stem: str  # jw..._00001-seg001_nrs1
    number: int | None  # segment number, None when not segmented
    t_min: float
    t_max: float


@dataclass(slots=True, eq=False)
class Exposure:
    """One exposure on one detector: a MAST exposure-level observation."""

    obsid: int
    obs_id: str
    visit: Visit
    mode: Mode
    detector: str
    visit_group: int
    sequence: int
    activity: int
    number: int
    segments: list[Segment]
    t_min: float
    t_max: float
    exptime: float
    nints: int
    ngroups: int
    ra: float
    dec: float
    intent: str  # science, calibration
    pointing_type: str  # SCIENCE, TARGET_ACQUISITION (pool PNTGTYPE)
    patt_num: int
    numdthpt: int
    tile: int
    candidates: list[tuple[str, str]] = field(default_factory=list)  # (acid, candidate type)
    products: list[Product] = field(default_factory=list)
    msa_file: str | None = None

    @property
    def segmented(self) -> bool:
        return self.segments[0].number is not None

    def calibrated(self, segment: Segment) -> str:
        """The Level-2b file a Level-3 association takes as input (`cal` or `calints`)."""
        return f"{segment.stem}_{self.mode.stage2[0]}.fits"


@dataclass(slots=True, eq=False)
class Member:
    expname: str
    exptype: str
    exposure: Exposure | None = None  # whose pool candidates the Level-3 member lists


@dataclass(slots=True, eq=False)
class Association:
    program: int
    acid: str
    version: str
    asn_type: str
    counter: int
    rule: str
    target: str
    pool: str
    constraints: str
    name: str  # the product name
    members: list[Member]
    level: int
    product: Product

    @property
    def filename(self) -> str:
        return self.product.filename


@dataclass(slots=True, eq=False)
class Combined:
    """A Level-3 (combined) observation: one product of a Level-3 association, or one source of it."""

    obsid: int
    obs_id: str
    acid: str
    mode: Mode
    target: Target
    members: list[Exposure]  # every exposure the association names, in order
    association: Association
    products: list[Product] = field(default_factory=list)
    intent: str = "science"

    @property
    def science(self) -> list[Exposure]:
        return [m for m in self.members if m.pointing_type == "SCIENCE"]

    @property
    def t_min(self) -> float:
        return min(m.t_min for m in self.science)

    @property
    def t_max(self) -> float:
        return max(m.t_max for m in self.science)


@dataclass(slots=True)
class Link:
    """A curated relationship MAST files cannot express (`links.csv`)."""

    from_uri: str
    type: str
    to_uri: str
    kind: str = ""


@dataclass(slots=True, eq=False)
class Program:
    program: int
    pi: str
    title: str
    context: Context
    version: str  # association/pool version id (set when the program is complete)
    release_delay: float  # days of exclusive access after an observation ends
    exposures: list[Exposure] = field(default_factory=list)
    combined: list[Combined] = field(default_factory=list)
    associations: list[Association] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    pool_product: Product | None = None

    @property
    def pool_name(self) -> str:
        """The pool's name as ASNPOOL gives it (the file name without `.csv`)."""
        return f"jw{self.program:05d}_{self.version}_pool"

    def data_rights(self, t_max: float) -> str:
        return "PUBLIC" if self.release(t_max) <= ARCHIVE_DATE else "EXCLUSIVE_ACCESS"

    def release(self, t_max: float) -> float:
        return t_max + self.release_delay
