"""docs/api.md shows the example requests of api/examples.py, verbatim."""

from __future__ import annotations

import json
from pathlib import Path

from mastgraph.api.examples import EXAMPLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_docs_show_the_examples():
    text = DOC.read_text()
    for name, (query, variables) in EXAMPLES.items():
        assert query in text, f"docs/api.md lacks the {name} example as written in api/examples.py"
        assert json.dumps(variables) in text, f"docs/api.md lacks the variables of {name}"
