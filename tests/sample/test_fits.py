"""FITS files: readable by astropy, with the header keywords of real JWST products."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import pytest
from astropy.io import fits

from mastgraph.sample import fitscards

from .formats import REFERENCE, kind_of, listing_rows, observation_rows

EXPOSURE_KEYWORDS = ("FILENAME", "PROGRAM", "OBSERVTN", "VISIT", "EXPOSURE", "DETECTOR", "INSTRUME", "EXP_TYPE",
                     "EXPSTART", "EXPEND", "EFFEXPTM", "CAL_VER", "CRDS_VER", "CRDS_CTX", "ASNPOOL", "ASNTABLE")


def _fits_files(root: Path) -> list[Path]:
    return sorted(root.glob("programs/*/fits/*.fits"))


def test_every_fits_file_opens_and_verifies(demo: Path) -> None:
    files = _fits_files(demo)
    assert len(files) > 50
    for path in files:
        with fits.open(path) as hdus:
            hdus.verify("exception")
            assert hdus[0].header["FILENAME"] == path.name


def test_calibrated_exposures_carry_identifiers_times_and_reference_files(demo: Path) -> None:
    times = {r["obs_id"]: (float(r["t_min"]), float(r["t_max"])) for r in observation_rows(demo)}
    contexts = set()
    for path in _fits_files(demo):
        if kind_of(path.name) != "exposure" or path.name.endswith("_psfsub.fits"):
            continue
        header = fits.getheader(path)
        for key in EXPOSURE_KEYWORDS:
            assert key in header, (path.name, key)
        assert header["PROGRAM"] == path.name[2:7] and header["OBSERVTN"] == path.name[7:10]
        assert header["VISIT"] == path.name[10:13] and header["DETECTOR"].lower() in path.name
        assert header["EXPSTART"] < header["EXPEND"] and header["EFFEXPTM"] > 0
        stem = path.name.rsplit("_", 1)[0]
        if "-seg" not in stem:
            t_min, t_max = times[stem]
            assert header["EXPSTART"] == pytest.approx(t_min, abs=1e-7)
            assert header["EXPEND"] == pytest.approx(t_max, abs=1e-7)
        refs = [card for card in header.cards if card.keyword.startswith("R_")]
        assert refs and any(c.value != "N/A" for c in refs)
        assert all(c.value == "N/A" or REFERENCE.match(c.value) for c in refs), path.name
        contexts.add(header["CRDS_CTX"])
        asn = path.parent.parent / "asn" / header["ASNTABLE"]
        assert json.loads(asn.read_text())["products"][0]["name"] == stem
        assert (path.parent.parent / f"{header['ASNPOOL']}.csv").is_file()
    assert len(contexts) == 2


def test_level3_files_list_their_inputs_in_hdrtab(demo: Path) -> None:
    checked = 0
    for path in _fits_files(demo):
        if kind_of(path.name) == "level3" or path.name.endswith("_psfsub.fits"):
            with fits.open(path) as hdus:
                inputs = list(hdus["HDRTAB"].data["FILENAME"])
                table = hdus[0].header["ASNTABLE"]
            asn = json.loads((path.parent.parent / "asn" / table).read_text())
            members = {m["expname"] for m in asn["products"][0]["members"]}
            assert inputs and set(inputs) <= members, path.name
            checked += 1
    assert checked


def test_msa_metadata_is_named_by_the_mos_exposures(demo: Path) -> None:
    listed = {r["productFilename"] for _, r in listing_rows(demo)}
    named = set()
    for path in _fits_files(demo):
        header = fits.getheader(path)
        if "MSAMETFL" in header:
            named.add(header["MSAMETFL"])
    assert named and named <= listed
    for name in named:
        msa = next(demo.glob(f"programs/*/fits/{name}"))
        with fits.open(msa) as hdus:
            sources = set(hdus["SOURCE_INFO"].data["source_id"])
            assert sources and set(hdus["SHUTTER_INFO"].data["source_id"]) == sources


def test_header_cards_are_formatted_as_astropy_formats_them() -> None:
    cards = [("FILENAME", "jw01366-o004_t001_nirspec_clear-prism-s1600a1-sub512_x1dints.fits", "Name of the file"),
             ("ASNTABLE", "jw01345-o066_20230109t234445_spec2_00001_asn.json", "Name of the ASN table"),
             ("EXPSTART", 59950.69943691027, "UTC exposure start time"), ("NINTS", 24, "Number of integrations"),
             ("TSOVISIT", False, "Time Series Observation visit indicator"), ("PA_V3", 1e-05, "tiny"),
             ("TARGPROP", "O'BRIEN-1", "a quote"), ("EMPTY", "", "")]
    hdu = fits.PrimaryHDU()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hdu.header.extend(cards)
        buffer = io.BytesIO()
        fits.HDUList([hdu, fits.ImageHDU(name="SCI")]).writeto(buffer)
    expected = buffer.getvalue()[: len(hdu.header.tostring())]
    assert fitscards.primary(cards) == expected
