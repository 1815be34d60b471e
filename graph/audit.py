"""The completeness and consistency audit: each check is a library query of `cypher/`, run read-only.

A check's count is the number of rows its query returns, capped (`cap`) so that an audit of the
whole archive stays bounded; `capped` says the true number may be larger. Examples are the first
rows, in the query's own order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import neo4j

from mastgraph.model.errors import shown
from mastgraph.model.vocabulary import program_digits

from . import queries, runner


@dataclass(frozen=True)
class Check:
    """One kind of finding: the library query that lists it, and the parameters it adds."""

    name: str
    title: str
    query: str
    params: Mapping[str, Any] = field(default_factory=dict)


#: The audit's checks, in report order.
CHECKS: tuple[Check, ...] = (
    Check("untraceable_l3", "Level-3 products that cannot be traced to Level-1b", "untraceable_products", {"level": "3"}),
    Check("unlisted_members", "association members missing from the MAST listings", "orphan_association_members"),
    Check("several_crds_contexts", "products under several CRDS contexts", "several_crds_contexts"),
    Check("mrp_disagreements", "minimum recommended products disagreeing with MAST", "mrp_disagreements"),
    Check("cycles", "lineage cycles", "cycles"),
    Check("orphan_products", "products no observation or association claims", "orphan_products"),
    Check("duplicate_products", "one file name under several product URIs", "duplicate_products"),
)


@dataclass(frozen=True)
class Finding:
    """What one check found: how many rows (at least, when `capped`) and the first few."""

    check: str
    title: str
    query: str
    count: int
    capped: bool
    examples: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "title": self.title, "query": self.query, "count": self.count,
                "capped": self.capped, "examples": list(self.examples)}


@dataclass(frozen=True)
class AuditReport:
    """The audit of the graph, or of one program."""

    program: str | None
    findings: tuple[Finding, ...]

    @property
    def problems(self) -> int:
        return sum(finding.count for finding in self.findings)

    @property
    def clean(self) -> bool:
        return self.problems == 0

    def finding(self, check: str) -> Finding:
        for finding in self.findings:
            if finding.check == check:
                return finding
        raise KeyError(check)

    def to_dict(self) -> dict[str, Any]:
        return {"program": self.program, "problems": self.problems, "clean": self.clean,
                "findings": [finding.to_dict() for finding in self.findings]}


def program_key(program: str | int | None) -> str | None:
    """The 5-digit zero-padded program (`2733` -> `"02733"`), or None; ValueError when not a number."""
    if program is None or str(program).strip() == "":
        return None
    key = program_digits(str(program).strip())
    if key is None:
        raise ValueError(f"bad program {shown(program)}: give the JWST proposal number, e.g. 2733 or 02733")
    return key


def run_audit(
    driver: neo4j.Driver,
    *,
    database: str,
    program: str | int | None = None,
    examples: int = 5,
    cap: int = 10_000,
    timeout: float = 120.0,
    checks: tuple[Check, ...] = CHECKS,
) -> AuditReport:
    """Run every check read-only and gather the report. Raises `runner.CypherError` (one line)."""
    key = program_key(program)
    findings = []
    for check in checks:
        named = queries.query(check.query)
        params = runner.query_params(named, {**check.params, "program": key}, limit=cap + 1)
        rows = runner.read(driver, named.text, params, database=database, timeout=timeout, limit=cap)
        findings.append(
            Finding(check.name, check.title, check.query, len(rows.rows), rows.truncated,
                    tuple(rows.dicts()[:examples]))
        )
    return AuditReport(key, tuple(findings))
