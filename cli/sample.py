"""`mastgraph sample generate`: write the synthetic JWST-like archive (demo sample or a benchmark scale)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from mastgraph.sample import scales
from mastgraph.sample.generator import DEFAULT_SEED, OutputNotEmpty, generate
from mastgraph.sample.manifest import Manifest

from .common import console, errors_as_lines, fail, not_blank

sample_app = typer.Typer(help="The synthetic JWST-like archive: the demo sample and the benchmark scales.",
                         no_args_is_help=True)

_SCALES = ", ".join(f"{s.name} ({s.description})" for s in scales.SCALES.values())


@sample_app.command("generate")
def generate_command(
    scale: str = typer.Option("demo", "--scale", help=f"Sample size: {_SCALES}."),
    out: str | None = typer.Option(None, "--out", help="Output folder (default: ./mastgraph-sample-<scale>). "
                                                "A previous sample there is replaced.",
                                   callback=not_blank("leave --out out to write ./mastgraph-sample-<scale>")),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed; the same seed gives byte-identical files."),
    fits: bool | None = typer.Option(None, "--fits/--no-fits", help="Write small FITS files with product headers "
                                                             "(default: on for demo and S, off above)."),
) -> None:
    """Generate MAST listings, observation rows, associations, pools, FITS headers, EDB series and
    curated links of a deterministic synthetic JWST archive."""
    if scale not in scales.SCALES:
        raise fail(f"unknown scale {scale!r}; one of {', '.join(scales.SCALES)}", 2)
    # (text, not a Path option: an empty --out, an unset shell variable, would be Path('') = '.', the
    # current folder, and the sample written into it when it is empty)
    folder = Path(out) if out is not None else Path(f"mastgraph-sample-{scale}")
    started = time.perf_counter()
    with errors_as_lines(OutputNotEmpty), _written_into(folder), _progress() as bar:
        task = bar.add_task("starting", total=scales.SCALES[scale].products or None)

        def advance(products: int, expected: int | None, label: str) -> None:
            bar.update(task, completed=min(products, expected) if expected else products, description=label)

        manifest = generate(folder, scale, seed=seed, fits=fits, progress=advance)
        bar.update(task, completed=scales.SCALES[scale].products or manifest.products, description="done")
    _summary(folder, manifest, time.perf_counter() - started)


@contextmanager
def _written_into(folder: Path) -> Iterator[None]:
    """A file or folder of the sample that cannot be written (a file where the folder goes, no
    permission, a full disk) in one line that says what was being written."""
    try:
        yield
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename and str(exc.filename) != str(folder) else ""
        raise fail(f"cannot write the sample into {folder}: {exc.strerror or exc}{where}; run it again once it "
                   "can be written (a previous sample there is replaced)") from None


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}", table_column=None), BarColumn(),
        MofNCompleteColumn(), TextColumn("products"), TimeElapsedColumn(), console=console, transient=True,
        disable=not console.is_terminal,  # (into a file or a pipe it left a blank line above the summary or error)
    )


def _summary(folder: Path, manifest: Manifest, seconds: float) -> None:
    table = Table(title=f"sample {manifest.scale} (seed {manifest.seed}) in {folder}", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    for kind, count in sorted(manifest.files.items()):
        table.add_row(f"{kind} files", f"{count:,}")
    table.add_row("[bold]files written", f"[bold]{manifest.files_written:,}")
    table.add_row("[bold]products", f"[bold]{manifest.products:,}")
    table.add_row("listing rows", f"{manifest.listing_rows:,}")
    table.add_row("observations (exposure / combined)",
                  f"{manifest.observations['exposure']:,} / {manifest.observations['combined']:,}")
    table.add_row("programs", f"{len(manifest.programs):,}")
    console.print(table, soft_wrap=False)
    for entry in manifest.benchmark:
        console.print(f"benchmark {entry['members']:>5} members: {entry['uri']}", highlight=False)
    console.print(f"written in {seconds:.1f} s", style="dim")


def register(app: typer.Typer) -> None:
    app.add_typer(sample_app, name="sample")
