"""The domains of the values MAST and the JWST pipeline write, checked at parse time.

Each check takes a known value (the caller has turned masked ``--``, empty cells, ``NULL``, ``N/A``
and NaN into None and does not call it for those) and raises `BadValue` with the message
``<field>: <reason>`` when the value cannot be true; the loader turns it into a Reject at the
row's ``path:line``. docs/formats.md lists every domain per format with where it comes from.
"""

from __future__ import annotations

import re

from mastgraph.loaders import names
from mastgraph.loaders.tables import BadValue
from mastgraph.model.errors import shown

# --------------------------------------------------------------------------- enumerations

#: ObsCore 1.1 / CAOM-2 ``calib_level`` (MAST "CAOM field descriptions"): 0 raw instrument data,
#: 1 uncalibrated (standard format), 2 calibrated, 3 science product, 4 contributed.
CALIB_LEVELS = frozenset({0, 1, 2, 3, 4})
#: CAOM-2 ``ProductType`` (MAST products' ``productType``), compared in upper case.
PRODUCT_TYPES = frozenset({"SCIENCE", "CALIBRATION", "AUXILIARY", "INFO", "PREVIEW", "THUMBNAIL", "CATALOG",
                           "NOISE", "WEIGHT", "BIAS", "DARK", "FLAT", "WAVECAL"})
#: ObsCore 1.1 ``dataproduct_type`` (MAST adds nothing for JWST), compared in lower case.
DATAPRODUCT_TYPES = frozenset({"image", "cube", "spectrum", "sed", "timeseries", "visibility", "event",
                               "measurements"})
#: CAOM-2 ``ObservationIntentType`` (MAST ``intentType``), compared in lower case.
INTENT_TYPES = frozenset({"science", "calibration"})
#: MAST products' ``type``: S (simple) and C (composite) in MAST's field descriptions; the JWST
#: products API serves D for a Level-3 observation's own products (sample/data/real/listings).
LISTING_TYPES = frozenset({"S", "C", "D"})
#: MAST products' ``dataRights`` (MAST's CAOM field descriptions, astroquery's Observations docs),
#: compared in upper case.
DATA_RIGHTS = frozenset({"PUBLIC", "EXCLUSIVE_ACCESS", "RESTRICTED"})
#: JWST ``EXP_TYPE`` values: the enum of stdatamodels' ``keyword_exptype.schema.yaml``.
EXP_TYPES = frozenset({
    "FGS_DARK", "FGS_FOCUS", "FGS_IMAGE", "FGS_INTFLAT", "FGS_SKYFLAT",
    "FGS_ACQ1", "FGS_ACQ2", "FGS_FINEGUIDE", "FGS_ID-IMAGE", "FGS_ID-STACK", "FGS_TRACK",
    "MIR_4QPM", "MIR_CORONCAL", "MIR_DARKALL", "MIR_DARKIMG", "MIR_DARKMRS", "MIR_FLATIMAGE",
    "MIR_FLATIMAGE-EXT", "MIR_FLATMRS", "MIR_FLATMRS-EXT", "MIR_IMAGE", "MIR_LRS-FIXEDSLIT",
    "MIR_LRS-SLITLESS", "MIR_LYOT", "MIR_MRS", "MIR_TACONFIRM", "MIR_TACQ", "MIR_WFSS",
    "NIS_AMI", "NIS_DARK", "NIS_EXTCAL", "NIS_FOCUS", "NIS_IMAGE", "NIS_LAMP", "NIS_SOSS", "NIS_TACQ",
    "NIS_TACONFIRM", "NIS_WFSS",
    "NRC_CORON", "NRC_DARK", "NRC_FOCUS", "NRC_GRISM", "NRC_IMAGE", "NRC_WFSS", "NRC_LED", "NRC_WFSC",
    "NRC_TACONFIRM", "NRC_TACQ", "NRC_TSGRISM", "NRC_TSIMAGE",
    "NRS_AUTOFLAT", "NRS_AUTOWAVE", "NRS_BRIGHTOBJ", "NRS_CONFIRM", "NRS_DARK", "NRS_FIXEDSLIT",
    "NRS_FOCUS", "NRS_IFU", "NRS_IMAGE", "NRS_LAMP", "NRS_MIMF", "NRS_MSASPEC", "NRS_MSATA",
    "NRS_TACONFIRM", "NRS_TACQ", "NRS_TASLIT", "NRS_VERIFY", "NRS_WATA",
})
#: JWST ``INSTRUME`` values (stdatamodels ``keyword_instrument``), compared in upper case.
INSTRUMENTS = frozenset({"NIRCAM", "NIRSPEC", "MIRI", "NIRISS", "FGS"})

# --------------------------------------------------------------------------- physical ranges

#: The mission's life in MJD (UTC): from 2013-01-01, before the first cryo-vacuum tests of the
#: science instruments whose exposures the jwst pipeline's test data carry (``test1_cal.fits``:
#: EXPSTART 59243, January 2021, before the launch on 2021-12-25), to 2050-01-01, beyond the
#: 20 years of propellant the launch left (NASA, 2022). Release dates (t_obs_release) lie in it too.
MISSION_START_MJD = 56293.0
MISSION_END_MJD = 69807.0


def mjd(value: float, field: str) -> float:
    if not MISSION_START_MJD <= value <= MISSION_END_MJD:
        raise BadValue(f"{field}: MJD {shown(value)} is outside the mission's life "
                       f"({MISSION_START_MJD:.0f} to {MISSION_END_MJD:.0f}, 2013-01-01 to 2050-01-01)")
    return value


def not_after(start: float | None, end: float | None, start_field: str, end_field: str) -> None:
    if start is not None and end is not None and start > end:
        raise BadValue(f"{start_field}: {shown(start)} is after {end_field} {shown(end)}")


def not_negative(value: float | int, field: str) -> float | int:
    if value < 0:
        raise BadValue(f"{field}: {shown(value)} is negative")
    return value


def right_ascension(value: float, field: str) -> float:
    """ICRS right ascension in degrees, [0, 360] (CAOM ``s_ra``, FITS ``TARG_RA``)."""
    if not 0.0 <= value <= 360.0:
        raise BadValue(f"{field}: {shown(value)} is not a right ascension (0 to 360 degrees)")
    return value


def declination(value: float, field: str) -> float:
    """ICRS declination in degrees, [-90, 90] (CAOM ``s_dec``, FITS ``TARG_DEC``)."""
    if not -90.0 <= value <= 90.0:
        raise BadValue(f"{field}: {shown(value)} is not a declination (-90 to 90 degrees)")
    return value


# --------------------------------------------------------------------------- enumerated values

def calib_level(value: int, field: str = "calib_level") -> int:
    if value not in CALIB_LEVELS:
        raise BadValue(f"{field}: {shown(value)} is not a calibration level (0 to 4)")
    return value


def one_of(value: str, domain: frozenset[str], field: str, case: str = "") -> str:
    """`value` when it is in `domain` (compared in upper or lower case when `case` says so)."""
    compared = value.upper() if case == "upper" else value.lower() if case == "lower" else value
    if compared not in domain:
        raise BadValue(f"{field}: {shown(value)} is not one of {', '.join(sorted(domain))}")
    return value


def instrument(value: str, field: str = "INSTRUME", modes: bool = False) -> str:
    """A JWST instrument, in any case; with `modes`, MAST's ``instrument_name`` form ``<instrument>/<mode>``."""
    name = value.split("/", 1)[0] if modes else value
    if name.upper() not in INSTRUMENTS:
        mode = ", with an optional /<mode>" if modes else ""
        raise BadValue(f"{field}: {shown(value)} is not a JWST instrument ({', '.join(sorted(INSTRUMENTS))}{mode})")
    return value


def exp_type(value: str, field: str = "EXP_TYPE") -> str:
    if value.upper() not in EXP_TYPES and value.upper() not in ("N/A", "ANY"):
        raise BadValue(f"{field}: {shown(value)} is not a JWST exposure type (stdatamodels keyword_exptype)")
    return value


# --------------------------------------------------------------------------- identities

#: A product's calibration level by the level its file name gives (docs/model.md): 1b -> 1,
#: 2a and 2b -> 2, 3 -> 3. MAST's ``calib_level`` 4 (contributed) may hold any product.
LEVEL_OF_NAME = {"1b": 1, "2a": 2, "2b": 2, "3": 3}


def level_agrees(name_level: str | None, row_level: int | None, filename: str) -> None:
    if name_level is None or row_level is None or row_level == 4:
        return
    expected = LEVEL_OF_NAME.get(name_level)
    if expected is not None and expected != row_level:
        raise BadValue(f"calib_level: {row_level} disagrees with the file name {shown(filename)} "
                       f"(a level-{name_level} product is calib_level {expected})")


_OBS_ID_PROGRAM = re.compile(r"^jw(\d{5})", re.IGNORECASE | re.ASCII)
_OBS_ID_OBSERVATION = re.compile(r"^jw\d{5}(\d{3})\d{3}_", re.IGNORECASE | re.ASCII)
_OBS_ID_L3_OBSERVATION = re.compile(r"^jw\d{5}-o(\d{3})_", re.IGNORECASE | re.ASCII)


def obs_id_program(obs_id: str | None) -> str | None:
    match = _OBS_ID_PROGRAM.match(obs_id or "")
    return match[1] if match else None


def obs_id_agrees(obs_id: str | None, program: str | None, observation: str | None = None) -> None:
    """An obs_id names its program (and observation number): they must be the row's."""
    if obs_id is None:
        return
    named = obs_id_program(obs_id)
    if program is not None and named is not None and named != program:
        raise BadValue(f"obs_id: {shown(obs_id)} names program {named}, the row's proposal_id is {int(program)}")
    if observation is None:
        return
    match = _OBS_ID_OBSERVATION.match(obs_id) or _OBS_ID_L3_OBSERVATION.match(obs_id)
    if match and int(match[1]) != int(observation):
        raise BadValue(f"obs_id: {shown(obs_id)} names observation {int(match[1])}, the row's is {observation}")


# --------------------------------------------------------------------------- references

#: A CRDS reference file name (CRDS ``jwst`` naming: ``jwst_<instrument>_<reftype>_<NNNN>.<ext>``;
#: ``system`` files are not per instrument).
CRDS_REFERENCE = re.compile(
    r"^jwst_(?P<instrument>nircam|nirspec|miri|niriss|fgs|system)_(?P<reftype>[a-z0-9]+(?:_[a-z0-9]+)*?)"
    r"_\d{4}\.(?:fits|asdf|json|yaml)$", re.ASCII)
#: A CRDS context (the ``CRDS_CTX`` keyword): the pipeline mapping ``jwst_<NNNN>.pmap``.
CRDS_CONTEXT = re.compile(r"^jwst_\d{4}\.pmap$", re.ASCII)
#: What a pool file name may be: a plain file name (the association generator writes the pool's
#: base name, with or without ``.csv``: ``jw00632_dups.csv``, ``jw00636_20210129t021306_pool``).
_PLAIN_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$")


def crds_reference(keyword: str, value: str, instrument: str | None) -> None:
    """An ``R_*`` value: ``crds://<CRDS name>`` of the header's instrument, or a user's file name
    (stpipe records an override as given); never a ``crds://`` value that is not a CRDS name."""
    if value.lower().startswith("crds://"):
        name = value[len("crds://"):]
        match = CRDS_REFERENCE.match(name.lower())
        if not match:
            raise BadValue(f"{keyword}: {shown(value)} is not a CRDS reference name "
                           "(crds://jwst_<instrument>_<reftype>_<NNNN>.<ext>)")
        named = match["instrument"]
        if instrument is not None and named not in ("system", instrument.lower()):
            raise BadValue(f"{keyword}: {shown(value)} is a {named} reference file in a {instrument.upper()} header")
        return
    if not value.strip() or any(c.isspace() for c in value.strip()):
        raise BadValue(f"{keyword}: {shown(value)} is not a reference file name")


def crds_context(value: str, field: str = "CRDS_CTX") -> str:
    if not CRDS_CONTEXT.match(value):
        raise BadValue(f"{field}: {shown(value)} is not a CRDS context name (jwst_<NNNN>.pmap)")
    return value


def pool_name(value: str, field: str) -> str:
    """A pool's name: a plain file name; one in the form of a JWST pool must follow its rule."""
    base = value[:-4] if value.lower().endswith(".csv") else value
    if not _PLAIN_FILE_NAME.match(value):
        raise BadValue(f"{field}: {shown(value)} is not a pool file name")
    if base.lower().startswith("jw") and base.lower().endswith("_pool"):
        try:
            names.parse_shared(base + ".csv")
        except names.BadName as exc:
            raise BadValue(f"{field}: {exc}") from None
    return value


def msa_file_name(value: str, field: str = "MSAMETFL") -> str:
    """An MSA metadata file: ``jw<ppppp><ooo><vvv>_<NN>_msa.fits`` (JWST file naming)."""
    try:
        parsed = names.parse_shared(value)
    except names.BadName as exc:
        raise BadValue(f"{field}: {exc}") from None
    if parsed.form != "msa" or parsed.extension != "fits":
        raise BadValue(f"{field}: {shown(value)} is not an MSA metadata file name (jw<ppppp><ooo><vvv>_<NN>_msa.fits)")
    return value


# --------------------------------------------------------------------------- structure across rows

class ParentForest:
    """The ``parent_obsid`` links of one file (a parent other than the row's own obsID): an
    observation is a member of Level-3 observations, which are members of none, so the links
    form a forest (an exposure may sit under several Level-3 parents); a cycle cannot be true."""

    __slots__ = ("parents",)

    def __init__(self) -> None:
        self.parents: dict[str, set[str]] = {}

    def add(self, child: str, parent: str) -> None:
        """Add the link; `BadValue` when it closes a cycle through several observations."""
        known = self.parents.get(child)
        if known is not None and parent in known:
            return
        path = self._path(parent, child)
        if path is not None:
            cycle = " -> ".join([child, *path])
            raise BadValue(f"parent_obsid: {parent} makes a cycle of parents ({cycle})")
        self.parents.setdefault(child, set()).add(parent)

    def _path(self, start: str, goal: str) -> list[str] | None:
        """The parents from `start` up to `goal`, if `goal` is an ancestor of (or is) `start`."""
        stack = [(start, [start])]
        seen = set()
        while stack:
            node, path = stack.pop()
            if node == goal:
                return path
            if node in seen:
                continue
            seen.add(node)
            for parent in self.parents.get(node, ()):
                stack.append((parent, [*path, parent]))
        return None
