"""`mastgraph audit`'s table in an 80-column terminal: every example's URI or file name printed whole."""

from __future__ import annotations

import io

from rich.console import Console

from mastgraph.cli import audit as audit_cli
from mastgraph.graph.audit import AuditReport, Finding

LONG = "mast:JWST/product/jw01039-o004_t001_nirspec_clear-prism-s00001_x1d.fits"
OTHER = "jw01039004001_03101_00001_nrs1_uncal.fits"


def test_examples_are_printed_whole_at_80_columns(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(audit_cli, "console", Console(file=out, width=80, color_system=None))
    report = AuditReport(program="01039", findings=(
        Finding("untraceable_products", "Level-3 products that cannot be traced to raw exposures",
                "untraceable_products", 2, False, ({"uri": LONG, "level": 3}, {"uri": LONG + "x", "level": 3})),
        Finding("orphan_products", "products nothing links to", "orphan_products", 1, True,
                ({"filename": OTHER, "uri": "mast:JWST/product/" + OTHER},)),
        Finding("cycles", "lineage cycles", "cycles", 0, False, ()),
    ))
    audit_cli.show_report(report)
    text = out.getvalue()
    assert "…" not in text
    lines = text.splitlines()
    assert f"  {LONG}  (level=3)" in lines and f"  {LONG}x  (level=3)" in lines
    assert f"  {OTHER}  (uri=mast:JWST/product/{OTHER})" in lines
    assert all(name in text for name in ("untraceable_products", "orphan_products", "cycles"))
    assert "1+" in text and "3 finding(s)" in text  # the counts as before
