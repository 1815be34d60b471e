"""The synthetic JWST-like archive generator: the bundled demo sample and the benchmark scales.

`generate(out, scale, seed)` writes, in the file formats MAST and the JWST pipeline use, product
listings, observation rows, association files and pools, small FITS files with real header
keywords, EDB series with the mnemonic dictionary, curated links and a `manifest.json`. Programs
are built one at a time and written file by file, so memory stays bounded at any scale. The same
seed gives byte-identical output.
"""

from __future__ import annotations

import csv
import random
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from . import edb, programs, scales
from .archive import Program
from .builder import REPROCESSING, Obsids, ProgramBuilder
from .crds import CONTEXTS
from .manifest import FILENAME as MANIFEST, Manifest
from .names import data_uri
from .programs import Recipe
from .writer import write_program

DEFAULT_SEED = 20220712  # the date of the first JWST science images

#: Called after each program: (products written so far, products expected or None, program label).
Progress = Callable[[int, int | None, str], None]

LINKS = "links.csv"
#: Written first and removed once the manifest is: a sample stopped half-way (Ctrl-C, a full disk) is
#: still known as one, and the next run into that folder replaces it (hidden: `ingest` leaves it out).
INCOMPLETE = ".incomplete-sample"
_RESERVED = {r.program for r in programs.DEMO} | {programs.BENCHMARK_PROGRAM}


class OutputNotEmpty(Exception):
    """The output folder holds files that are not a previous sample."""


def generate(
    out: Path, scale: str = "demo", seed: int = DEFAULT_SEED, fits: bool | None = None, progress: Progress | None = None
) -> Manifest:
    """Write a sample of `scale` into `out` (created; a previous sample there is replaced)."""
    spec = scales.get(scale)
    write_fits = spec.fits if fits is None else fits
    _prepare(out)
    manifest = Manifest(spec.name, seed, write_fits)
    obsids = Obsids()
    engineering = edb.Selection(spec.edb_every)
    edb_rng = random.Random(f"{seed}:edb")
    benchmark = programs.benchmark_obs_ids(spec.benchmark)
    (out / "edb").mkdir()
    edb.write_dictionary(out / "edb")
    manifest.files["edb_dictionary"] = 1
    clock = 0.0
    with (out / LINKS).open("w", newline="", encoding="utf-8") as handle:
        links = csv.writer(handle, lineterminator="\n")
        links.writerow(["from_uri", "type", "to_uri", "kind"])
        for recipe in _schedule(spec, seed):
            program, end = build_program(recipe, seed, obsids, clock)
            clock = max(clock, end)
            write_program(out, program, manifest, fits=write_fits, engineering=engineering, links=links, rng=edb_rng)
            _record_benchmark(program, benchmark, manifest)
            if progress:
                progress(manifest.products, spec.products or None, f"jw{program.program:05d} {recipe.title}")
            if spec.products and manifest.products >= spec.products:
                break
    manifest.files["links"] = 1
    missing = set(benchmark) - {b["members"] for b in manifest.benchmark}
    if missing:
        raise RuntimeError(f"benchmark products with {sorted(missing)} members were not generated")
    manifest.write(out)
    (out / INCOMPLETE).unlink(missing_ok=True)
    return manifest


def _prepare(out: Path) -> None:
    """Create `out`, or empty it when it holds a previous sample (its manifest says so, or the mark
    of a sample whose writing stopped)."""
    if out.exists() and any(out.iterdir()):
        if not (out / MANIFEST).is_file() and not (out / INCOMPLETE).is_file():
            raise OutputNotEmpty(f"{out} is not empty and holds no {MANIFEST}: refusing to write a sample into it")
        for name in ("programs", "edb"):
            shutil.rmtree(out / name, ignore_errors=True)
        for name in (MANIFEST, LINKS):
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / INCOMPLETE).touch()


def _schedule(spec: scales.Scale, seed: int) -> Iterator[Recipe]:
    yield from programs.DEMO
    if not spec.products:
        return
    if spec.benchmark:
        yield programs.benchmark(spec.benchmark)
    rng = random.Random(f"{seed}:schedule")
    for number in range(3001, 100_000):  # program ids have five digits
        if number not in _RESERVED:
            yield programs.random_recipe(number, rng, spec.factor)
    raise RuntimeError(f"scale {spec.name}: five-digit program ids exhausted before {spec.products:,} products")


def build_program(recipe: Recipe, seed: int, obsids: Obsids, clock: float) -> tuple[Program, float]:
    """Build one program of the schedule (in memory); returns it and the observatory clock after it."""
    rng = random.Random(f"{seed}:{recipe.program}")
    start = recipe.start if recipe.start is not None else clock + rng.uniform(0.02, 0.4)
    if recipe.context >= 0:
        context = CONTEXTS[recipe.context]
    else:
        context = CONTEXTS[1] if start >= REPROCESSING or rng.random() < 0.5 else CONTEXTS[0]
    builder = ProgramBuilder(
        recipe.program, pi=programs.pi_name(recipe.program), title=recipe.title, context=context, rng=rng,
        obsids=obsids, start=start, release_delay=recipe.release_delay,
    )
    recipe.fill(builder)
    return builder.build(), builder.clock


def _record_benchmark(program: Program, benchmark: dict[int, str], manifest: Manifest) -> None:
    wanted = {obs_id: n for n, obs_id in benchmark.items()}
    for c in program.combined:
        if c.obs_id in wanted:
            members = sum(1 for m in c.association.members if m.exptype == "science")
            if members != wanted[c.obs_id]:
                raise RuntimeError(f"{c.obs_id}: {members} members, expected {wanted[c.obs_id]}")
            i2d = next(p for p in c.products if p.suffix == "i2d")
            manifest.benchmark.append({
                "members": members, "obs_id": c.obs_id, "obsid": c.obsid, "uri": data_uri(i2d.filename),
                "association": c.association.filename,
            })
    manifest.benchmark.sort(key=lambda b: b["members"])
