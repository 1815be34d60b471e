"""The JWST/MAST format rules the sample must follow, written from the format facts
(`sample/data/real/README.md`) independently of the generator, and plain readers of its files."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

REAL = Path(__file__).resolve().parents[2] / "sample" / "data" / "real"

EXPOSURE = r"jw\d{5}\d{3}\d{3}_\d{2}\d[0-9a-z]{2}_\d{5}(?:-seg\d{3})?_[a-z0-9]+"
LEVEL3 = r"jw\d{5}-(?:o\d{3}|c\d{4}|a\d{4}|r\d{4})_(?:t\d{3}|s\d{5})_[a-z]+_[a-z0-9]+(?:-[a-z0-9]+)*"
SUFFIX = r"[a-z0-9]+"
ASN_ID = r"(?:o\d{3}|c\d{4}|a\d{4}|r\d{4})"

RULES = {
    "exposure": re.compile(rf"^(?P<stem>{EXPOSURE})(?:_{ASN_ID})?_(?P<suffix>{SUFFIX})\.fits$"),
    "level3": re.compile(rf"^(?P<stem>{LEVEL3})_(?P<suffix>{SUFFIX})\.(?:fits|ecsv)$"),
    "preview": re.compile(rf"^(?:{EXPOSURE}|{LEVEL3})_{SUFFIX}(?:_thumb)?\.jpg$"),
    "guide_star": re.compile(r"^jw\d{11}_gs-(?:id|acq1|acq2|track|fg)_(?P<stamp>\d{13})(?:-seg\d{3})?_(?:uncal|cal|stream)\.fits$"),
    "msa": re.compile(r"^jw\d{11}_\d{2}_msa\.fits$"),
    "asn": re.compile(r"^jw\d{5}-" + ASN_ID + r"_\d{8}t\d{6}_(?:image2|spec2|tso-image2|tso-spec2|image3|spec3|coron3|tso3|ami3)_\d{5}_asn\.json$"),
    "pool": re.compile(r"^jw\d{5}_\d{8}[tT]\d{6}_pool\.csv$"),
}
EDB_FILE = re.compile(r"^(?P<mnemonic>[A-Z0-9_]+)-(?P<start>\d{8}T\d{6})-(?P<end>\d{8}T\d{6})\.csv$")
EXPOSURE_OBS_ID = re.compile(rf"^{EXPOSURE}$")
LEVEL3_OBS_ID = re.compile(rf"^{LEVEL3}$")
REFERENCE = re.compile(r"^crds://jwst_(nircam|miri|nirspec|niriss|fgs)_[a-z0-9]+_\d{4}\.(fits|asdf|json)$")

LISTING_COLUMNS = [
    "obsID", "obs_collection", "dataproduct_type", "obs_id", "description", "type", "dataURI", "productType",
    "productGroupDescription", "productSubGroupDescription", "productDocumentationURL", "project", "prvversion",
    "proposal_id", "productFilename", "size", "parent_obsid", "dataRights", "calib_level", "filters",
]
OBSERVATION_COLUMNS = [
    "obsid", "obs_id", "obs_collection", "intentType", "instrument_name", "filters", "target_name",
    "target_classification", "s_ra", "s_dec", "t_min", "t_max", "t_exptime", "calib_level", "dataproduct_type",
    "proposal_id", "proposal_pi", "dataRights", "t_obs_release", "provenance_name",
]
MRP = "Minimum Recommended Products"
#: An exposure's most calibrated (Level-2b) science products; `crf` is an intermediate.
LEVEL_2B_SCIENCE = {"cal", "calints", "i2d", "s2d", "s3d", "x1d", "x1dints"}


def kind_of(filename: str) -> str | None:
    for kind, rule in RULES.items():
        if rule.match(filename):
            return kind
    return None


def suffix_of(filename: str) -> str:
    """The file-name suffix: the last `_` part before the extension."""
    return filename.rsplit(".", 1)[0].rsplit("_", 1)[1]


def listing_files(root: Path) -> list[Path]:
    return sorted(root.glob("programs/*/listings/*.csv"))


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def listing_rows(root: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    for path in listing_files(root):
        for row in read_csv(path)[1]:
            yield path, row


def observation_rows(root: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(root.glob("programs/*/*_observations.csv")):
        rows += read_csv(path)[1]
    return rows


def associations(root: Path) -> list[tuple[Path, dict]]:
    return [(p, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(root.glob("programs/*/asn/*_asn.json"))]


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
