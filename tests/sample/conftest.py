"""One demo sample and one S sample per test session (no Neo4j needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mastgraph.sample.generator import generate


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out, "demo")
    return out


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scale S with FITS headers (its default)."""
    out = tmp_path_factory.mktemp("scale-s")
    generate(out, "S")
    return out
