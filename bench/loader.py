"""The loader process the ingest benchmark runs: `python -m mastgraph.bench.loader PATH...`.

It loads the files and folders with the online ingest (`pipeline.ingest.ingest_paths`: parse, write, derive, one
transaction per file) on the Neo4j its environment names, and prints one JSON line: wall times,
files, records, failures, and its own memory as the files go by (peak RSS from
`getrusage(RUSAGE_SELF)`, current RSS after each checkpoint), so the bench process does not
distort the loader's memory.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from array import array
from pathlib import Path

#: Fractions of the files after which the RSS is recorded.
CHECKPOINTS = (0.1, 0.25, 0.5, 0.75, 1.0)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return round(pages * resource.getpagesize() / 2**20, 1)


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def main(paths: list[str]) -> dict:
    started = time.perf_counter()
    from mastgraph.graph import db
    from mastgraph.pipeline.ingest import FileResult, ingest_paths
    from mastgraph.graph.settings import get_settings
    from mastgraph.loaders import registry

    settings = get_settings()
    files = registry.expand([Path(p) for p in paths])
    sizes = array("q", (f.stat().st_size for f in files))  # (not a list of ints: RSS is measured)
    marks = {max(1, round(len(files) * c)): c for c in CHECKPOINTS}
    memory = {"before_first_file_mb": _rss_mb(), "checkpoints": []}
    state = {"done": 0, "bytes": 0, "largest_seen": 0, "rss_after_largest": 0.0}

    def progress(result: FileResult, stage: str) -> None:
        if stage != "done":
            return
        size = sizes[state["done"]]
        state["done"] += 1
        state["bytes"] += size
        if size >= state["largest_seen"]:
            state["largest_seen"] = size
            state["rss_after_largest"] = _rss_mb()
        if state["done"] in marks:
            memory["checkpoints"].append({"fraction_of_files": marks[state["done"]], "input_bytes": state["bytes"],
                                          "rss_mb": _rss_mb(), "peak_rss_mb": _peak_mb()})

    with db.connect(settings) as driver:
        report = ingest_paths(driver, settings, files, progress=progress)
    written, derived = report.totals()
    memory.update(peak_rss_mb=_peak_mb(), rss_after_largest_file_mb=state["rss_after_largest"])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "ingest_seconds": round(report.seconds, 3),
        "phases_seconds": {name: round(seconds, 3) for name, seconds in report.phases.items()},
        "derive_seconds": {name: round(seconds, 3) for name, seconds in sorted(derived.seconds.items())},
        "process_seconds": round(time.perf_counter() - started, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "files": len(report.files),
        "input_bytes": sum(sizes),
        "largest_file_bytes": max(sizes, default=0),
        "records": report.records,
        "nodes_created": written.total_nodes_created,
        "relationships_created": written.total_rels_created,
        "derived_relationships_created": derived.total_rels_created,
        "failed_files": len(report.failed),
        "errors": [f.error for f in report.failed[:5]],
        "memory": memory,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])), flush=True)
