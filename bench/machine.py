"""What the numbers were measured on: CPU, memory, software versions, load average."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import psutil

#: Python packages whose versions matter to the numbers.
PACKAGES = ("mastgraph", "neo4j", "neo4j-rust-ext", "strawberry-graphql", "graphql-core", "starlette",
            "uvicorn", "uvloop", "httptools", "httpx", "psutil")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


#: The bench's own outputs: changed by every run, not part of the code measured.
OUTPUTS = ("bench/results.json", "bench/RESULTS.md")


def code_version() -> dict[str, str | bool | None]:
    """The git commit of the code measured, and whether the working tree's tracked files (the
    bench's own outputs apart) differed from it (None outside a git checkout)."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        changes = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ":/",
                                  *(f":(top,exclude){path}" for path in OUTPUTS)],
                                 cwd=here, capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "modified": None}
    return {"commit": commit, "modified": bool(changes)}


def describe() -> dict:
    """The machine and software, as recorded in `results.json`."""
    memory = psutil.virtual_memory()
    return {
        "cpu_model": cpu_model(),
        "logical_cores": psutil.cpu_count(logical=True),
        "physical_cores": psutil.cpu_count(logical=False),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_total_mb": round(memory.total / 2**20),
        "memory_available_mb": round(memory.available / 2**20),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "python_executable": sys.executable,
        "packages": package_versions(),
    }


def rss_mb(pid: int | None) -> float | None:
    """The resident memory of a process (MB), None when there is none."""
    if pid is None:
        return None
    try:
        return round(psutil.Process(pid).memory_info().rss / 2**20, 1)
    except psutil.Error:
        return None
