"""Time on the JWST archive: MJD (UTC) and the string forms JWST/MAST file names and files use."""

from __future__ import annotations

from datetime import datetime, timedelta

MJD_EPOCH = datetime(1858, 11, 17)
SECOND = 1.0 / 86400.0


def to_datetime(mjd: float) -> datetime:
    """The UTC date-time of an MJD, to the microsecond."""
    return MJD_EPOCH + timedelta(microseconds=round(mjd * 86400e6))


def version_id(mjd: float) -> str:
    """The association/pool version id, `20221122t175636`."""
    return to_datetime(mjd).strftime("%Y%m%dt%H%M%S")


def edb_stamp(mjd: float) -> str:
    """The time stamp of an EDB file name, `20220202T222458`."""
    return to_datetime(mjd).strftime("%Y%m%dT%H%M%S")


def guide_star_stamp(mjd: float) -> str:
    """The time stamp of a guide-star file name: year, day of year, hhmmss (`2022117003102`)."""
    return to_datetime(mjd).strftime("%Y%j%H%M%S")


def iso(mjd: float, sep: str = "T") -> str:
    """ISO date-time to the millisecond, as in FITS DATE-BEG (`2021-01-29T00:21:23.407`)."""
    moment = to_datetime(mjd)
    return moment.strftime(f"%Y-%m-%d{sep}%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
