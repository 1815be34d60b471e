"""Which loader reads a file: by its name and first bytes; and the files under a directory.

Each loader class answers `detect(path, head)`; the classes are imported lazily by module and class
name, most specific first (a listing CSV and a links CSV are both CSV, an association and a
products API response both JSON), so a loader's heavy imports only happen when it is asked.
"""

from __future__ import annotations

import errno
import importlib
import operator
import os
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload

from mastgraph.loaders.records import Loader, LoadError

HEAD_BYTES = 64 * 1024

#: (module, class) of every loader, asked in this order.
LOADERS: tuple[tuple[str, str], ...] = (
    ("mastgraph.loaders.associations", "AssociationLoader"),
    ("mastgraph.loaders.pools", "PoolLoader"),
    ("mastgraph.loaders.fits_headers", "FitsHeaderLoader"),
    ("mastgraph.loaders.edb", "EdbLoader"),
    ("mastgraph.loaders.edb", "MnemonicDictionaryLoader"),
    ("mastgraph.loaders.links", "LinksLoader"),
    ("mastgraph.loaders.manifests", "ManifestLoader"),
    ("mastgraph.loaders.listings", "ListingLoader"),
    ("mastgraph.loaders.observations", "ObservationLoader"),
)

EXPECTED = (
    "a MAST product listing, observation rows, a download manifest of mast:JWST/product URIs, "
    "an association (*_asn.json), a pool table (*_pool.csv), a FITS file, an EDB CSV, "
    "an EDB mnemonic dictionary or a links CSV"
)

#: File names (lower case) that are documentation, never data.
DOC_NAMES = ("readme", "license", "licence", "changelog", "notice")
DOC_SUFFIXES = frozenset({".md", ".rst", ".html", ".htm", ".pdf"})
SKIPPED_DIRS = frozenset({"docs", "__pycache__"})


def loader_classes() -> list[type[Loader]]:
    """The loader classes that exist (a module not written yet is left out)."""
    classes = []
    modules = sys.modules
    for module_name, class_name in LOADERS:
        module = modules.get(module_name)  # imported already (each file asks): no import machinery
        if module is None:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    continue
                raise
        cls = getattr(module, class_name, None)
        if cls is not None:
            classes.append(cls)
    return classes


def detect(path: Path | str) -> Loader:
    """A loader instance for `path`; `LoadError` when no loader recognises it."""
    if not isinstance(path, Path):
        path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
    except OSError as exc:
        raise LoadError(str(path), f"cannot read: {exc.strerror or exc}") from None
    for cls in loader_classes():
        if cls.detect(path, head):
            return cls()
    if not head:
        raise LoadError(str(path), "empty file (0 bytes): nothing to load")
    if head.removeprefix(b"\xef\xbb\xbf").startswith(b"# %ECSV"):  # (an ECSV table none of the loaders took)
        raise LoadError(str(path), _ecsv_unrecognised(path))
    if head.startswith(b"\x1f\x8b"):  # (gzip's magic number: a .fits.gz, say)
        raise LoadError(str(path), "a gzip-compressed file: mastgraph reads files as they are uncompressed "
                                   "(gunzip it first)")
    if b"\0" in head:  # (what the loaders read is text, or FITS, which a loader would have taken)
        line = head.count(b"\n", 0, head.index(b"\0")) + 1
        raise LoadError(f"{path}:{line}", "a NUL byte: binary data, not one of the text formats mastgraph reads")
    raise LoadError(str(path), f"unrecognised file kind (expected {EXPECTED})")


def _ecsv_unrecognised(path: Path) -> str:
    """Why an ECSV file is none of the tables mastgraph reads: no column names line after its header,
    or columns (read with its header's delimiter) that are not a listing's or observation rows'."""
    from mastgraph.loaders.table_astropy import ecsv_header
    from mastgraph.model.errors import shown

    try:
        found = ecsv_header(path, errors="replace")
    except (OSError, ValueError):
        found = None
    if found is None:
        return "an ECSV file that ends before its column names line"
    _, columns, delimiter = found
    return (f"an ECSV table whose columns are not a product listing's or observation rows' (read with its "
            f"header's delimiter {delimiter!r}: {shown(columns[:6])})")


#: The description mastgraph's sample generator writes beside the archive it makes (not an input).
SAMPLE_DESCRIPTION = "manifest.json"


def is_documentation(name: str) -> bool:
    """Whether a file name is documentation, never data (its suffix as `Path.suffix` gives it)."""
    name = name.lower()
    dot = name.rfind(".")
    return name.startswith(DOC_NAMES) or (0 < dot < len(name) - 1 and name[dot:] in DOC_SUFFIXES) or \
        name == SAMPLE_DESCRIPTION


def expand(paths: Iterable[Path | str]) -> FileList:
    """Files to load: files as given; directories walked recursively in sorted order, leaving out
    hidden files and folders, documentation (README, LICENSE, *.md ...), `docs/` folders and the
    sample generator's `manifest.json`; a path given twice (or a file inside a folder given before
    it) counts once. A `FileList` given is returned as it is (it was expanded already)."""
    if isinstance(paths, FileList):
        return paths
    return FileList(text for text, _ in _walk_given(paths, False))


def iter_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """The files `expand(paths)` lists, in its order, one at a time: one folder's listing is held at
    a time, not the list (a whole archive's is hundreds of megabytes of `Path`s)."""
    for text, _ in _walk_given(paths, False):
        yield Path(text)


def iter_file_sizes(paths: Iterable[Path | str]) -> Iterator[tuple[str, int]]:
    """(path text, size in bytes) of each file `iter_files` lists, in its order. A folder's entries
    come from one `os.scandir` (no `Path` made, one `stat` a file): at 114,000 files 0.6 s instead
    of 4 s with `iter_files` and `Path.stat`."""
    return _walk_given(paths, True)


def _walk_given(paths: Iterable[Path | str], sizes: bool) -> Iterator[tuple[str, int]]:
    """(path text, size or 0 when `sizes` is False) of the files given and under the folders given."""
    given: list[Path] = [p if isinstance(p, Path) else Path(p) for p in paths]
    for path in given:
        if not path.is_dir() and not path.is_file():
            # (a device, a FIFO or a socket exists: it is no file to load, nor missing)
            raise LoadError(str(path), "not a regular file or folder" if path.exists() else "no such file or directory")
    folders: list[Path] = []
    files_given: set[Path] = set()
    for path in given:
        if path.is_dir():
            if any(_inside(path, folder) for folder in folders):
                continue
            yield from _walk(str(path), set(), set(folders), files_given, sizes)
            folders.append(path)
        else:
            if path in files_given or any(_inside(path, folder) for folder in folders):
                continue
            files_given.add(path)
            yield str(path), path.stat().st_size if sizes else 0


def _inside(path: Path, folder: Path) -> bool:
    """Whether `path` (as spelled) lies under `folder` (as spelled): then the walk listed it already."""
    return path == folder or folder in path.parents


#: What `Path.is_dir` and `Path.is_file` take for "no" rather than raise (pathlib's `_IGNORED_ERRNOS`).
_NOT_THERE = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def _kind(entry: os.DirEntry) -> str:
    """"dir", "file" or "" (neither, or a link to nothing), as `Path.is_dir` and `Path.is_file` say."""
    try:
        if entry.is_dir():
            return "dir"
        return "file" if entry.is_file() else ""
    except OSError as exc:
        if exc.errno in _NOT_THERE:
            return ""
        raise


def _walk(folder: str, seen: set[str], walked: set[Path], files_given: set[Path], sizes: bool
          ) -> Iterator[tuple[str, int]]:
    real = os.path.realpath(folder)
    if real in seen:  # a symbolic link back up the tree
        return
    seen.add(real)
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=_NAME)
    except OSError as exc:  # (a folder without read permission, say: the command's one line, as a file's)
        raise LoadError(folder, f"cannot read the folder: {exc.strerror or exc}") from None
    here = folder != "."  # (the entries of "." are spelled by their names alone, as `Path` spells them)
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        kind = _kind(entry)
        text = entry.path if here else name
        if kind == "dir":
            if name.lower() not in SKIPPED_DIRS and (not walked or Path(text) not in walked):
                yield from _walk(text, seen, walked, files_given, sizes)
        elif kind == "file" and not is_documentation(name) and (
                not files_given or Path(text) not in files_given):
            yield text, entry.stat().st_size if sizes else 0


_NAME = operator.attrgetter("name")


class FileList(Sequence[Path]):
    """The files of a command, held compactly: each file's name as bytes in one buffer and its
    folder as a number (the folders' texts once each): about 15 bytes a file beside its name's,
    where a list of `Path`s costs about 500 (60 MB at 114,000 files; a whole archive has 10^6 and
    more). A file is given as a new `Path` each time it is asked for (equal to the one added)."""

    __slots__ = ("_folders", "_folder_numbers", "_in_folder", "_names", "_ends")

    def __init__(self, paths: Iterable[Path | str] = ()) -> None:
        self._folders: list[str] = []
        self._folder_numbers: dict[str, int] = {}
        self._in_folder = array("I")  # each file's folder, by number
        self._names = bytearray()  # the file names, one after the other
        self._ends = array("q")  # where each file's name ends in `_names`
        for path in paths:
            self.append(path)

    def append(self, path: Path | str) -> None:
        text = str(path)
        cut = text.rfind(os.sep) + 1  # (the folder keeps its separator: "" for a bare name)
        folder = text[:cut]
        number = self._folder_numbers.get(folder)
        if number is None:
            number = self._folder_numbers[folder] = len(self._folders)
            self._folders.append(folder)
        self._in_folder.append(number)
        self._names += text[cut:].encode("utf-8", "surrogateescape")
        self._ends.append(len(self._names))

    def __len__(self) -> int:
        return len(self._ends)

    def _path(self, index: int) -> Path:
        start = self._ends[index - 1] if index else 0
        name = self._names[start:self._ends[index]].decode("utf-8", "surrogateescape")
        return Path(self._folders[self._in_folder[index]] + name)

    @overload
    def __getitem__(self, index: int) -> Path: ...

    @overload
    def __getitem__(self, index: slice) -> list[Path]: ...

    def __getitem__(self, index: int | slice) -> Path | list[Path]:
        if isinstance(index, slice):
            return [self._path(i) for i in range(len(self))[index]]
        return self._path(range(len(self))[index])

    def __iter__(self) -> Iterator[Path]:
        return map(self._path, range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (FileList, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(map(operator.eq, self, other))

    __hash__ = None  # type: ignore[assignment]  # (a mutable sequence, as list)

    def __repr__(self) -> str:
        return f"FileList({list(self)!r})"
