"""Association files in the JWST association schema, laid out as `asn_generate` writes them."""

from __future__ import annotations

import json

from .archive import Association
from .modes import Mode

DEGRADED = "No known degraded exposures in association."


def _constraint(kind: str, name: str, sources: list[str] | None, value: object) -> str:
    spec: dict[str, object] = {"name": name}
    if sources is not None:
        spec["sources"] = sources
    spec["value"] = value
    return f"{kind}({spec!r})"


def constraints(program: int, mode: Mode, acid: str, candidate_type: str, level: int) -> str:
    """The `constraints` text: the rule's constraints as the generator prints them."""
    lines = [
        _constraint("DMSAttrConstraint", "program", ["program"], str(program)),
        _constraint("DMSAttrConstraint", "instrument", ["instrume"], mode.instrument_lc),
    ]
    if level == 2:
        lines.append(_constraint("DMSAttrConstraint", "is_tso", ["tsovisit"], "t" if mode.is_tso else None))
    else:
        lines.append(_constraint("DMSAttrConstraint", "opt_elem", ["filter"], mode.filter.lower()))
        second = mode.grating or mode.pupil
        lines.append(_constraint("DMSAttrConstraint", "opt_elem2", ["pupil", "grating"], second.lower() if second else None))
        lines.append(_constraint("DMSAttrConstraint", "subarray", ["subarray"], mode.subarray.lower()))
        lines.append(_constraint("SimpleConstraint", "target", None, None))
    lines.append(_constraint("DMSAttrConstraint", "exp_type", ["exp_type"], mode.exp_type.lower()))
    pattern = "\\('" + acid + "',\\ '" + candidate_type + "'\\)"
    lines.append(_constraint("DMSAttrConstraint", "asn_candidate", ["asn_candidate"], pattern))
    return "\n".join(lines)


def _member(asn: Association, member) -> dict[str, str]:
    out = {"expname": member.expname, "exptype": member.exptype}
    if member.exposure is not None:
        out["exposerr"] = "null"
        if asn.level == 3:
            out["asn_candidate"] = str(member.exposure.candidates)
    return out


def render(asn: Association, code_version: str) -> str:
    """The file's text (4-space indented JSON, key order of the real generator)."""
    head: dict[str, object] = {
        "asn_type": asn.asn_type,
        "asn_rule": asn.rule,
        "version_id": asn.version,
        "code_version": code_version,
        "degraded_status": DEGRADED,
        "program": f"{asn.program:05d}",
        "constraints": asn.constraints,
        "asn_id": asn.acid,
    }
    if asn.level == 2:
        head.update(asn_pool=f"{asn.pool}.csv", target=asn.target)
    else:
        head.update(target=asn.target, asn_pool=f"{asn.pool}.csv")
    head["products"] = [{"name": asn.name, "members": [_member(asn, m) for m in asn.members]}]
    return json.dumps(head, indent=4)
