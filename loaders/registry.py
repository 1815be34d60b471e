"""Which loader reads a file: by its name and first bytes; and the files under a directory.

Each loader class answers `detect(path, head)`; the classes are imported lazily by module and class
name, most specific first (a listing CSV and a links CSV are both CSV, an association and a
products API response both JSON), so a loader's heavy imports only happen when it is asked.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from pathlib import Path

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
    raise LoadError(str(path), f"unrecognised file kind (expected {EXPECTED})")


#: The description mastgraph's sample generator writes beside the archive it makes (not an input).
SAMPLE_DESCRIPTION = "manifest.json"


def is_documentation(path: Path) -> bool:
    name = path.name.lower()
    return name.startswith(DOC_NAMES) or path.suffix.lower() in DOC_SUFFIXES or name == SAMPLE_DESCRIPTION


def expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files to load: files as given; directories walked recursively in sorted order, leaving out
    hidden files and folders, documentation (README, LICENSE, *.md ...), `docs/` folders and the
    sample generator's `manifest.json`."""
    files: list[Path] = []
    for given in paths:
        path = given if isinstance(given, Path) else Path(given)  # (a Path is kept as given: ~500 bytes each)
        if path.is_dir():
            files.extend(_walk(path))
        elif path.is_file():
            files.append(path)
        else:
            raise LoadError(str(path), "no such file or directory")
    return list(dict.fromkeys(files))


def _walk(folder: Path, seen: set[Path] | None = None) -> list[Path]:
    seen = set() if seen is None else seen
    real = folder.resolve()
    if real in seen:  # a symbolic link back up the tree
        return []
    seen.add(real)
    found = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if entry.name.lower() not in SKIPPED_DIRS:
                found.extend(_walk(entry, seen))
        elif entry.is_file() and not is_documentation(entry):
            found.append(entry)
    return found
