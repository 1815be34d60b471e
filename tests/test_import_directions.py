"""Packages import one way (docs/architecture.md): model <- loaders <- pipeline -> graph; api -> graph
(and pipeline, for the live MAST fetch); cli -> all. Every module's imports are read with `ast`,
those inside functions too."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("model", "loaders", "pipeline", "graph", "api", "cli", "cypher", "sample", "bench")
#: What each package must not import (mastgraph.<name>).
FORBIDDEN: dict[str, frozenset[str]] = {
    "model": frozenset(PACKAGES) - {"model"},
    "loaders": frozenset({"graph", "pipeline", "api", "cli"}),
    "graph": frozenset({"loaders", "pipeline", "api", "cli"}),
    "pipeline": frozenset({"api", "cli"}),
    "api": frozenset({"cli"}),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["mastgraph", *parts])


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from mastgraph import graph` imports the package mastgraph.graph
            if module == "mastgraph":
                found += [(node.lineno, f"mastgraph.{alias.name}") for alias in node.names]
    return found


def violations(package: str) -> list[str]:
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, module in imported(path):
            parts = module.split(".")
            if len(parts) > 1 and parts[0] == "mastgraph" and parts[1] in FORBIDDEN[package]:
                out.append(f"{module_name(path)} ({path.relative_to(ROOT)}:{line}) imports {module}")
    return out


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_import_against_the_direction(package):
    found = violations(package)
    assert not found, f"{package}/ must not import {', '.join(sorted(FORBIDDEN[package]))}:\n" + "\n".join(found)


def test_the_check_sees_relative_imports_and_imports_inside_functions(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    (tmp_path / "graph").mkdir()
    (tmp_path / "graph" / "__init__.py").write_text("")
    (tmp_path / "graph" / "bad.py").write_text(
        "from ..loaders import tables\n\ndef f():\n    from mastgraph.pipeline import ingest\n"
        "    from mastgraph import api\n    import mastgraph.model.records\n")
    found = violations("graph")
    assert found == [
        "mastgraph.graph.bad (graph/bad.py:1) imports mastgraph.loaders",
        "mastgraph.graph.bad (graph/bad.py:4) imports mastgraph.pipeline",
        "mastgraph.graph.bad (graph/bad.py:5) imports mastgraph.api",
    ]
