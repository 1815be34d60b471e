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
import multiprocessing.forkserver
import os
import sys
from collections.abc import Iterable


def context(modules: Iterable[str]):
    """The forkserver context, its server (when this call starts it) importing `modules` and every
    mastgraph module imported here (the first call's list holds while the server runs)."""
    server = multiprocessing.get_context("forkserver")
    server.set_forkserver_preload(preload(modules))
    start()
    return server


def start() -> None:
    """Start the server, when it is not running, importing from this process's import path.

    Python 3.11's server imports the modules it preloads with its working folder first on its path
    (it runs as ``python -c``, and the path it is handed is not used), so a command run from a
    folder that holds another copy of the package had workers running that copy. It is started
    with this process's path as its ``PYTHONPATH`` and ``PYTHONSAFEPATH`` set (no working folder).
    """
    environ = os.environ
    saved = {name: environ.get(name) for name in ("PYTHONPATH", "PYTHONSAFEPATH")}
    environ["PYTHONPATH"] = os.pathsep.join(entry for entry in sys.path if entry)
    environ["PYTHONSAFEPATH"] = "1"
    try:
        multiprocessing.forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value


def preload(modules: Iterable[str]) -> list[str]:
    """`modules`, then every mastgraph module this process has imported (each once)."""
    imported = sorted(name for name in list(sys.modules) if name.startswith("mastgraph."))
    return list(dict.fromkeys([*modules, *imported]))
