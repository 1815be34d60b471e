"""JWST and MAST file names, built by the rules of the JWST file-naming schemes.

Exposure: ``jw<ppppp><ooo><vvv>_<gg><s><aa>_<eeeee>[-segNNN]_<detector>``;
Level 3: ``jw<ppppp>-<acid>_<target|source>_<instrument>_<optical elements>[-<subarray>]``;
guide star, MSA metadata, association, pool and EDB names as MAST serves them.
"""

from __future__ import annotations

MAST_PRODUCT = "mast:JWST/product/"


def visit_id(program: int, observation: int, visit: int) -> str:
    """`02733002001`: program, observation and visit, zero padded."""
    return f"{program:05d}{observation:03d}{visit:03d}"


def exposure_basename(
    program: int,
    observation: int,
    visit: int,
    visit_group: int,
    sequence: int,
    activity: int,
    exposure: int,
    detector: str,
    segment: int | None = None,
) -> str:
    """`jw02733002001_02103_00001_mirimage` (with `-seg001` after the exposure when segmented)."""
    seg = f"-seg{segment:03d}" if segment else ""
    return (
        f"jw{visit_id(program, observation, visit)}_{visit_group:02d}{sequence:1d}{activity:02d}"
        f"_{exposure:05d}{seg}_{detector}"
    )


def level3_basename(program: int, acid: str, target: str, instrument: str, optical: str) -> str:
    """`jw02733-o002_t001_miri_f1130w`; `target` is `t001`, a source `s00001`, or `s{source_id}`."""
    return f"jw{program:05d}-{acid}_{target}_{instrument}_{optical}"


def product_filename(stem: str, suffix: str, ext: str = "fits", asn_id: str | None = None) -> str:
    """`<stem>[_<asn id>]_<suffix>.<ext>`: `..._mirimage_o002_crf.fits`, `..._i2d.fits`."""
    middle = f"_{asn_id}" if asn_id else ""
    return f"{stem}{middle}_{suffix}.{ext}"


def guide_star_filename(
    program: int, observation: int, visit: int, kind: str, stamp: str, suffix: str, segment: int | None = None
) -> str:
    """`jw01019001001_gs-acq1_2022117003102_uncal.fits` (kind: id, acq1, acq2, track, fg)."""
    seg = f"-seg{segment:03d}" if segment else ""
    return f"jw{visit_id(program, observation, visit)}_gs-{kind}_{stamp}{seg}_{suffix}.fits"


def msa_filename(program: int, observation: int, visit: int, number: int) -> str:
    """`jw01345066001_01_msa.fits`: NIRSpec MSA metadata of a visit."""
    return f"jw{visit_id(program, observation, visit)}_{number:02d}_msa.fits"


def asn_filename(program: int, acid: str, version: str, asn_type: str, counter: int) -> str:
    """`jw09505-o001_20251216t202003_image2_00001_asn.json`."""
    return f"jw{program:05d}-{acid}_{version}_{asn_type}_{counter:05d}_asn.json"


def pool_filename(program: int, version: str) -> str:
    """`jw09505_20251216t202003_pool.csv`."""
    return f"jw{program:05d}_{version}_pool.csv"


def edb_filename(mnemonic: str, start: str, end: str) -> str:
    """`SA_ZATTEST2-20220202T222458-20220202T222459.csv` (start/end: `timeline.edb_stamp`)."""
    return f"{mnemonic}-{start}-{end}.csv"


def data_uri(filename: str) -> str:
    return MAST_PRODUCT + filename
