"""Writes one built program into the sample folder, file by file, and counts what it wrote.

Layout under `programs/jw<ppppp>/`: the observation rows, the pool, `asn/`, `listings/` (one
listing per Level-3 observation, one per observation number for the exposures' own listings),
and `fits/` (headers of the calibrated exposures, Level-3 products and MSA metadata).
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from pathlib import Path

from . import asnfile, edb, fitsfiles, listing, observations, pool
from .archive import Combined, Exposure, Program, Segment
from .manifest import Manifest


def write_program(
    root: Path,
    program: Program,
    manifest: Manifest,
    *,
    fits: bool,
    engineering: edb.Selection,
    links: csv.writer,
    rng: random.Random,
) -> None:
    folder = root / "programs" / f"jw{program.program:05d}"
    for sub in ("asn", "listings"):
        (folder / sub).mkdir(parents=True, exist_ok=True)

    # Associations and the pool first: their listing rows give their sizes.
    for asn in program.associations:
        data = asnfile.render(asn, program.context.cal_ver).encode("utf-8")
        (folder / "asn" / asn.filename).write_bytes(data)
        asn.product.size = len(data)
        manifest.associations[f"level{asn.level}"] += 1
    manifest.files["asn"] += len(program.associations)
    data = pool.render(program).encode("utf-8")
    (folder / f"{program.pool_name}.csv").write_bytes(data)
    program.pool_product.size = len(data)
    manifest.files["pool"] += 1

    observations.write(folder / observations.filename(program.program), program)
    manifest.files["observations"] += 1
    manifest.observations["exposure"] += len(program.exposures)
    manifest.observations["combined"] += len(program.combined)

    _write_listings(folder / "listings", program, manifest)
    for p in listing.products(program):
        manifest.products += 1
        manifest.products_by_level[p.calib_level] += 1
        manifest.products_by_type[p.product_type] += 1

    if fits:
        (folder / "fits").mkdir(exist_ok=True)
        manifest.files["fits"] += _write_fits(folder / "fits", program)

    chosen = engineering.choose(program.exposures)
    if chosen:
        (root / "edb").mkdir(exist_ok=True)
    for e in chosen:
        names = edb.write_series(root / "edb", e, rng)
        manifest.files["edb"] += len(names)
        manifest.edb_series += len(names)

    for link in program.links:
        links.writerow([link.from_uri, link.type, link.to_uri, link.kind])
    manifest.links += len(program.links)
    manifest.programs.append(program.program)


def _write_listings(folder: Path, program: Program, manifest: Manifest) -> None:
    for c in program.combined:
        manifest.listing_rows += listing.write(folder / listing.combined_filename(c), listing.combined_rows(program, c))
        manifest.files["listing"] += 1
    by_observation: dict[int, list[Exposure]] = defaultdict(list)
    for e in program.exposures:
        by_observation[e.visit.observation].append(e)
    for number, exposures in sorted(by_observation.items()):
        path = folder / listing.exposures_filename(program.program, number)
        manifest.listing_rows += listing.write(path, listing.exposure_rows(program, exposures))
        manifest.files["listing"] += 1


def _write_fits(folder: Path, program: Program) -> int:
    level2 = {asn.name: asn.filename for asn in program.associations if asn.level == 2}
    written = 0
    sources: dict[str, set[int]] = defaultdict(set)
    for c in program.combined:
        label = c.obs_id.split("_")[1]
        if label.startswith("s"):
            for e in c.members:
                if e.msa_file:
                    sources[e.msa_file].add(int(label[1:]))
    msa_done: set[str] = set()
    for e in program.exposures:
        for seg in e.segments:
            product = next(p for p in e.products if p.filename == e.calibrated(seg))
            header = fitsfiles.exposure_header(program, e, seg, product, level2[seg.stem])
            fitsfiles.write_exposure(folder / product.filename, header)
            written += 1
        if e.msa_file and e.msa_file not in msa_done:
            msa_done.add(e.msa_file)
            fitsfiles.write_msa(folder / e.msa_file, program, e, sorted(sources[e.msa_file]))
            written += 1
    for c in program.combined:
        for product in c.products:
            if product.header:
                inputs = _inputs(c, product.filename)
                header = fitsfiles.combined_header(program, c, product, [e for e, _ in inputs])
                fitsfiles.write_combined(folder / product.filename, header, inputs)
                written += 1
    return written


def _inputs(c: Combined, filename: str) -> list[tuple[Exposure, Segment]]:
    """The inputs a Level-3 file's HDRTAB lists: the science and PSF members; for a per-member
    file (`..._a3001_psfsub.fits`), that member and the PSF references."""
    exptype = {id(m.exposure): m.exptype for m in c.association.members}
    pairs = [(e, s) for e in c.members for s in e.segments if exptype[id(e)] in ("science", "psf")]
    own = [(e, s) for e, s in pairs if filename.startswith(s.stem + "_")]
    if own:
        return own + [(e, s) for e, s in pairs if exptype[id(e)] == "psf"]
    return pairs
