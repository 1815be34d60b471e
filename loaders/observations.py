"""Observation rows (CAOM, `Observations.query_criteria`): one Observation per row, its Program.

Also accepts reduced tables that keep `obsid` and `obs_id` (e.g. `jwst_mast_query`'s obsTable);
columns it does not know are ignored. A product listing is refused with a clear `LoadError`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from mastgraph.model.vocabulary import Label, Rel
from mastgraph.loaders import domains
from mastgraph.loaders.listings import NAME_COLUMNS, form_labels, is_listing, row_program
from mastgraph.loaders.records import Record, Reject
from mastgraph.model.records import Edge, Node, clean
from mastgraph.loaders.tables import BadValue, Row, ident, integer, number, read_table, sniff_columns, text

#: CAOM column -> Observation property, by type.
TEXT_PROPS = {
    "instrument_name": "instrument",
    "filters": "filters",
    "target_name": "target_name",
    "target_classification": "target_classification",
    "dataproduct_type": "dataproduct_type",
    "intentType": "intent",
    "dataRights": "data_rights",
    "provenance_name": "provenance_name",
    "obs_collection": "obs_collection",
}
FLOAT_PROPS = {c: c for c in ("s_ra", "s_dec", "t_min", "t_max", "t_exptime", "t_obs_release")}


def is_observation_rows(columns: set[str] | tuple[str, ...]) -> bool:
    return "obsid" in columns and "obs_id" in columns and not is_listing(columns)


class ObservationLoader:
    """CAOM observation rows -> Observation (Exposure/Combined) and Program nodes."""

    kind: ClassVar[str] = "observations"

    @classmethod
    def detect(cls, path: Path, head: bytes) -> bool:
        return is_observation_rows(sniff_columns(path, head))

    def records(self, path: Path) -> Iterator[Record]:
        table = read_table(path)
        listing = table.has("obsID") or any(table.has(c) for c in NAME_COLUMNS)
        hint = "this looks like a product listing, not observation rows" if listing else ""
        table.require("obsid", "obs_id", hint=hint)
        for row in table.rows:
            if row.error:
                yield Reject(row.origin, row.error)
                continue
            try:
                records = observation_row(row)
            except BadValue as exc:
                yield Reject(row.origin, str(exc))
                continue
            yield from records


def observation_row(row: Row) -> list[Record]:
    where = row.origin
    obsid = ident(row.get("obsid"), "obsid")
    if obsid is None:
        raise BadValue("obsid is empty")
    obs_id = text(row.get("obs_id"), "obs_id")
    if obs_id is None:
        raise BadValue("obs_id is empty")
    program = row_program(row, obs_id, None)
    props: dict[str, Any] = {"obs_id": obs_id, "program": program}
    props["calib_level"] = integer(row.get("calib_level"), "calib_level")
    for column, prop in TEXT_PROPS.items():
        props[prop] = text(row.get(column), column)
    for column, prop in FLOAT_PROPS.items():
        props[prop] = number(row.get(column), column)
    check_domains(row, props)
    labels = form_labels(obs_id)
    if not labels and props["calib_level"] == 3:
        labels = (Label.COMBINED,)
    records: list[Record] = [Node(Label.OBSERVATION, obsid, clean(props), labels, where)]
    if program is not None:
        program_props = {"proposal_id": str(int(program)), "pi": text(row.get("proposal_pi"), "proposal_pi")}
        records.append(Node(Label.PROGRAM, program, clean(program_props), (), where))
        records.append(Edge(Rel.HAS_OBSERVATION, (Label.PROGRAM, program), (Label.OBSERVATION, obsid), {}, where))
    return records


#: Float columns and the domain each must lie in (docs/formats.md, "Observation rows").
_RANGES = (("s_ra", domains.right_ascension), ("s_dec", domains.declination), ("t_min", domains.mjd),
           ("t_max", domains.mjd), ("t_obs_release", domains.mjd), ("t_exptime", domains.not_negative))


def check_domains(row: Row, props: dict[str, Any]) -> None:
    """The CAOM columns' domains and the obs_id's agreement with the row; `BadValue` when outside."""
    if props["calib_level"] is not None:
        domains.calib_level(props["calib_level"])
    for prop, domain, field, case in (("intent", domains.INTENT_TYPES, "intentType", "lower"),
                                      ("dataproduct_type", domains.DATAPRODUCT_TYPES, "dataproduct_type", "lower"),
                                      ("data_rights", domains.DATA_RIGHTS, "dataRights", "upper")):
        if props[prop] is not None:
            domains.one_of(props[prop], domain, field, case)
    if props["instrument"] is not None:
        domains.instrument(props["instrument"], "instrument_name", modes=True)
    for prop, check in _RANGES:
        if props[prop] is not None:
            check(props[prop], prop)
    domains.not_after(props["t_min"], props["t_max"], "t_min", "t_max")
    obsnum = integer(row.get("obsnum"), "obsnum")
    proposal = props["program"] if row.get("proposal_id") is not None else None
    domains.obs_id_agrees(props["obs_id"], proposal, None if obsnum is None else str(obsnum))
