"""A CSV listing read as cells (`listings.cells_row`, the columns placed once per file) gives exactly
what its rows read one by one (`listings.listing_row`, as every other format) give: the same
records in the same order with the same properties in the same order, the same Rejects and the
same one-line errors, on every listing in the repository, a generated sample's, and damaged or
unusual variants of them (a bad value in each column, each column missing, empty and unknown
cells, quoting, a BOM, CRLF, columns reordered, ragged and comment rows, random damage)."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path
from unittest import mock

import pytest

from mastgraph.loaders import listings
from mastgraph.loaders.listings import ListingLoader
from mastgraph.loaders.records import LoadError, Reject
from mastgraph.loaders.tables import read_table
from mastgraph.model.records import plain
from mastgraph.pipeline.ingest import BadFile, _checked
from mastgraph.sample.generator import generate

ROOT = Path(__file__).resolve().parents[2]
#: Every CSV product listing of the repository.
FILES = sorted(p for folder in (ROOT / "sample", ROOT / "tests") for p in folder.rglob("*.csv")
               if ListingLoader.detect(p, p.read_bytes()[:65536]))
REAL = ROOT / "sample" / "data" / "real" / "listings"
API_CSV = REAL / "mastdocs_viz_products_api" / "products_jw01039-o004_t001_miri_ch3-long.csv"
QUERY_PRODUCTS = REAL / "jwst_mast_query_readme" / "productTable.csv"

#: Cell values put in each column in turn: unknown markers, spaces, numbers of every form int()
#: and float() take or refuse, enumerations in other cases, names and URIs of other products, text
#: that needs quoting.
CELLS = ["", "--", "NULL", "n/a", "NaN", " nan ", "  padded  ", "abc", "-1", "0", "1", "1.5", "2.0", "3", "4", "7",
         "1e2", "+3", "1_0", "\u0661\u0662", "99999999999999999999", "inf", "2733", "02733", "2733.0", "123456",
         "jw02733", "jw01039-o004_t001_miri_ch3-long", "jw02733002001_02103_00001_mirimage",
         "jw01039-o004_t001_miri_ch3-long_x1d.fits", "jw02733002001_02103_00001_mirimage_uncal.fits",
         "mast:JWST/product/jw01039-o004_t001_miri_ch3-long_s3d.fits", "mast:JWST/product/other_s3d.fits",
         "http://example.org/x.fits", "no_extension", "/jwst_data/01410/jw01410001001_02101_00001_guider1_cal.fits",
         "science", "Science", "sCiEnCe", "d", "S", "x", "public", "EXCLUSIVE_ACCESS", "cube", "IMAGE", "MIR_MRS",
         "nrc_image", "Minimum Recommended Products", "83209967", "71672220", "#not a comment", "a,b", 'say "hi"',
         "two\nlines", "\u00e9t\u00e9"]


def outcome(loader: ListingLoader, path: Path) -> tuple[str, object]:
    try:
        return ("records", [repr(record) for record in loader.records(path)])
    except LoadError as exc:
        return ("error", str(exc))


class ByRows(ListingLoader):
    """The listing read row by row (`listing_row`), the reference."""

    read_cells = False


def assert_same(path: Path) -> tuple[str, object]:
    expected = outcome(ByRows(), path)
    with mock.patch.object(listings, "listing_row", side_effect=AssertionError("a CSV row read as a Row")):
        assert outcome(ListingLoader(), path) == expected
    assert_plain_same(path)
    return expected


def assert_plain_same(path: Path) -> bool:
    """The plain form of a CSV listing (`plain_records`, for the bulk build) is, record for record,
    what the ingest's check (`_checked`) passes on; None exactly when that check refuses the file.
    Whether it was given."""
    given = ListingLoader().plain_records(path)
    try:
        expected = [plain(record) for record in _checked(ListingLoader(), path, False, [])]
    except BadFile:
        assert given is None
        return False
    assert given == expected
    return True


def rejects(result: tuple[str, object]) -> int:
    return sum(r.startswith("Reject(") for r in result[1]) if result[0] == "records" else 0


@pytest.fixture(scope="module")
def demo_listings(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("demo")
    generate(out, "demo")
    return sorted(p for p in out.rglob("*.csv") if "listings" in p.parts)


def test_there_are_listings_to_compare():
    assert API_CSV in FILES and QUERY_PRODUCTS in FILES
    assert all(read_table(p).cells is not None for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_csv_listing_in_the_repository_reads_the_same(path: Path):
    kind, records = assert_same(path)
    assert kind == "records" and records and not rejects((kind, records))


def test_a_generated_sample_s_listings_read_the_same(demo_listings: list[Path]):
    assert len(demo_listings) >= 10
    for path in demo_listings:
        kind, records = assert_same(path)
        assert kind == "records" and len(records) > 10, path


def _table(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    return header, rows


def _write(path: Path, header: list[str], rows: list[list[str]], quoting: int = csv.QUOTE_MINIMAL,
           newline: str = "\n", prefix: str = "") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, quoting=quoting, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(prefix + out.getvalue(), encoding="utf-8", newline="")
    return path


def _bases(demo_listings: list[Path]) -> list[Path]:
    """The real listings and two generated ones (an exposure listing and a Level-3 one)."""
    exposures = next(p for p in demo_listings if "_exposures_" in p.name)
    combined = next(p for p in demo_listings if "_exposures_" not in p.name)
    return [API_CSV, QUERY_PRODUCTS, exposures, combined]


def test_a_bad_value_in_each_column_reads_the_same(tmp_path: Path, demo_listings: list[Path]):
    total_rejects = 0
    for base in _bases(demo_listings):
        header, rows = _table(base)
        rows = rows[:6]
        for column in range(len(header)):
            for n, value in enumerate(CELLS):
                changed = [list(r) for r in rows]
                changed[n % len(changed)][column] = value
                path = _write(tmp_path / f"{base.stem}-{column}-{n}.csv", header, changed)
                total_rejects += rejects(assert_same(path))
    assert total_rejects > 500  # the values do break rows, each told the same way


def test_each_column_missing_reads_the_same(tmp_path: Path, demo_listings: list[Path]):
    errors = 0
    for base in _bases(demo_listings):
        header, rows = _table(base)
        for column in range(len(header)):
            keep = [i for i in range(len(header)) if i != column]
            path = _write(tmp_path / f"{base.stem}-without-{header[column]}.csv", [header[i] for i in keep],
                          [[r[i] for i in keep] for r in rows])
            errors += assert_same(path)[0] == "error"
    assert errors >= 4  # obsID, and the columns naming the product, are required


@pytest.mark.parametrize("form", ["quoted", "bom", "crlf", "reversed columns", "shuffled columns", "empty cells",
                                  "unknown cells", "padded cells", "extra column", "comments and blank lines",
                                  "ragged rows", "quoted newline", "repeated rows", "header only"])
def test_unusual_forms_read_the_same(tmp_path: Path, demo_listings: list[Path], form: str):
    rng = random.Random(form)
    for base in _bases(demo_listings):
        header, rows = _table(base)
        path, quoting, newline, prefix = tmp_path / f"{base.stem}.csv", csv.QUOTE_MINIMAL, "\n", ""
        if form == "quoted":
            quoting = csv.QUOTE_ALL
        elif form == "bom":
            prefix = "\ufeff"
        elif form == "crlf":
            newline = "\r\n"
        elif form in ("reversed columns", "shuffled columns"):
            order = list(range(len(header)))[::-1] if form == "reversed columns" else rng.sample(range(len(header)),
                                                                                                   len(header))
            header, rows = [header[i] for i in order], [[r[i] for i in order] for r in rows]
        elif form == "empty cells":
            rows = [[c if rng.random() < 0.7 else "" for c in r] for r in rows]
        elif form == "unknown cells":
            rows = [[c if rng.random() < 0.7 else rng.choice(["--", "NULL", "N/A", "nan", "Null"]) for c in r]
                    for r in rows]
        elif form == "padded cells":
            rows = [[f" {c}\t" if rng.random() < 0.5 else c for c in r] for r in rows]
        elif form == "extra column":
            header, rows = header + ["filters"], [r + ["F770W"] for r in rows]
        elif form == "comments and blank lines":
            rows = [x for r in rows for x in ([r, [], ["# a comment, with commas"]] if rng.random() < 0.5 else [r])]
        elif form == "ragged rows":
            rows = [r[:-1] if rng.random() < 0.2 else r + ["x"] if rng.random() < 0.2 else r for r in rows]
        elif form == "quoted newline":
            rows = [[c + "\nmore" if rng.random() < 0.05 else c for c in r] for r in rows]
        elif form == "repeated rows":
            rows = rows + rows[::-1]
        elif form == "header only":
            rows = []
        assert_same(_write(path, header, rows, quoting, newline, prefix))


def test_random_damage_reads_the_same(tmp_path: Path, demo_listings: list[Path]):
    rng = random.Random(20220712)
    bases = [_table(p) for p in _bases(demo_listings)]
    pool = CELLS + sorted({c for _, rows in bases for r in rows[:20] for c in r})
    told, given = 0, 0
    for n in range(400):
        header, rows = rng.choice(bases)
        rows = [list(r) for r in rows[:12]]
        for _ in range(rng.randint(1, 6)):
            rows[rng.randrange(len(rows))][rng.randrange(len(header))] = rng.choice(pool)
        path = _write(tmp_path / f"random-{n}.csv", header, rows)
        result = assert_same(path)
        told += rejects(result) > 0
        given += assert_plain_same(path)
    assert told > 100 and given > 50


def test_the_plain_form_of_products_named_again_and_of_conflicts(tmp_path: Path, demo_listings: list[Path]):
    """A product listed twice in one file (an MSA file under each exposure of its observation), the
    second row adding a value, or giving another: the plain form is what the check passes on, and
    is not given where the check refuses the file."""
    header, rows = _table(_bases(demo_listings)[3])
    column = {name: at for at, name in enumerate(header)}
    first, other = rows[0], next(r for r in rows if r[column["obsID"]] != rows[0][column["obsID"]])
    under_other = list(first)
    under_other[column["obsID"]] = other[column["obsID"]]
    under_other[column["obs_id"]] = other[column["obs_id"]]
    without_description = list(first)
    without_description[column["description"]] = ""
    other_size = list(first)
    other_size[column["size"]] = str(int(first[column["size"]]) + 1)
    other_form = list(next(r for r in rows if r[column["obsID"]] == other[column["obsID"]] and r is not other))
    other_form[column["obs_id"]] = first[column["obs_id"]]  # (the observation's other product, another obs_id)
    cases = {"under another observation": ([first, under_other], True),
             "a value added": ([without_description, first], True),
             "a value left out": ([first, without_description], True),
             "the same row": ([first, first], True),
             "another size": ([first, other_size], False),
             "an observation with two obs_ids": ([first, other, other_form], False)}
    for label, (listed, given) in cases.items():
        path = _write(tmp_path / f"{label}.csv", header, rows[1:5] + listed)
        assert assert_plain_same(path) is given, label


def test_a_reject_is_the_same_with_skip_and_without(tmp_path: Path, demo_listings: list[Path]):
    """Rows read as cells and rows read one by one say the same through the ingest's check."""
    from mastgraph.pipeline.ingest import BadFile, _checked

    header, rows = _table(_bases(demo_listings)[2])
    rows[3][header.index("size")] = "-5"
    path = _write(tmp_path / "bad-size.csv", header, rows)
    for skip_bad in (False, True):
        said = []
        for loader in (ListingLoader(), ByRows()):
            found: list[Reject] = []
            try:
                records = [repr(r) for r in _checked(loader, path, skip_bad, found)]
            except BadFile as exc:
                records = [str(exc)]
            said.append((records, [str(r) for r in found]))
        assert said[0] == said[1]
        assert "size: -5 is negative" in repr(said[0])
