"""Named Cypher queries, loaded from the repository's `cypher/` folder (one copy of each query).

Every file opens with `//` comment lines; the first says what the query answers, a line
`// params: name (type) ...` lists its parameters. Values are always parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    description: str
    params: tuple[str, ...]
    path: Path


def cypher_dir() -> Path:
    return Path(str(resources.files("mastgraph.cypher")))


@cache
def query(name: str) -> NamedQuery:
    """The query `cypher/<name>.cypher` (name may include a sub-folder: `derive/antecedents`)."""
    path = cypher_dir() / f"{name}.cypher"
    if not path.is_file():
        raise KeyError(f"no Cypher query named {name!r} (looked for {path})")
    return parse(name, path)


def text(name: str) -> str:
    return query(name).text


def parse(name: str, path: Path) -> NamedQuery:
    raw = path.read_text()
    comments = []
    for line in raw.splitlines():
        if line.startswith("//"):
            comments.append(line[2:].strip())
        elif line.strip():
            break
    description = ""
    params: tuple[str, ...] = ()
    for line in comments:
        if line.lower().startswith("params:"):
            params = tuple(re.findall(r"\$?([A-Za-z_][A-Za-z0-9_]*)\s*\(", line[7:]))
        elif not description and line:
            description = line
    return NamedQuery(name, raw, description, params, path)


def all_queries(folder: str = "") -> list[NamedQuery]:
    """Every named query of a folder (top level by default), sorted by name."""
    base = cypher_dir() / folder if folder else cypher_dir()
    out = []
    for path in sorted(base.glob("*.cypher")):
        name = f"{folder}/{path.stem}" if folder else path.stem
        out.append(query(name))
    return out


def statements(text: str) -> list[str]:
    """Split a multi-statement file (schema.cypher) on `;` at line ends, dropping comments."""
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    return [s.strip() for s in re.split(r";\s*(?:\n|$)", body) if s.strip()]


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a named query, as its `// params:` line declares it: `name (type, note)`."""

    name: str
    type: str
    note: str

    @property
    def required(self) -> bool:
        """Required unless its note says `optional` or gives a `default`."""
        note = self.note.lower()
        return "optional" not in note and "default" not in note


def param_specs(named: NamedQuery) -> tuple[ParamSpec, ...]:
    """The declared parameters of a named query, in the order of its `// params:` line."""
    for line in named.text.splitlines():
        if not line.startswith("//"):
            break
        body = line[2:].strip()
        if body.lower().startswith("params:"):
            specs = []
            for name, inside in re.findall(r"\$?([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)", body[7:]):
                kind = re.match(r"\s*(\w*)", inside).group(1)
                specs.append(ParamSpec(name, kind, inside.strip()[len(kind):].lstrip(",: ")))
            return tuple(specs)
    return ()
