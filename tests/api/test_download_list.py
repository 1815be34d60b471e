"""downloadList over GraphQL and `mastgraph download-list` on the small sample: the same text, MRP, filters, exports."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess

import pytest

from mastgraph.graph import downloads, read
from mastgraph.graph.download_export import CSV_COLUMNS, DOWNLOAD_URL
from mastgraph.loaders.names import INTERMEDIATE_SUFFIXES
from mastgraph.model.vocabulary import Label

from starlette.testclient import TestClient

from mastgraph.api.app import create_app

from .conftest import IMAGE3, PROGRAM, api_settings, gql, ok

DOWNLOAD = """query ($id: String!, $direction: LineageDirection, $all: Boolean, $levels: [String!],
                 $types: [String!], $suffixes: [String!]) {
  downloadList(id: $id, direction: $direction, all: $all, levels: $levels, productTypes: $types, suffixes: $suffixes) {
    files { uri filename level productType suffix size mrp mastMrp category }
    count totalSize unknownSizes truncated anchor { kind key label }
    uris curl csv
  }
}"""


@pytest.fixture(scope="module")
def api(neo4j_settings):
    """The API with a Neo4j budget of 60 s: planning a query the first time takes seconds on a busy
    2-core machine, and every request of this module asks for a new list."""
    with TestClient(create_app(api_settings(neo4j_settings, tx_timeout=60.0))) as client:
        yield client


def listing(api, id, **variables):
    answer = gql(api, DOWNLOAD, {"id": id, **variables})
    return ok(answer)["downloadList"], answer


def uris_of(answer) -> set[str]:
    return {f["uri"] for f in answer["files"]}


def upstream_view(s) -> set[str]:
    """The L3's lineage: members, their antecedents (and association files), calibrations, prerequisites,
    linked guide star; with the L3's own association file and its preview."""
    return {s.l3, s.image3_file, *s.cal, *s.rate, *s.uncal, *s.image2_files, s.background,
            s.target_acquisition, s.guide_star, s.preview}


@pytest.fixture
def cli(cli):
    """`mastgraph download-list ...` in-process (tests/conftest.py's `cli`)."""
    return lambda *args: cli("download-list", *args)


def test_all_files_of_the_l3_upstream_view(api, sample_graph):
    answer, http = listing(api, sample_graph.l3, all=True)
    assert http.queries <= 8
    assert uris_of(answer) == upstream_view(sample_graph)
    assert answer["count"] == len(answer["files"])
    assert answer["anchor"] == {"kind": "PRODUCT", "key": sample_graph.l3, "label": sample_graph.l3.rsplit("/", 1)[1]}
    levels = ["3", "2b", "2a", "1b"]
    ranks = [levels.index(f["level"]) if f["level"] in levels else 4 for f in answer["files"]]
    assert ranks == sorted(ranks), "level descending"
    for rank in set(ranks):
        names = [f["filename"] for f, r in zip(answer["files"], ranks) if r == rank]
        assert names == sorted(names), "then file name"
    by_uri = {f["uri"]: f for f in answer["files"]}
    assert {by_uri[u]["category"] for u in sample_graph.uncal} == {"RAW"}
    assert {by_uri[u]["category"] for u in sample_graph.rate} == {"INTERMEDIATE"}
    assert by_uri[sample_graph.preview]["category"] == "PREVIEW"
    assert by_uri[sample_graph.image3_file]["category"] == "INFO"
    assert by_uri[sample_graph.guide_star]["category"] == "AUXILIARY"
    assert by_uri[sample_graph.cal[0]]["mrp"] and by_uri[sample_graph.cal[0]]["mastMrp"]
    assert not by_uri[sample_graph.rate[0]]["mrp"] and not by_uri[sample_graph.rate[0]]["mastMrp"]
    sizes = [f["size"] for f in answer["files"] if f["size"] is not None]
    assert answer["totalSize"] == sum(sizes) and answer["unknownSizes"] == len(answer["files"]) - len(sizes)


def test_minimum_recommended_products_hide_lower_levels_when_an_l3_exists(api, sample_graph):
    answer, _ = listing(api, sample_graph.l3)
    assert [f["uri"] for f in answer["files"]] == [sample_graph.l3]
    assert answer["totalSize"] == next(p["size"] for _, k, p, _ in sample_graph.nodes if k == sample_graph.l3)
    # an exposure's own view has no L3: its MRP is its cal product
    exposure, _ = listing(api, sample_graph.exposure_obsids[0])
    assert [f["uri"] for f in exposure["files"]] == [sample_graph.cal[0]]
    everything, _ = listing(api, sample_graph.exposure_obsids[0], all=True)
    assert {sample_graph.uncal[0], sample_graph.rate[0], sample_graph.guide_star} <= uris_of(everything)


def test_downstream_from_a_raw_exposure_reaches_the_l3(api, sample_graph):
    answer, _ = listing(api, sample_graph.uncal[0], direction="DOWNSTREAM", all=True)
    assert {sample_graph.uncal[0], sample_graph.rate[0], sample_graph.cal[0], sample_graph.l3, sample_graph.preview,
            sample_graph.guide_star} == uris_of(answer)
    assert [f["uri"] for f in listing(api, sample_graph.uncal[0], direction="DOWNSTREAM")[0]["files"]] == [sample_graph.l3]


def test_filters_apply_after_the_mrp_choice(api, sample_graph):
    raw, _ = listing(api, sample_graph.l3, all=True, levels=["1b"])
    assert [f["uri"] for f in raw["files"]] == sorted(sample_graph.uncal)
    info, _ = listing(api, sample_graph.l3, all=True, types=["info"])
    assert uris_of(info) == {sample_graph.image3_file, *sample_graph.image2_files}
    cal_rate, _ = listing(api, sample_graph.l3, all=True, suffixes=["rate", "uncal"], levels=["2a", "L1b"])
    assert uris_of(cal_rate) == {*sample_graph.rate, *sample_graph.uncal}
    assert listing(api, sample_graph.l3, levels=["1b"])[0]["files"] == []  # MRP first: no raw file is an MRP


@pytest.mark.parametrize("id_of", [
    lambda s: s.l3.rsplit("/", 1)[1],  # a file name
    lambda s: s.combined_obsid,
    lambda s: next(p["obs_id"] for label, k, p, _ in s.nodes if k == s.combined_obsid),
])
def test_an_id_is_anything_search_returns(api, sample_graph, id_of):
    answer, _ = listing(api, id_of(sample_graph), all=True)
    assert sample_graph.l3 in uris_of(answer)


def test_observation_program_and_association_views(api, sample_graph):
    combined, _ = listing(api, sample_graph.combined_obsid, all=True)
    members = {*sample_graph.uncal, *sample_graph.rate, *sample_graph.cal}
    assert uris_of(combined) == {sample_graph.l3, sample_graph.image3_file, sample_graph.preview, sample_graph.guide_star,
                                 *members}
    for spelling in (PROGRAM, "2733", "jw02733"):
        program, _ = listing(api, spelling, all=True)
        assert program["anchor"] == {"kind": "PROGRAM", "key": PROGRAM, "label": "jw" + PROGRAM}
        assert uris_of(program) == uris_of(combined)
    assert combined["anchor"] == {"kind": "OBSERVATION", "key": sample_graph.combined_obsid, "label": next(
        p["obs_id"] for _, k, p, _ in sample_graph.nodes if k == sample_graph.combined_obsid)}
    exposure_down, _ = listing(api, sample_graph.exposure_obsids[0], direction="DOWNSTREAM", all=True)
    exposure_up, _ = listing(api, sample_graph.exposure_obsids[0], all=True)
    assert sample_graph.l3 in uris_of(exposure_down) and sample_graph.l3 not in uris_of(exposure_up)
    assert uris_of(exposure_up) < uris_of(exposure_down)
    association, _ = listing(api, IMAGE3, all=True)
    assert uris_of(association) == {sample_graph.l3, sample_graph.image3_file, sample_graph.preview, *sample_graph.cal}


def test_a_program_without_a_program_node_is_its_products(api, sample_graph, cli):
    """Program 09999 is known only from its products (no listing: no Program node, no observation): its
    list is the products carrying its id, spelt as any program; nothing flags them, so no MRP."""
    for spelling in ("9999", "09999", "jw09999"):
        program, _ = listing(api, spelling, all=True)
        assert program["anchor"] == {"kind": "PROGRAM", "key": "09999", "label": "jw09999"}
        assert uris_of(program) == set(sample_graph.cycle)
    mrp, _ = listing(api, "9999")
    assert mrp["anchor"]["kind"] == "PROGRAM" and mrp["files"] == [] and mrp["count"] == 0
    result = cli("jw09999", "--all")
    assert result.exit_code == 0, result.output
    assert result.stdout == program["uris"]
    result = cli("jw09999")
    assert result.exit_code == 0 and result.stdout == "" and "--all lists every file" in result.stderr


def all_ids(s) -> list[str]:
    """Every id of the sample a list can be asked for."""
    return [*(key for label, key, _, _ in s.nodes if label in (Label.OBSERVATION, Label.ASSOCIATION)),
            PROGRAM, "9999", *(key for label, key, _, _ in s.nodes if label is Label.PRODUCT)]


def test_minimum_recommended_lists_are_the_full_lists_filtered(sample_graph, neo4j_settings):
    """The MRP list (reached by the flags where it can be: MRP_VIEWS) is what the full list keeps by
    `minimum_recommended`, for every id of the sample in both directions."""
    assert {"OBSERVATION", "PROGRAM"} <= set(downloads.MRP_VIEWS)
    compared = compare_lists(neo4j_settings, all_ids(sample_graph))
    assert compared == 2 * len(all_ids(sample_graph))


def test_a_list_past_the_node_limit_says_it_is_cut(sample_graph, neo4j_settings):
    async def main():
        driver = read.open_driver(neo4j_settings)
        try:
            reader = read.Reader(driver, neo4j_settings.neo4j_database, 60.0)
            return [await downloads.download_list(reader, downloads.request(sample_graph.combined_obsid, all=all),
                                                  max_nodes=limit) for all in (True, False) for limit in (2, 1000)]
        finally:
            await driver.close()

    full_cut, full, mrp_cut, mrp = asyncio.run(main())
    assert (full_cut["truncated"], full["truncated"], mrp_cut["truncated"], mrp["truncated"]) == (True, False, True, False)
    assert [f["uri"] for f in mrp["files"]] == [sample_graph.l3]


def compare_lists(settings, ids) -> int:
    """Asserts each id's MRP list equals its full list filtered; how many lists were compared."""
    async def main():
        driver = read.open_driver(settings)
        try:
            reader = read.Reader(driver, settings.neo4j_database, 60.0)
            compared = 0
            for id in ids:
                for upstream in (True, False):
                    full = await downloads.download_list(reader, downloads.request(id, upstream=upstream, all=True),
                                                         max_nodes=1000)
                    mrp = await downloads.download_list(reader, downloads.request(id, upstream=upstream),
                                                        max_nodes=1000)
                    if full is None:
                        assert mrp is None, id
                        continue
                    assert not full["truncated"] and not mrp["truncated"]
                    expected = downloads.order(downloads.minimum_recommended(full["files"]))
                    assert (mrp["anchor"], mrp["files"]) == (full["anchor"], expected), (id, upstream)
                    compared += 1
            return compared
        finally:
            await driver.close()

    return asyncio.run(main())


def test_unknown_id_is_null_and_bad_arguments_name_themselves(api, sample_graph):
    assert ok(gql(api, DOWNLOAD, {"id": "jw99999-nothing"}))["downloadList"] is None
    answer = gql(api, DOWNLOAD, {"id": sample_graph.l3, "levels": ["4"]})
    assert answer.errors[0]["extensions"] == {**answer.errors[0]["extensions"], "code": "BAD_USER_INPUT",
                                              "argument": "levels"}


def test_exports_uri_list_csv_and_a_valid_sh_script(api, sample_graph, tmp_path):
    answer, _ = listing(api, sample_graph.l3, all=True)
    files = answer["files"]
    assert answer["uris"].splitlines() == [f["uri"] for f in files]
    rows = list(csv.DictReader(io.StringIO(answer["csv"])))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["uri"] for r in rows] == [f["uri"] for f in files]
    assert [r["size"] for r in rows] == ["" if f["size"] is None else str(int(f["size"])) for f in files]
    script = tmp_path / "download.sh"
    script.write_text(answer["curl"])
    checked = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    commands = [line for line in answer["curl"].splitlines() if line.startswith("curl ")]
    assert len(commands) == len(files)
    assert all(f"'{DOWNLOAD_URL}{f['uri']}'" in c for f, c in zip(files, commands))


def test_the_script_quotes_hostile_names(tmp_path):
    from mastgraph.graph import download_export

    hostile = [{"uri": "mast:JWST/product/a'$(touch pwned);`x`\nEOT\nrm -rf x.fits", "filename": "a'$(touch pwned)\n.fits"}]
    script = tmp_path / "hostile.sh"
    script.write_text(download_export.curl(hostile))
    assert subprocess.run(["sh", "-n", str(script)], capture_output=True).returncode == 0
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    (fake_bin / "curl").write_text("#!/bin/sh\nexit 0\n")
    (fake_bin / "curl").chmod(0o755)
    run = subprocess.run(["sh", str(script)], cwd=tmp_path, capture_output=True, text=True,
                         env={"PATH": f"{fake_bin}:/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("fmt", ["uris", "curl", "csv"])
def test_cli_prints_exactly_the_graphql_export(api, sample_graph, cli, fmt):
    answer, _ = listing(api, sample_graph.l3, all=True, levels=["2b", "1b"], direction="UPSTREAM")
    result = cli(sample_graph.l3, "--all", "--level", "2b", "--level", "1b", "--direction", "up", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stdout == answer[fmt]
    down, _ = listing(api, sample_graph.uncal[1], direction="DOWNSTREAM", types=["SCIENCE"])
    result = cli(sample_graph.uncal[1], "--direction", "down", "--product-type", "SCIENCE", "-f", fmt, "-o", "out.txt")
    assert result.exit_code == 0, result.output
    with open("out.txt") as written:
        assert written.read() == down[fmt]


def test_cli_unknown_id_and_bad_level_are_one_line_errors(cli, sample_graph):
    for args in (["jw99999-nothing"], [sample_graph.l3, "--level", "9"],
                 [sample_graph.l3, "--output", "no-such-folder/list.txt"]):
        result = cli(*args)
        assert result.exit_code != 0 and "Traceback" not in result.output
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr


def test_intermediate_suffixes_follow_the_loaders():
    assert downloads.INTERMEDIATE_SUFFIXES == INTERMEDIATE_SUFFIXES
