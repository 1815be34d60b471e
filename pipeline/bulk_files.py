"""The files of a bulk build, walked lazily in `loaders.registry.expand`'s order.

The bulk build walks the tree twice (`registry.iter_file_sizes`: once to size it, once to parse it),
holding one folder's listing at a time, not even `registry.expand`'s compact list. The order and
the rules are the registry's: directories recursively in sorted name order, hidden entries,
documentation and `docs/` folders left out, symbolic links back up the tree followed once; a path
given twice (or a file inside a folder given before it) counts once.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from mastgraph.loaders.registry import iter_file_sizes, iter_files

#: A FITS file contributes its header only (the data units are never read).
FITS_ESTIMATE_CAP = 100 * 1024


def read_estimate(path: Path | str, size: int) -> int:
    """The bytes of a file the loaders will read: a FITS file counts for its header only."""
    name = os.path.basename(path).lower()
    return min(size, FITS_ESTIMATE_CAP) if ".fits" in name or name.endswith(".fit") else size


def survey(paths: Iterable[Path | str]) -> tuple[int, int, int]:
    """(files, bytes on disk, bytes the loaders will read), without keeping the list."""
    count = on_disk = estimated = 0
    for path, size in iter_file_sizes(paths):
        count += 1
        on_disk += size
        estimated += read_estimate(path, size)
    return count, on_disk, estimated


def file_tasks(paths: Iterable[Path | str], estimated: int, workers: int) -> Iterator[list[tuple[int, str]]]:
    """Runs of consecutive files, numbered in the walk's order: big enough to combine a program's
    duplicates, small enough that each worker gets several (about 8 per worker, at most 16 MB or
    1,024 files each)."""
    per_task = max(256 * 1024, min(16 * 1024 * 1024, estimated // (8 * max(1, workers))))
    current: list[tuple[int, str]] = []
    weight = 0
    for index, (path, size) in enumerate(iter_file_sizes(paths)):
        current.append((index, path))
        weight += read_estimate(path, size)
        if weight >= per_task or len(current) >= 1024:
            yield current
            current, weight = [], 0
    if current:
        yield current
