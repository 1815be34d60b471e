"""The API under test, served by uvicorn in a child process on a free loopback port."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time

import httpx
import psutil

from mastgraph.graph.server import free_port

from .target import Target, child_env, given


class ApiServer:
    """`uvicorn --factory mastgraph.bench.apps:<factory>` on 127.0.0.1, started and stopped by the bench."""

    def __init__(self, target: Target, factory: str = "nested", start_timeout: float = 60.0) -> None:
        self.target = target
        self.factory = factory
        self.start_timeout = start_timeout
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __enter__(self) -> "ApiServer":
        settings = given(self.target.settings, api_token=None)  # the bench's loopback API has no token
        env = child_env(settings, os.environ)
        cmd = [sys.executable, "-m", "uvicorn", "--factory", f"mastgraph.bench.apps:{self.factory}",
               "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log", "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the API exited with code {self.proc.returncode}: {self.log_tail()}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2.0).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"the API did not become ready within {self.start_timeout:.0f} s: {self.log_tail()}")
            time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def rss_mb(self) -> float:
        return round(psutil.Process(self.pid).memory_info().rss / 2**20, 1)

    def cpu_seconds(self) -> float:
        times = psutil.Process(self.pid).cpu_times()
        return times.user + times.system

    def log_tail(self, limit: int = 2000) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-limit:].strip()
