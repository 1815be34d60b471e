"""Read-only Cypher execution: a query's rows, capped, under a timeout, never a write.

Two guards keep a query from writing. Before running, `EXPLAIN` tells the query type Neo4j
planned (``r`` read, ``rw``/``w`` write, ``s`` schema) and anything but ``r`` is refused, naming the
clause that writes. The query then runs in a READ-access session through a read transaction, so a
cluster routes it to a reader and every Neo4j refuses a write it would still attempt
(``Neo.ClientError.Statement.AccessMode``). Values travel as parameters, never as query text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import neo4j
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point

from mastgraph.model.errors import first_line, shown
from mastgraph.model.vocabulary import program_digits

from .db import CONNECTION_LOST
from .queries import NamedQuery, ParamSpec, param_specs

#: What a user is told when a query would write.
READ_ONLY = "mastgraph runs Cypher read-only (READ access mode)"

#: Plan operators that write (names as Neo4j 5 reports them, by prefix), with the clause a user wrote.
_WRITE_OPERATORS: tuple[tuple[str, str], ...] = (
    ("Merge", "MERGE"),
    ("Create", "CREATE"),
    ("DetachDelete", "DETACH DELETE"),
    ("Delete", "DELETE"),
    ("Set", "SET"),
    ("Remove", "REMOVE"),
    ("Foreach", "FOREACH"),
    ("ProcedureCall", "a procedure that writes"),
)

_LEADING = re.compile(r"^(?:\s|//[^\n]*\n)*(EXPLAIN|PROFILE)\b", re.IGNORECASE)


class CypherError(Exception):
    """A query that cannot run, worded in one line (syntax, missing parameter, timeout ...)."""


class WriteRefused(CypherError):
    """The query writes; mastgraph runs Cypher read-only."""


class CypherTimeout(CypherError):
    """A named or ad-hoc query ran longer than its timeout and Neo4j stopped it (the API's
    request-time limit is `graph.read.QueryTimeout`)."""


@dataclass(frozen=True)
class Rows:
    """A query's answer: column names, rows of plain values, and whether the row cap cut it."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    truncated: bool = False

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def run_read_only(
    driver: neo4j.Driver,
    text: str,
    params: Mapping[str, Any] | None = None,
    *,
    database: str,
    timeout: float,
    limit: int,
) -> Rows:
    """Run user-supplied Cypher read-only: refuse it when its plan writes, then `read` it."""
    params = dict(params or {})
    with _session(driver, database) as session:
        plan_type, clause = _planned(session, text, params, timeout)
    if plan_type != "r":
        raise WriteRefused(f"refused: this query writes ({clause}) and {READ_ONLY}")
    return read(driver, text, params, database=database, timeout=timeout, limit=limit)


def read(
    driver: neo4j.Driver,
    text: str,
    params: Mapping[str, Any] | None = None,
    *,
    database: str,
    timeout: float,
    limit: int,
) -> Rows:
    """Run Cypher in a read transaction of a READ-access session; at most `limit` rows."""

    @neo4j.unit_of_work(timeout=timeout)
    def work(tx: neo4j.ManagedTransaction) -> Rows:
        result = tx.run(text, dict(params or {}))
        columns = tuple(result.keys())
        rows: list[tuple[Any, ...]] = []
        truncated = False
        for record in result:
            if len(rows) >= limit:
                truncated = True
                break
            rows.append(tuple(plain(value) for value in record.values()))
        result.consume()
        return Rows(columns, tuple(rows), truncated)

    with _session(driver, database) as session:
        try:
            return session.execute_read(work)
        except neo4j.exceptions.Neo4jError as exc:
            raise describe_error(exc, timeout) from None
        except CONNECTION_LOST:
            raise  # (`db.connect` words it: the server stopped answering)
        except neo4j.exceptions.DriverError as exc:
            raise connection_error(exc) from None


def _session(driver: neo4j.Driver, database: str) -> neo4j.Session:
    return driver.session(
        database=database, default_access_mode=neo4j.READ_ACCESS, notifications_min_severity="OFF"
    )


def _planned(session: neo4j.Session, text: str, params: dict[str, Any], timeout: float) -> tuple[str, str]:
    """The query type of the plan (`r`, `rw`, `w`, `s`) and the first clause that writes."""
    leading = _LEADING.match(text)
    body = text[leading.end():] if leading else text
    try:
        summary = session.run(neo4j.Query("EXPLAIN " + body, timeout=timeout), params).consume()
    except neo4j.exceptions.Neo4jError as exc:
        raise describe_error(exc, timeout) from None
    except CONNECTION_LOST:
        raise  # (`db.connect` words it: the server stopped answering)
    except neo4j.exceptions.DriverError as exc:
        raise connection_error(exc) from None
    query_type = summary.query_type or "unknown"  # a plan of unknown type is not taken for a read
    if query_type == "s":  # (Neo4j plans DBMS procedures, `CALL dbms.components()` say, as schema writes too)
        return query_type, "a schema or DBMS command"
    return query_type, _writing_clause(summary.plan or {}) or "a write"


def _writing_clause(plan: Mapping[str, Any]) -> str | None:
    """The clause of the first operator of the plan (depth first) that writes."""
    operator = str(plan.get("operatorType", "")).split("@")[0]
    for prefix, clause in _WRITE_OPERATORS:
        if operator.startswith(prefix):
            return clause
    for child in plan.get("children", ()):
        found = _writing_clause(child)
        if found:
            return found
    return None


def describe_error(exc: neo4j.exceptions.Neo4jError, timeout: float) -> CypherError:
    """One line for an error Neo4j raised: refused write, timeout, missing parameter, syntax ..."""
    code = exc.code or ""
    text = (exc.message or str(exc)).strip()
    message = text.splitlines()[0] if text else code
    if code.endswith("Statement.AccessMode"):
        return WriteRefused(f"refused: this query writes and {READ_ONLY}; Neo4j refused it ({message})")
    if "TransactionTimedOut" in code:
        return CypherTimeout(f"the query ran longer than its timeout of {timeout:g} s and Neo4j stopped it")
    if code.endswith("Statement.ParameterMissing"):
        return CypherError(f"{message} (give each with --param NAME=VALUE)")
    if code.endswith("Statement.SyntaxError"):
        return CypherError(f"Cypher syntax error: {message}")
    return CypherError(f"{code.rsplit('.', 1)[-1] or 'Neo4j error'}: {message}")


def connection_error(exc: neo4j.exceptions.DriverError) -> CypherError:
    return CypherError(f"Neo4j connection: {first_line(exc)}")


def plain(value: Any) -> Any:
    """A JSON-ready copy of a value Neo4j returned (nodes, relationships, paths, temporal, spatial)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": plain(dict(value))}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": plain(dict(value))}
    if isinstance(value, Path):
        return {"nodes": [plain(n) for n in value.nodes], "relationships": [plain(r) for r in value.relationships]}
    if isinstance(value, Point):
        return {"srid": value.srid, "coordinates": list(value)}
    if hasattr(value, "iso_format"):  # (before tuples: a Duration is one, of months, days, seconds, nanoseconds)
        return value.iso_format()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return str(value)


def parse_param(text: str, declared: str = "") -> tuple[str, Any]:
    """`k=v` from the command line: v as JSON when it parses (numbers, lists, quoted strings), else the
    text; a parameter `declared` a string keeps its text (`level=3` is "3", `program=02733` "02733")."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise CypherError(f"bad --param {text!r}: write NAME=VALUE, e.g. --param uri=mast:JWST/product/x_cal.fits")
    try:
        value = json.loads(raw, parse_constant=_not_json, parse_float=_finite)
    except ValueError:
        return name, raw
    if declared == "string" and not isinstance(value, str):
        return name, raw
    return name, value


def _not_json(constant: str) -> Any:
    """`NaN`, `Infinity` and `-Infinity`, which Python's json reads and JSON has not: the text as given
    (a float nan or inf is no Cypher literal for the Browser's :param, nor a value anyone means)."""
    raise ValueError(constant)


def _finite(text: str) -> float:
    """A JSON number as a float, refused when it is beyond a float's range (`1e400` read as inf)."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def parse_params(items: Sequence[str], named: NamedQuery | None = None) -> dict[str, Any]:
    """Every `k=v`, typed by the named query's `// params:` declaration when there is one, and checked
    against it (`check_value`); a name given twice is refused."""
    specs = {spec.name: spec for spec in param_specs(named)} if named else {}
    params: dict[str, Any] = {}
    for item in items:
        spec = specs.get(item.partition("=")[0].strip())
        name, value = parse_param(item, spec.type if spec else "")
        if name in params:
            raise CypherError(f"--param {name} is given twice; give each parameter once")
        if spec is not None:
            check_value(spec, value, item.partition("=")[2])
        params[name] = value
    return params


_AT_MOST = re.compile(r"\bat most (\d+)\b")


def check_value(spec: ParamSpec, value: Any, given: str | None = None) -> None:
    """Refuse, in one line, a value given for a declared parameter that is not of its type: `int` a
    whole number, 0 or more (the library's ints are depths and row counts), `float` a number, an
    `int` or `float` no more than the `at most N` of its note; and a `program` (string) a JWST program
    number of 1 to 5 digits, as the library's queries pad it (`123456` would be read as 23456), a
    `level` one of the levels its note quotes ("2a", "2b" or "3": `L3` matched nothing). Other strings, and types a file of one's own declares, are not checked. Null stands for an
    optional parameter left out. The message quotes `given`, the text as typed, when there is one."""
    if value is None:
        return
    typed = shown(value if given is None else given)
    if spec.name == "program" and spec.type == "string":
        if program_digits(str(value)) is None:
            raise CypherError(f"--param program takes a JWST program number, e.g. 2733 or 02733, not {typed}")
        return
    if spec.name == "level" and spec.type == "string":
        levels = re.findall(r'"([^"]+)"', spec.note)
        if levels and value not in levels:
            raise CypherError(f"--param level takes {', '.join(levels[:-1])} or {levels[-1]}, not {typed}")
        return
    if spec.type not in ("int", "float"):
        return
    number = isinstance(value, (int, float)) and not isinstance(value, bool)  # (True is an int to Python)
    if spec.type == "int" and not (number and isinstance(value, int) and value >= 0):
        raise CypherError(f"--param {spec.name} takes a whole number, 0 or more ({spec.type}), not {typed}")
    if spec.type == "float" and not number:
        raise CypherError(f"--param {spec.name} takes a number ({spec.type}), not {typed}")
    bound = _AT_MOST.search(spec.note)
    if bound and value > int(bound.group(1)):
        raise CypherError(f"--param {spec.name} is at most {bound.group(1)}, not {typed}")


def query_params(named: NamedQuery, given: Mapping[str, Any], *, limit: int | None = None) -> dict[str, Any]:
    """The parameters to run a named query with: every declared one (None when not given), the
    row cap as its `limit` when it declares one; unknown or missing required names are refused."""
    specs = param_specs(named)
    if not specs:
        return dict(given)
    names = [spec.name for spec in specs]
    unknown = sorted(set(given) - set(names))
    if unknown:
        raise CypherError(f"{named.name} takes {', '.join(names)}; not {', '.join(unknown)}")
    missing = [spec.name for spec in specs if spec.required and given.get(spec.name) is None]
    if missing:
        needed = " ".join(f"--param {name}=..." for name in missing)
        what = "; ".join(f"{s.name}: {s.type}{', ' + s.note if s.note else ''}" for s in specs if s.name in missing)
        raise CypherError(f"{named.name} needs {needed} ({what})")
    params = {name: given.get(name) for name in names}
    if "limit" in params and params["limit"] is None and limit is not None:
        params["limit"] = limit
    return params
