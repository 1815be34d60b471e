"""The synthetic archive a scale is measured on, generated once and cached.

Samples live under `MASTGRAPH_HOME/bench/data/<scale>-seed<seed>`; a folder whose
`manifest.json` names the same scale and seed is reused (the generator writes the manifest last,
so its presence means the sample is whole).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from mastgraph.sample import manifest as sample_manifest
from mastgraph.sample.generator import generate


@dataclass
class Sample:
    scale: str
    seed: int
    folder: Path
    manifest: dict
    generated_seconds: float | None  # None: taken from the cache

    @property
    def benchmark(self) -> list[dict]:
        """The benchmark L3 products: {members, uri, obs_id, association}, fewest members first."""
        return list(self.manifest.get("benchmark", []))

    def paths(self, only: tuple[str, ...] = ()) -> list[Path]:
        """The whole sample, or the files and folders of it that `only` names (relative paths)."""
        if not only:
            return [self.folder]
        paths = [self.folder / part for part in only]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise FileNotFoundError(f"not in the sample: {', '.join(missing)}")
        return paths

    def files(self, only: tuple[str, ...] = ()) -> tuple[int, int, int]:
        """(number of files, total bytes, largest file's bytes) of what `paths(only)` names."""
        count = total = largest = 0
        for path in self.paths(only):
            walked = [(str(path.parent), [], [path.name])] if path.is_file() else os.walk(path)
            for root, _, names in walked:
                for name in names:
                    size = (Path(root) / name).stat().st_size
                    count += 1
                    total += size
                    largest = max(largest, size)
        return count, total, largest


def folder_for(data_home: Path, scale: str, seed: int) -> Path:
    return Path(data_home) / f"{scale}-seed{seed}"


def cached(folder: Path, scale: str, seed: int) -> dict | None:
    try:
        manifest = sample_manifest.read(folder)
    except (OSError, json.JSONDecodeError):
        return None
    if manifest.get("scale") == scale and manifest.get("seed") == seed:
        return manifest
    return None


def ensure_sample(data_home: Path, scale: str, seed: int) -> Sample:
    """The sample of `scale` and `seed`, generated on first use."""
    folder = folder_for(data_home, scale, seed)
    manifest = cached(folder, scale, seed)
    if manifest is not None:
        return Sample(scale, seed, folder, manifest, None)
    started = time.perf_counter()
    generate(folder, scale, seed=seed)
    seconds = time.perf_counter() - started
    return Sample(scale, seed, folder, sample_manifest.read(folder), round(seconds, 2))
