"""`manifest.json`: what a generated sample holds, for benchmarks and tests to rely on."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

FILENAME = "manifest.json"
FORMAT = 1


@dataclass
class Manifest:
    scale: str
    seed: int
    fits: bool
    programs: list[int] = field(default_factory=list)
    files: Counter = field(default_factory=Counter)  # by kind: listing, observations, asn, pool, fits, edb ...
    products: int = 0  # distinct product URIs
    products_by_level: Counter = field(default_factory=Counter)
    products_by_type: Counter = field(default_factory=Counter)
    observations: Counter = field(default_factory=Counter)  # exposure, combined
    associations: Counter = field(default_factory=Counter)  # level2, level3
    listing_rows: int = 0
    edb_series: int = 0
    links: int = 0
    benchmark: list[dict] = field(default_factory=list)  # {members, obs_id, uri, association}

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "scale": self.scale,
            "seed": self.seed,
            "fits": self.fits,
            "programs": self.programs,
            "benchmark": self.benchmark,
            "counts": {
                "files": dict(sorted(self.files.items())),
                "products": self.products,
                "products_by_level": {str(k): v for k, v in sorted(self.products_by_level.items())},
                "products_by_type": dict(sorted(self.products_by_type.items())),
                "observations": dict(sorted(self.observations.items())),
                "associations": dict(sorted(self.associations.items())),
                "listing_rows": self.listing_rows,
                "edb_series": self.edb_series,
                "links": self.links,
            },
        }

    @property
    def files_written(self) -> int:
        return sum(self.files.values())

    def write(self, folder: Path) -> None:
        self.files["manifest"] = 1
        (folder / FILENAME).write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")


def read(folder: Path) -> dict:
    return json.loads((folder / FILENAME).read_text(encoding="utf-8"))
