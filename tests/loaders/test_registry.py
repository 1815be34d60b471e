"""Choosing a loader by file name and first bytes; walking folders (loaders/registry.py)."""

from __future__ import annotations

import os
import sys
import tracemalloc
import types
from pathlib import Path

import pytest

from mastgraph.loaders import registry
from mastgraph.loaders.records import LoadError

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "sample" / "data" / "real"
RECORDED = ROOT / "tests" / "data" / "mast"

#: (file, loader module, loader class) for the kinds this registry must tell apart.
KINDS = [
    (REAL / "listings/mastdocs_viz_products_api/products_jw01039-o004_t001_miri_ch3-long.csv", "listings", "ListingLoader"),
    (REAL / "listings/mastdocs_viz_products_api/products_jw01039-o004_t001_miri_ch3-long.json", "listings", "ListingLoader"),
    (REAL / "listings/jwst_mast_query_readme/productTable.csv", "listings", "ListingLoader"),
    (RECORDED / "jw01410_products.ecsv", "listings", "ListingLoader"),
    (REAL / "listings/jwst_mast_query_readme/obsTable.csv", "observations", "ObservationLoader"),
    (RECORDED / "jw01410_observations.ecsv", "observations", "ObservationLoader"),
    (REAL / "manifests/jw02733_mast_download_uris.txt", "manifests", "ManifestLoader"),
    (REAL / "asn/jw00632/jw00632-o003_image2_00001_asn.json", "associations", "AssociationLoader"),
    (REAL / "asn/jw09505/jw09505-o001_20251216t202003_spec3_00001_asn.json", "associations", "AssociationLoader"),
    (REAL / "pools/jw09505_20251216t202003_pool.csv", "pools", "PoolLoader"),
    (REAL / "pools/pool_033_wfs_jitter.csv", "pools", "PoolLoader"),
    (REAL / "pools/jw00632_dups.csv", "pools", "PoolLoader"),
    (REAL / "headers/test1_cal.fits", "fits_headers", "FitsHeaderLoader"),
    (REAL / "headers/add_wcs_default_acq1.fits", "fits_headers", "FitsHeaderLoader"),
    (REAL / "edb/SA_ZATTEST2-20220202T222458-20220202T222459.csv", "edb", "EdbLoader"),
    (REAL / "edb/edb_mnemonic_dictionary.json", "edb", "MnemonicDictionaryLoader"),
]


@pytest.mark.parametrize(("path", "module", "cls"), KINDS, ids=lambda v: getattr(v, "name", None))
def test_detect_real_files(path: Path, module: str, cls: str) -> None:
    loader = registry.detect(path)
    assert type(loader).__name__ == cls and type(loader).__module__ == f"mastgraph.loaders.{module}"


def test_detect_links_csv(tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    path.write_text("from_uri,type,to_uri,kind\n")
    assert type(registry.detect(path)).__name__ == "LinksLoader"


def test_readme_text_is_unrecognised() -> None:
    path = REAL / "listings/jwst_mast_query_readme/readme_tables_excerpt.txt"
    with pytest.raises(LoadError, match=r"unrecognised file kind \(expected a MAST product listing, ") as caught:
        registry.detect(path)
    assert caught.value.origin == str(path)


def test_csv_with_other_columns_is_unrecognised(tmp_path: Path) -> None:
    path = tmp_path / "stars.csv"
    path.write_text("ra,dec\n1,2\n")
    with pytest.raises(LoadError, match="unrecognised file kind"):
        registry.detect(path)


def test_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot read"):
        registry.detect(tmp_path / "absent.csv")


def test_loaders_are_imported_lazily_by_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    asked: list[str] = []

    class Fake:
        kind = "fake"

        @classmethod
        def detect(cls, path: Path, head: bytes) -> bool:
            asked.append(path.name)
            return head.startswith(b"FAKE")

    module = types.ModuleType("mastgraph.loaders.fake_format")
    module.FakeLoader = Fake
    monkeypatch.setitem(sys.modules, "mastgraph.loaders.fake_format", module)
    monkeypatch.setattr(registry, "LOADERS", (("mastgraph.loaders.not_written_yet", "NoLoader"),
                                              ("mastgraph.loaders.fake_format", "FakeLoader")))
    path = tmp_path / "x.dat"
    path.write_bytes(b"FAKE data")
    assert isinstance(registry.detect(path), Fake) and asked == ["x.dat"]


def test_a_loader_whose_dependency_is_missing_is_not_hidden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "needs_missing_dependency.py").write_text("import mastgraph_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "LOADERS", (("needs_missing_dependency", "X"),))
    path = tmp_path / "x.dat"
    path.write_bytes(b"x")
    with pytest.raises(ModuleNotFoundError, match="mastgraph_no_such_dependency"):
        registry.detect(path)


def test_expand_walks_folders_sorted_without_hidden_and_docs(tmp_path: Path) -> None:
    for name in ("b/listing.csv", "a/z.json", "a/sub/m.txt", "a/.hidden.csv", ".git/config", "README.md",
                 "a/readme_tables_excerpt.txt", "docs/notes.txt", "a/LICENSE", "c.ecsv"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    found = registry.expand([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a/sub/m.txt", "a/z.json", "b/listing.csv", "c.ecsv"]


def test_expand_keeps_files_as_given_and_drops_repeats(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    data = tmp_path / "x.csv"
    readme.write_text("x")
    data.write_text("x")
    assert registry.expand([data, readme, tmp_path, str(data)]) == [data, readme]


def test_expand_missing_path_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file or directory"):
        registry.expand([tmp_path / "absent"])


def test_expand_survives_a_link_loop(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_text("x")
    (tmp_path / "a" / "loop").symlink_to(tmp_path)
    assert [p.name for p in registry.expand([tmp_path])] == ["x.csv"]


def test_every_real_sample_file_is_recognised() -> None:
    """`mastgraph ingest sample/data/real` works: each file found has a loader."""
    files = registry.expand([REAL])
    assert len(files) == 37
    for path in files:
        registry.detect(path)


def test_a_file_list_gives_back_the_paths_added(tmp_path: Path) -> None:
    """`FileList` (what `expand` returns) holds names as bytes and folders once, and gives each path
    back equal to the one added: relative and absolute, bare names, names that are not UTF-8."""
    odd = os.fsdecode(b"caf\xe9.csv")  # (not UTF-8: held as the file system gives it)
    paths = [tmp_path / "a" / "x.csv", Path("rel/y.json"), Path("z.fits"), tmp_path / "a" / "w.csv",
             tmp_path / odd, Path("/") / "top.csv"]
    files = registry.FileList(paths)
    assert len(files) == len(paths)
    assert list(files) == paths and files == paths and files == registry.FileList(map(str, paths))
    assert [files[i] for i in range(-len(paths), len(paths))] == paths + paths
    assert files[1:3] == paths[1:3] and files[::-1] == paths[::-1]
    assert files != paths[:-1] and (files == "x") is False
    with pytest.raises(IndexError):
        files[len(paths)]
    assert registry.expand(files) is files  # (expanded already)
    assert len(files._folders) == 5  # (six files in five folders: tmp_path/a held once)


def test_expand_holds_a_few_bytes_a_file(tmp_path: Path) -> None:
    """A command's file list does not grow by a `Path` (about 500 bytes) per file."""
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(2000):
        (folder / f"jw01234001001_02101_{n:05d}_nrca1_uncal.fits").write_bytes(b"")
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        files = registry.expand([folder])
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert len(files) == 2000
    assert held / len(files) < 100, held / len(files)  # (the names are 44 bytes)


def test_an_empty_file_says_so(tmp_path: Path) -> None:
    for name in ("products_jw01039.csv", "jw01075001001_03105_00009_nrca2_uncal.fits", "x.json"):
        (tmp_path / name).write_bytes(b"")
        with pytest.raises(LoadError) as caught:
            registry.detect(tmp_path / name)
        assert str(caught.value) == f"{tmp_path / name}: empty file (0 bytes): nothing to load"


@pytest.mark.parametrize("name", ["jw01366004001_02101_00001_nrs1_cal.fits.gz", "jw01366004001_02101_00001_nrs1_cal.fits",
                                  "products_jw01039.csv"])
def test_a_gzip_compressed_file_says_so(tmp_path: Path, name: str) -> None:
    """Not "a NUL byte: binary data" (gzip's header holds some): what it is and what to do."""
    import gzip

    from .test_fits_headers import REAL_FILES

    target = tmp_path / name
    target.write_bytes(gzip.compress(REAL_FILES[0].read_bytes() if ".fits" in name else b"obsID,productFilename\n"))
    with pytest.raises(LoadError) as caught:
        registry.detect(target)
    assert str(caught.value) == f"{target}: a gzip-compressed file: mastgraph reads files as they are uncompressed " \
                                "(gunzip it first)"


def test_a_nul_byte_in_a_text_table_is_named_with_its_line(tmp_path: Path) -> None:
    target = tmp_path / "products_jw01039.csv"
    target.write_bytes(b"obsID,productFilename\n1,a.fits\n2,b\0.fits\n")
    with pytest.raises(LoadError) as caught:
        registry.detect(target)
    assert str(caught.value) == f"{target}:3: a NUL byte: binary data, not one of the text formats mastgraph reads"


def test_a_folder_that_cannot_be_read_is_one_load_error(tmp_path: Path, monkeypatch) -> None:
    """A sub-folder without read permission (as root, chmod cannot take it away: its scandir is made to
    fail): the command's one line naming the folder, not "the command failed unexpectedly"."""
    import errno
    import os

    locked = tmp_path / "data" / "locked"
    locked.mkdir(parents=True)
    (tmp_path / "data" / "a.csv").write_text("obsID,productFilename\n", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(folder):
        if str(folder) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(folder))
        return real_scandir(folder)

    monkeypatch.setattr(registry.os, "scandir", scandir)
    for walk in (registry.expand, lambda paths: list(registry.iter_file_sizes(paths))):
        with pytest.raises(LoadError) as caught:
            walk([tmp_path / "data"])
        assert str(caught.value) == f"{locked}: cannot read the folder: Permission denied"


@pytest.mark.parametrize("text, reason", [
    ("# %ECSV 1.0\n# ---\n# datatype:\n# - {name: obsID, datatype: string}\n",
     "an ECSV file that ends before its column names line"),
    ("\ufeff# %ECSV 1.0\n# ---\n# datatype:\n# - {name: obsID, datatype: string}\n# - {name: dataURI, datatype: string}\n"
     "# delimiter: ','\nobsID dataURI\n1 mast:JWST/product/a.fits\n",
     "an ECSV table whose columns are not a product listing's or observation rows' (read with its header's "
     "delimiter ',': ['obsID dataURI'])"),
])
def test_an_ecsv_file_no_loader_takes_says_why(tmp_path: Path, text: str, reason: str) -> None:
    """Not "unrecognised file kind": an ECSV file cut inside its header, or whose names line is not
    split by its header's delimiter, says so."""
    target = tmp_path / "products.ecsv"
    target.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        registry.detect(target)
    assert str(caught.value) == f"{target}: {reason}"


def test_expand_a_path_that_is_no_file_says_so(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(LoadError, match="not a regular file or folder"):
        registry.expand([fifo])
