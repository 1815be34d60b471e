"""The worker processes of both pipelines are forked from one small server process (multiprocessing's
`forkserver`), started once with the loaders imported: a worker starts at once and its memory is its
own work only (a plain fork would carry the calling process's pages and threads; `spawn` would
import everything again in each).

Multiprocessing also runs the main script again in each new worker: the `mastgraph` command's,
which imports the CLI and every command's modules. Python 3.11's server never runs it for them
(its ``"__main__"`` preload is not given the script's path), so the server imports every mastgraph
module the calling process has imported as well: a worker's run of the script then finds them
imported. Without that each worker spent about 0.6 s of CPU before its first file; the bulk build
starts one per four parse tasks and one per partition (at L some 60), the online ingest about six.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Iterable


def context(modules: Iterable[str]):
    """The forkserver context, its server (when this call starts it) importing `modules` and every
    mastgraph module imported here (the first call's list holds while the server runs)."""
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload(preload(modules))
    return server


def preload(modules: Iterable[str]) -> list[str]:
    """`modules`, then every mastgraph module this process has imported (each once)."""
    imported = sorted(name for name in list(sys.modules) if name.startswith("mastgraph."))
    return list(dict.fromkeys([*modules, *imported]))
