"""One large file: the sample's product listings joined into one listing, a quarter, a half and all of
them, each loaded alone into an empty database by the child loader (`bench.loader`, as the ingest is
measured). The loader's peak RSS per size shows whether its memory grows with the largest file: a
file over `pipeline.check_on_disk.ON_DISK_BYTES` is checked on disk, and one over the transaction
budget (10 x MASTGRAPH_BATCH_SIZE records) is written in parts.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from mastgraph.pipeline.check_on_disk import ON_DISK_BYTES

from .data import Sample
from .ingest import count_graph, run_loader
from .target import Target

#: The parts of the sample's listings joined into one file, each loaded alone.
FRACTIONS = (0.25, 0.5, 1.0)


def joined_listing(listings: list[Path], out: Path) -> int:
    """The rows of `listings` (one header) as one listing at `out`; its rows."""
    rows = 0
    with open(out, "w", encoding="utf-8", newline="") as joined:
        for number, path in enumerate(listings):
            with open(path, encoding="utf-8", newline="") as listing:
                header = listing.readline()
                if number == 0:
                    joined.write(header)
                for line in listing:
                    joined.write(line)
                    rows += 1
    return rows


def sample_listings(sample: Sample, only: tuple[str, ...] = ()) -> list[Path]:
    """The product listings of the sample (or of the parts `only` names) that share the header most
    of them have, in path order."""
    listings = sorted({listing for part in sample.paths(only)
                       for listing in ([part] if part.is_file() else part.rglob("*_products.csv"))
                       if listing.name.endswith("_products.csv") and listing.parent.name == "listings"})
    headers = {path: path.open(encoding="utf-8").readline() for path in listings}
    common = Counter(headers.values()).most_common(1)
    return [path for path in listings if common and headers[path] == common[0][0]]


def measure_large_file(target: Target, sample: Sample, say: Callable[[str], None], only: tuple[str, ...] = ()
                       ) -> dict:
    """Each fraction of the listings joined, loaded alone into the emptied target: rows, MB, seconds,
    the loader's peak RSS (and before its first file), and the graph's counts."""
    listings = sample_listings(sample, only)
    found: dict = {"listings": len(listings), "checked_on_disk_above_mb": round(ON_DISK_BYTES / 2**20, 1),
                   "sizes": []}
    if not listings:
        return found
    folder = Path(tempfile.mkdtemp(prefix="large-file-", dir=target.home))
    try:
        for fraction in FRACTIONS:
            path = folder / f"jw_joined_{int(fraction * 100)}_products.csv"
            rows = joined_listing(listings[: max(1, round(len(listings) * fraction))], path)
            target.reset()
            loader = run_loader(target, [path])
            counts = count_graph(target)
            memory = loader["memory"]
            size = {"fraction": fraction, "rows": rows, "file_mb": round(path.stat().st_size / 2**20, 1),
                    "seconds": loader["ingest_seconds"], "peak_rss_mb": memory["peak_rss_mb"],
                    "rss_before_mb": memory["before_first_file_mb"], "helpers": loader["helpers"],
                    "records": loader["records"], "failed_files": loader["failed_files"],
                    "errors": loader.get("errors", []), "products": counts["products"],
                    "relationships": counts["relationships"]}
            found["sizes"].append(size)
            say(f"one listing of {size['file_mb']} MB ({rows:,} rows): {size['seconds']:.1f} s, loader peak RSS "
                f"{size['peak_rss_mb']} MB ({size['rss_before_mb']} MB before it)"
                + (f"; FAILED: {size['errors'][:1]}" if size["failed_files"] else ""))
            path.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return found
