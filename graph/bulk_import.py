"""Bulk build, phase 3: Neo4j's own importer (`neo4j-admin database import full`) on the CSV files.

It runs from the local server's jars (`graph.server.ADMIN_TOOL`) with NEO4J_HOME/NEO4J_CONF set to
the local server's folders, while that server is stopped. Its output goes to a log file in the
state folder; its peak RSS is read from /proc (VmHWM) while it runs. With ``--bad-tolerance=0``
any bad entry stops the import: mastgraph has already deduplicated nodes and created every
relationship end, so a complaint from the importer is reported, never skipped over. A failed
import leaves unusable store files; they are removed so the server starts on an empty database.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

from mastgraph.graph.bulk_format import ARRAY_DELIMITER_OPTION
from mastgraph.graph.server import ADMIN_TOOL, LocalNeo4j, find_java

#: A stage of the importer's verbose output: "Relationships, started 2026-...".
_STAGE = re.compile(r"^(\S.*?), started \d{4}-\d\d-\d\d")
_FAILED = re.compile(r"(IMPORT FAILED.*|.*original error: .*|Caused by: .*|.*Error in input data.*)")
#: A Java exception's first line (`java.lang.IllegalStateException: Directory ... doesn't exist`).
_EXCEPTION = re.compile(r"^(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error): (.+)$")


class ImportFailed(Exception):
    """The importer did not finish; the message is one line, naming its log."""


@dataclass
class ImportGroup:
    kind: str  # "nodes" | "relationships"
    header: Path
    files: str  # the data files: a folder and a file-name regular expression (`<dir>/p\d+\.csv`)


@dataclass
class ImportResult:
    seconds: float
    peak_rss: int  # bytes
    log: Path
    summary: str  # the importer's closing lines ("IMPORT DONE in ...", counts)
    #: The importer's CPU seconds (user + system, every thread of its JVM): what the children of this
    #: process that ended while it ran used (the importer is the one that ends then)
    cpu_seconds: float = 0.0


def _absolute(path: Path | str) -> str:
    """The importer runs in the Neo4j home: every path it is given is absolute."""
    return str(Path(path).absolute())


def import_command(local: LocalNeo4j, database: str, groups: list[ImportGroup], multiline: list[Path],
                   report: Path, heap: str, memory: str | None, threads: int | None) -> list[str]:
    report = _absolute(report)
    args = ["database", "import", "full", database, "--overwrite-destination", "--verbose",
            f"--array-delimiter={ARRAY_DELIMITER_OPTION}", "--bad-tolerance=0",
            "--skip-bad-relationships=false", "--skip-duplicate-nodes=false", f"--report-file={report}"]
    if memory:
        args.append(f"--max-off-heap-memory={memory}")
    if threads:
        args.append(f"--threads={threads}")
    if multiline:
        args += ["--multiline-fields-format=v2", f"--multiline-fields={','.join(map(_absolute, multiline))}"]
    for group in groups:
        folder, _, pattern = group.files.rpartition("/")  # (the file-name pattern is a regular expression)
        files = f"{_absolute(folder or '.')}/{pattern}"
        args.append(f"--{group.kind}={_absolute(group.header)},{files}")
    return local.java_command(find_java(local.env), ADMIN_TOOL, *args, heap=heap)


def run_import(local: LocalNeo4j, command: list[str], log: Path,
               on_progress: Callable[[str], None] | None = None) -> ImportResult:
    """Run the importer (server stopped); returns its time and peak RSS, or raises ImportFailed."""
    env = {**local.env, "NEO4J_HOME": str(local.home), "NEO4J_CONF": str(local.conf_dir)}
    started = time.perf_counter()
    log.parent.mkdir(parents=True, exist_ok=True)
    cpu_before = cpu_seconds(resource.RUSAGE_CHILDREN)
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=local.home, text=True, errors="replace", bufsize=1)
        peak = _RssWatch(proc.pid)
        peak.start()
        tail: list[str] = []
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            text = line.strip()
            if text:
                tail.append(text)
                del tail[:-200]
            match = _STAGE.match(text)
            if match and on_progress:
                on_progress(match.group(1))
        rc = proc.wait()
        peak.stop()
    seconds = time.perf_counter() - started
    if rc != 0:
        remove_store(local, command_database(command))
        raise ImportFailed(f"the bulk importer failed ({_reason(tail)}); its log: {log}")
    summary = _summary(tail)
    return ImportResult(seconds, peak.value, log, summary, round(cpu_seconds(resource.RUSAGE_CHILDREN) - cpu_before, 3))


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    """CPU seconds (user + system) of this process, all its threads (`RUSAGE_SELF`), or of its
    children that have ended and been waited for (`RUSAGE_CHILDREN`)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int | None) -> float | None:
    """CPU seconds (user + system) another process has used so far (None: no such process)."""
    if pid is None:
        return None
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system


def command_database(command: list[str]) -> str:
    return command[command.index("full") + 1]


def _reason(tail: list[str]) -> str:
    picked = [m.group(0).strip() for line in tail for m in [_FAILED.match(line)] if m]
    for line in picked:
        if "original error:" in line:
            return line.split("original error:", 1)[1].strip()
    for line in picked:
        if line.startswith("Caused by"):
            return line.split(":", 1)[-1].strip()
    if picked:
        return picked[0]
    thrown = [m.group(1).strip() for line in tail for m in [_EXCEPTION.match(line)] if m]
    return thrown[0] if thrown else (tail[-1] if tail else "no output")


def _summary(tail: list[str]) -> str:
    for i, line in enumerate(tail):
        if line.startswith("IMPORT DONE"):
            return " ".join(tail[i:i + 6])
    return ""


def remove_store(local: LocalNeo4j, database: str) -> None:
    """Delete a database's store and transaction folders (the server recreates an empty one)."""
    for folder in (local.data_dir / "databases" / database, local.data_dir / "transactions" / database):
        shutil.rmtree(folder, ignore_errors=True)


def store_size(local: LocalNeo4j, database: str) -> tuple[int, int]:
    """Bytes on disk of a database's store files, and of its transaction logs."""
    return (_folder_size(local.data_dir / "databases" / database),
            _folder_size(local.data_dir / "transactions" / database))


def _folder_size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


class _RssWatch(threading.Thread):
    """Polls a process's peak RSS (VmHWM) until told to stop."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.every = every
        self.value = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self._read()
            self._stop_event.wait(self.every)

    def _read(self) -> None:
        try:
            with open(f"/proc/{self.pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        self.value = max(self.value, int(line.split()[1]) * 1024)
                        return
        except OSError:
            pass

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)
