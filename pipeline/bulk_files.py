"""The files of a bulk build, walked lazily in `loaders.registry.expand`'s order.

`registry.expand` returns a list, which for a whole archive (a million files) is itself hundreds of
megabytes of Python objects; the bulk build walks the same tree twice instead (once to size it,
once to parse it), holding one folder's listing at a time. The order and the rules are the
registry's: directories recursively in sorted name order, hidden entries, documentation and
`docs/` folders left out, symbolic links back up the tree followed once; a path given twice (or a
file inside a folder given before it) counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from mastgraph.loaders import registry
from mastgraph.loaders.records import LoadError

#: A FITS file contributes its header only (the data units are never read).
FITS_ESTIMATE_CAP = 100 * 1024


def read_estimate(path: Path, size: int) -> int:
    """The bytes of a file the loaders will read: a FITS file counts for its header only."""
    name = path.name.lower()
    return min(size, FITS_ESTIMATE_CAP) if ".fits" in name or name.endswith(".fit") else size


def iter_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """The files `registry.expand(paths)` lists, in the same order, one at a time."""
    given: list[Path] = [Path(p) for p in paths]
    for path in given:
        if not path.is_dir() and not path.is_file():
            raise LoadError(str(path), "no such file or directory")
    folders: list[Path] = []
    files_given: set[Path] = set()
    for path in given:
        if path.is_dir():
            if any(_inside(path, folder) for folder in folders):
                continue
            yield from _walk(path, set(), set(folders), files_given)
            folders.append(path)
        else:
            if path in files_given or any(_inside(path, folder) for folder in folders):
                continue
            files_given.add(path)
            yield path


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` (as spelled) lies under `folder` (as spelled): then the walk listed it already."""
    return path == folder or folder in path.parents


def _walk(folder: Path, seen: set[Path], walked: set[Path], files_given: set[Path]) -> Iterator[Path]:
    real = folder.resolve()
    if real in seen:  # a symbolic link back up the tree
        return
    seen.add(real)
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if entry.name.lower() not in registry.SKIPPED_DIRS and entry not in walked:
                yield from _walk(entry, seen, walked, files_given)
        elif entry.is_file() and not registry.is_documentation(entry) and entry not in files_given:
            yield entry


def survey(paths: Iterable[Path | str]) -> tuple[int, int, int]:
    """(files, bytes on disk, bytes the loaders will read), without keeping the list."""
    count = on_disk = estimated = 0
    for path in iter_files(paths):
        size = path.stat().st_size
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
    for index, path in enumerate(iter_files(paths)):
        current.append((index, str(path)))
        weight += read_estimate(path, path.stat().st_size)
        if weight >= per_task or len(current) >= 1024:
            yield current
            current, weight = [], 0
    if current:
        yield current
