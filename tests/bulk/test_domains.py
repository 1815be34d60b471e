"""`mastgraph build` parses with the online ingest's loaders and checks: a damaged real file is
refused before the import with the same one line (the dry run touches no server)."""

from __future__ import annotations

import pytest

from mastgraph.pipeline.bulk import BuildOptions, BulkError, build
from mastgraph.pipeline.ingest import parse_file
from mastgraph.graph.server import free_port
from mastgraph.graph.settings import Settings

from ..loaders.test_domains import API_CSV, CAL, CASES, REAL


@pytest.mark.parametrize("case", [c for c in CASES if c[0] in ("listing-level-vs-name", "fits-crds-instrument",
                                                                 "asn-program-vs-name", "pool-exp_type")],
                         ids=lambda c: c[0])
def test_build_refuses_a_damaged_file_with_the_ingest_message(tmp_path, case):
    _, source, damage, _ = case
    bad = tmp_path / "in" / source.name
    bad.parent.mkdir()
    damage(source, bad)
    expected = parse_file(bad).error
    assert expected is not None
    settings = Settings(neo4j_uri=None, home=tmp_path / "state", bolt_port=free_port())
    with pytest.raises(BulkError, match="the bulk build stopped before the import") as caught:
        build(settings, [REAL / "listings", bad.parent], BuildOptions(dry_run=True, workers=1,
                                                                     work_dir=tmp_path / "work"))
    assert caught.value.lines == [expected]


def test_build_dry_run_of_the_real_files_passes_the_checks(tmp_path):
    settings = Settings(neo4j_uri=None, home=tmp_path / "state", bolt_port=free_port())
    report = build(settings, [REAL, API_CSV.parent, CAL], BuildOptions(dry_run=True, workers=1,
                                                                      work_dir=tmp_path / "work"))
    assert report.rejects == 0 and report.files >= 34
