"""The local Neo4j server mastgraph runs when no NEO4J_URI is given.

Neo4j Community 5.26 LTS, APOC and Neo4j Browser come from Maven Central through the repository's
`pom.xml` (copied into a jar cache shared by every state folder), and the server is started as a
child process with its own entry point, `org.neo4j.server.CommunityEntryPoint`, the way Neo4j's
launcher script does: classpath `plugins/*:lib/*`, the launcher's JVM flags, a generated `neo4j.conf`.

The server runs without auth, so both its connectors listen on loopback only: Bolt on
127.0.0.1:MASTGRAPH_BOLT_PORT, and HTTP (Neo4j Browser at `/browser/`, nothing else) on
MASTGRAPH_HTTP_ADDRESS:MASTGRAPH_HTTP_PORT, where any address but a loopback one is refused.

State folder layout (``Settings.home / "neo4j"``)::

    conf/neo4j.conf   generated on every start
    data/             databases and transactions
    logs/console.log  the server's output
    run/mastgraph.pid the running server's pid (with its Bolt and HTTP ports)
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mastgraph.model.errors import first_line, one_line

from .browser_style import style_command
from .settings import APOC_VERSION, BROWSER_VERSION, NEO4J_VERSION, Settings

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
SUPPORTED_JAVA = (17, 21)

#: The flags Neo4j 5.26's own launcher passes to a Java 17/21 JVM (server.jvm.additional defaults).
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
)

NO_LOCAL_SERVER_HINT = (
    "install a JDK 17 or 21 and Maven (e.g. `apt-get install openjdk-17-jdk-headless maven`), "
    "or set NEO4J_URI to an existing Neo4j, or run `docker compose up`"
)


#: The one extra artifact fetched into an older jar cache that lacks it (see LocalNeo4j.ensure_jars).
BROWSER_ARTIFACT = f"org.neo4j.client:neo4j-browser:{BROWSER_VERSION}"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

#: The Content-Security-Policy of the Browser's pages. Neo4j's default lets Browser 5.24 load
#: Segment's analytics, Canny's changelog and Google's fonts from the internet (on Community it
#: always tries); this one keeps the page on loopback: its own files, Bolt over WebSocket and the
#: guide served by `mastgraph browser --guide`.
BROWSER_CSP = (
    "default-src 'self'; script-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "font-src 'self' data:; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; "
    "connect-src 'self' ws://127.0.0.1:* ws://localhost:* http://127.0.0.1:* http://localhost:*"
)


class ServerError(RuntimeError):
    """A problem with the local server, worded for a person: one line (a path in it with a line break
    shown escaped, `one_line`: the CLI shows the first line), then the log `tail` if it carries one."""

    def __init__(self, message: str, tail: str | None = None) -> None:
        super().__init__(one_line(message) + (f"\n{tail}" if tail is not None else ""))


def is_loopback(host: str) -> bool:
    """True for `localhost` and the loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_http_address(settings: Settings) -> None:
    """Refuse to publish the auth-less local server's HTTP connector (Neo4j Browser) beyond loopback."""
    if settings.http_port and not is_loopback(settings.http_address):
        raise ServerError(
            f"refused: MASTGRAPH_HTTP_ADDRESS={settings.http_address} would publish Neo4j Browser beyond this machine, "
            "and the local server runs without auth; keep 127.0.0.1 (reach it from elsewhere through an SSH tunnel) "
            "or run Neo4j with auth on (`docker compose up`, then NEO4J_URI)"
        )


@dataclass(frozen=True)
class Java:
    path: Path
    major: int


def java_major(java: Path) -> int:
    """The major version of a `java` executable (17 for "17.0.15", 8 for "1.8.0")."""
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServerError(f"cannot run {java}: {exc}") from exc
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise ServerError(f"cannot tell the version of {java}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java(env: dict[str, str] | None = None, jvm_roots: tuple[Path, ...] | None = None) -> Java:
    """JAVA_HOME's java, else a JDK 17 or 21 under /usr/lib/jvm, else `java` on PATH.

    Java versions Neo4j 5.26 does not support (anything but 17 and 21, e.g. 25) are refused.
    """
    env = dict(os.environ if env is None else env)
    if jvm_roots is None:
        jvm_roots = tuple(Path(p) for p in env.get("MASTGRAPH_JVM_ROOTS", "/usr/lib/jvm").split(os.pathsep) if p)
    java_home = env.get("JAVA_HOME")
    if java_home:
        java = Path(java_home) / "bin" / "java"
        if not java.exists():
            raise ServerError(f"JAVA_HOME={java_home} has no bin/java; {NO_LOCAL_SERVER_HINT}")
        return _supported(java, "JAVA_HOME")
    for root in jvm_roots:
        if not root.is_dir():
            continue
        for jdk in sorted(root.iterdir()):
            java = jdk / "bin" / "java"
            if jdk.is_symlink() or not java.exists():
                continue
            if any(re.search(rf"(?<!\d){v}(?!\d)", jdk.name) for v in SUPPORTED_JAVA):
                try:
                    found = Java(java, java_major(java))
                except ServerError:
                    continue
                if found.major in SUPPORTED_JAVA:
                    return found
    on_path = shutil.which("java", path=env.get("PATH", ""))
    if on_path:
        return _supported(Path(on_path), "PATH")
    raise ServerError(f"no Java found for the local Neo4j: {NO_LOCAL_SERVER_HINT}")


def _supported(java: Path, where: str) -> Java:
    major = java_major(java)
    if major not in SUPPORTED_JAVA:
        raise ServerError(
            f"Java {major} ({java}, from {where}) cannot run Neo4j {NEO4J_VERSION}: it supports Java "
            "17 and 21 only; point JAVA_HOME at a JDK 17 or 21"
        )
    return Java(java, major)


def find_pom() -> Path:
    """The repository's pom.xml (the local server needs a source checkout or an editable install)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "pom.xml", Path.cwd() / "pom.xml"):
        if candidate.exists():
            return candidate
    raise ServerError("pom.xml not found: run mastgraph from its source checkout, or set NEO4J_URI")


class LocalNeo4j:
    """Fetches, configures, starts and stops the local Neo4j server of one state folder."""

    def __init__(self, settings: Settings, *, env: dict[str, str] | None = None) -> None:
        self.settings = settings
        self.env = dict(os.environ if env is None else env)
        self.home = Path(settings.home).resolve() / "neo4j"
        self.conf_dir = self.home / "conf"
        self.data_dir = self.home / "data"
        self.logs_dir = self.home / "logs"
        self.run_dir = self.home / "run"
        self.pid_file = self.run_dir / "mastgraph.pid"
        self.log_file = self.logs_dir / "console.log"
        self.jars = Path(settings.jar_cache).expanduser().resolve() / f"neo4j-{NEO4J_VERSION}-apoc-{APOC_VERSION}"
        self.lib_dir = self.jars / "lib"
        self.plugins_dir = self.jars / "plugins"

    # -- jars --------------------------------------------------------------------------------
    @property
    def browser_jar(self) -> Path:
        return self.lib_dir / f"neo4j-browser-{BROWSER_VERSION}.jar"

    def server_jars_present(self) -> bool:
        return (self.lib_dir / f"neo4j-{NEO4J_VERSION}.jar").exists() and (
            self.plugins_dir / f"apoc-core-{APOC_VERSION}.jar"
        ).exists()

    def jars_present(self) -> bool:
        return self.server_jars_present() and self.browser_jar.exists()

    def ensure_jars(self, attempts: int = 4) -> None:
        """Copy Neo4j, APOC and Neo4j Browser from Maven Central (through ~/.m2) into the jar cache, with retries.

        A cache filled before the Browser was part of pom.xml gets only the Browser's jar, once.
        """
        if self.jars_present():
            self._check_whole()
            return
        mvn = shutil.which("mvn", path=self.env.get("PATH", ""))
        if not mvn:
            raise ServerError(f"Maven (mvn) is not installed, so the Neo4j jars cannot be fetched: {NO_LOCAL_SERVER_HINT}")
        pom = find_pom()
        if self.server_jars_present():
            tmp = self.jars / "browser.partial"
            shutil.rmtree(tmp, ignore_errors=True)
            self._maven([mvn, "-q", "-B", f"{DEPENDENCY_PLUGIN}:copy", f"-Dartifact={BROWSER_ARTIFACT}",
                         f"-DoutputDirectory={tmp}", "-Dmaven.wagon.http.retryHandler.count=3"], attempts, "Neo4j Browser jar")
            (tmp / self.browser_jar.name).rename(self.browser_jar)
            shutil.rmtree(tmp, ignore_errors=True)
            return
        tmp = self.jars.with_name(self.jars.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        self._maven([mvn, "-q", "-B", "-f", str(pom), "package",
                     f"-Dneo4j.lib.dir={tmp / 'lib'}", f"-Dneo4j.plugins.dir={tmp / 'plugins'}",
                     "-Dmaven.wagon.http.retryHandler.count=3"], attempts, "Neo4j jars")
        shutil.rmtree(self.jars, ignore_errors=True)
        tmp.rename(self.jars)
        shutil.rmtree(pom.parent / "target", ignore_errors=True)

    def _check_whole(self) -> None:
        """Refuse a jar cut short (its zip directory, at the end, is gone): Java said only that it could
        not load the entry point's class, or failed later on another class, on every start."""
        for jar in sorted([*self.lib_dir.glob("*.jar"), *self.plugins_dir.glob("*.jar")]):
            if not zipfile.is_zipfile(jar):
                raise ServerError(f"the jar {jar} is damaged (not a whole jar file); remove the jar cache {self.jars} "
                                  "and run again to fetch the jars anew")

    def _maven(self, cmd: list[str], attempts: int, what: str) -> None:
        last: list[str] = []
        for attempt in range(1, attempts + 1):
            proc = subprocess.run(cmd, capture_output=True, text=True, env=self.env)
            if proc.returncode == 0:
                return
            last = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
            if attempt < attempts:
                time.sleep(min(30, 5 * attempt))
        raise ServerError(f"Maven could not fetch the {what} after {attempts} attempts:", "\n".join(last))

    # -- configuration -----------------------------------------------------------------------
    def conf_text(self) -> str:
        port = self.settings.bolt_port
        lines = [
            "# Generated by mastgraph on every start; edit MASTGRAPH_* settings instead.",
            f"server.bolt.listen_address=127.0.0.1:{port}",
            f"server.bolt.advertised_address=127.0.0.1:{port}",
            *self._http_lines(),
            "server.https.enabled=false",
            "dbms.security.auth_enabled=false",
            f"server.directories.data={self.data_dir}",
            f"server.directories.logs={self.logs_dir}",
            f"server.directories.run={self.run_dir}",
            f"server.directories.plugins={self.plugins_dir}",
            f"server.directories.import={self.home / 'import'}",
            f"server.memory.heap.initial_size={self.settings.heap}",
            f"server.memory.heap.max_size={self.settings.heap}",
            f"server.memory.pagecache.size={self.settings.pagecache}",
            "dbms.security.procedures.unrestricted=apoc.*",
            "dbms.security.procedures.allowlist=apoc.*",
            "dbms.usage_report.enabled=false",
            "db.tx_log.preallocate=false",
            "db.tx_log.rotation.retention_policy=2 files",
            "db.tx_log.rotation.size=64M",
            "db.transaction.timeout=0",
            # Bolt's event loops wait out a quiet period before they stop (two ~5 s pauses on every
            # stop, measured); nothing arrives after a stop is asked for, so none is waited for.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
        ]
        return "\n".join(lines) + "\n"

    def _http_lines(self) -> list[str]:
        """HTTP on loopback serving Neo4j Browser only (no HTTP Cypher endpoints), telemetry off."""
        if not self.settings.http_port:
            return ["server.http.enabled=false"]
        check_http_address(self.settings)
        address = f"{self.settings.http_address}:{self.settings.http_port}"
        return [
            "server.http.enabled=true",
            f"server.http.listen_address={address}",
            f"server.http.advertised_address={address}",
            "server.http_enabled_modules=BROWSER",
            "client.allow_telemetry=false",
            # Run by the Browser after it connects: mastgraph's graph style (graph/browser_style.py).
            f"browser.post_connect_cmd={style_command().removeprefix(':')}",
            # `mastgraph browser --guide` serves the library's guide on loopback (graph/browser_guide.py).
            "browser.remote_content_hostname_whitelist=localhost,127.0.0.1",
            f"dbms.security.http_static_content_security_policy_header={BROWSER_CSP}",
        ]

    def write_conf(self) -> None:
        for folder in (self.conf_dir, self.data_dir, self.logs_dir, self.run_dir, self.home / "import"):
            folder.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "neo4j.conf").write_text(self.conf_text())

    def java_command(self, java: Java, main_class: str, *args: str, heap: str | None = None) -> list[str]:
        heap = heap or self.settings.heap
        classpath = f"{self.plugins_dir}/*{os.pathsep}{self.lib_dir}/*"
        return [str(java.path), f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS, "-cp", classpath, main_class, *args]

    # -- process -----------------------------------------------------------------------------
    def _read_pid(self) -> int | None:
        try:
            return int(self.pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def pid(self) -> int | None:
        """The running server's pid; a stale pid file (no such process, not Neo4j, or the Neo4j of
        another state folder that was given the pid since) is removed: `stop` signals only this
        state folder's server."""
        pid = self._read_pid()
        if pid is None:
            return None
        if _is_neo4j(pid, self.home):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def running_http_port(self) -> int | None:
        """The HTTP port the running server was started with (None: unknown, e.g. an older pid file)."""
        try:
            return int(self.pid_file.read_text().split()[2])
        except (OSError, ValueError, IndexError):
            return None

    def running(self) -> bool:
        return self.pid() is not None

    def start(self, timeout: float | None = None) -> str:
        """Start the server (fetching jars first) and wait until Bolt answers. Returns a message.

        One start at a time per state folder (`run/start.lock`): a second command starting it meanwhile
        waits for the first, then finds it running. Two starts at once each wrote the pid file; the
        second's server failed on the store lock (or took the first's Bolt answer for its own) and
        removed the pid file, leaving the running server unknown to `stop` and `status`."""
        timeout = self.settings.start_timeout if timeout is None else timeout
        pid = self.pid()
        if pid is not None:
            return f"Neo4j is already running (pid {pid}) at {self.settings.uri}"
        with self._one_start(timeout):
            return self._start(timeout)

    @contextmanager
    def _one_start(self, timeout: float) -> Iterator[None]:
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            lock = open(self.run_dir / "start.lock", "a")
        except OSError as exc:
            raise self._unwritable(exc) from None
        with lock:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise ServerError(
                            f"another mastgraph command has been starting the local server of {self.home.parent} for "
                            f"over {timeout:.0f} s; let it finish (`mastgraph server logs` shows how far it is)"
                        ) from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _unwritable(self, exc: OSError) -> ServerError:
        where = f": {exc.filename}" if exc.filename else ""
        return ServerError(f"cannot write the state folder {self.home.parent} ({exc.strerror or exc}{where}); "
                           "set MASTGRAPH_HOME to a folder that can be written")

    def _start(self, timeout: float) -> str:
        pid = self.pid()  # (started by another command while this one waited)
        if pid is not None:
            return f"Neo4j is already running (pid {pid}) at {self.settings.uri}"
        holder = _process_holding(self.data_dir)
        if holder is not None:
            raise ServerError(
                f"another Neo4j (pid {holder}) is using the data folder {self.data_dir}; stop it first"
            )
        check_http_address(self.settings)
        if _port_in_use(self.settings.bolt_port):
            raise ServerError(
                f"port {self.settings.bolt_port} is already in use; set MASTGRAPH_BOLT_PORT to a free port"
            )
        browser_note = self._choose_http_port()
        java = find_java(self.env)
        self.ensure_jars()
        cmd = self.java_command(
            java, ENTRY_POINT, f"--home-dir={self.home}", f"--config-dir={self.conf_dir}", "--console-mode"
        )
        try:
            self.write_conf()
            log = open(self.log_file, "ab")
        except OSError as exc:
            raise self._unwritable(exc) from None
        with log:
            try:
                log.write(f"\n--- mastgraph: starting Neo4j {NEO4J_VERSION} with Java {java.major} ---\n".encode())
                log.flush()
                this_start = log.tell()  # (where this start's lines begin)
            except OSError as exc:
                raise self._unwritable(exc) from None
            proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=self.home, start_new_session=True, env={**self.env, "NEO4J_HOME": str(self.home)},
            )
        try:
            self.pid_file.write_text(f"{proc.pid} {self.settings.bolt_port} {self.settings.http_port}\n")
        except OSError as exc:  # (a full disk: the server is not left running without its pid file)
            self._terminate(proc.pid, 30)
            self.pid_file.unlink(missing_ok=True)
            raise self._unwritable(exc) from None
        started = time.monotonic()
        try:
            self._wait_ready(proc, timeout, this_start)
        except BaseException:
            self._terminate(proc.pid, 30)
            self.pid_file.unlink(missing_ok=True)
            raise
        return (f"Neo4j {NEO4J_VERSION} started in {time.monotonic() - started:.1f} s (pid {proc.pid}) at {self.settings.uri}"
                f"{browser_note}")

    def _choose_http_port(self) -> str:
        """Bolt's rule for a port given in MASTGRAPH_HTTP_PORT: in use -> refused. The default port 7474
        in use (another Neo4j, another state folder) -> the server starts without HTTP and says so."""
        port = self.settings.http_port
        if not port or not _port_in_use(port, self.settings.http_address):
            return ""
        if "http_port" in self.settings.model_fields_set:
            raise ServerError(
                f"port {port} is already in use; set MASTGRAPH_HTTP_PORT to a free port (or 0 to run without Neo4j Browser)"
            )
        self.settings = self.settings.model_copy(update={"http_port": 0})
        return f"; Neo4j Browser off: port {port} is in use (set MASTGRAPH_HTTP_PORT to a free port)"

    def _wait_ready(self, proc: subprocess.Popen, timeout: float, since: int = 0) -> None:
        """Wait until this start's Neo4j has said `Started.` in its log (from offset `since`: each of its
        connectors bound; a port merely in use may be another program's, which took it after the check
        before the start) and Bolt answers."""
        from neo4j import GraphDatabase
        from neo4j.exceptions import ServiceUnavailable

        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise self._start_failure(proc.returncode, since)
            if _port_in_use(self.settings.bolt_port) and STARTED in self._log_since(since):
                try:
                    with GraphDatabase.driver(self.settings.uri, auth=None) as driver:
                        driver.verify_connectivity()
                    return
                except (ServiceUnavailable, OSError):
                    pass
            if time.monotonic() > deadline:
                raise ServerError(f"Neo4j did not answer on {self.settings.uri} within {timeout:.0f} s; log tail:",
                                  self.log_tail())
            time.sleep(0.25)

    def _log_since(self, offset: int) -> str:
        try:
            with open(self.log_file, "rb") as log:
                log.seek(offset)
                return log.read().decode(errors="replace")
        except OSError:
            return ""

    def _start_failure(self, code: int, since: int) -> ServerError:
        """Why this start's Neo4j exited: a port taken by another program since mastgraph found it free
        (one line: which port, what to do), else the exit code and the log's tail."""
        port = port_taken(self._log_since(since))
        if port is None:
            return ServerError(f"Neo4j exited with code {code} while starting; log tail:", self.log_tail())
        taken = f"port {port} was taken by another program while Neo4j started (it was free just before)"
        if port == self.settings.bolt_port:
            return ServerError(f"{taken}: Bolt cannot listen there; set MASTGRAPH_BOLT_PORT to a free port, or run "
                               "again once that program has let it go")
        if port == self.settings.http_port and "http_port" not in self.settings.model_fields_set:
            return ServerError(f"{taken}: Neo4j Browser's default port; run again (with it in use the server starts "
                               "without Neo4j Browser), or set MASTGRAPH_HTTP_PORT to a free port")
        if port == self.settings.http_port:
            return ServerError(f"{taken}: Neo4j Browser cannot listen there; set MASTGRAPH_HTTP_PORT to a free port "
                               "(or 0 to run without Neo4j Browser)")
        return ServerError(f"{taken}; see `mastgraph server logs`")

    def stop(self, timeout: float = 90.0) -> str:
        """SIGTERM, wait for a clean shutdown (a checkpoint may take a while), SIGKILL as a last resort."""
        pid = self.pid()
        if pid is None:
            return "Neo4j is not running"
        forced = self._terminate(pid, timeout)
        self.pid_file.unlink(missing_ok=True)
        return f"Neo4j stopped (pid {pid}{', killed after timeout' if forced else ''})"

    @staticmethod
    def _terminate(pid: int, timeout: float) -> bool:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                return False
            time.sleep(0.2)
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        while _alive(pid):
            time.sleep(0.1)
        return True

    def status(self) -> dict[str, object]:
        pid = self.pid()
        info: dict[str, object] = {"running": pid is not None, "pid": pid, "uri": self.settings.uri, "home": str(self.home),
                                   "http_port": self.running_http_port()}
        if pid is not None:
            from neo4j.exceptions import DriverError, Neo4jError

            not_answering = (f"Neo4j (pid {pid}) runs but does not answer at {self.settings.uri}: still starting, "
                             "or stuck (`mastgraph server logs` shows which)")
            if not _port_in_use(self.settings.bolt_port):  # (the driver would retry for a minute)
                raise ServerError(f"{not_answering}; nothing listens on port {self.settings.bolt_port} yet")
            try:
                info.update(server_components(self.settings))
            except (DriverError, Neo4jError) as exc:
                raise ServerError(f"{not_answering}; {first_line(exc)}") from None
        return info

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def server_components(settings: Settings) -> dict[str, object]:
    """Name, version and edition of the Neo4j at settings.uri (`CALL dbms.components()`)."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(settings.uri, auth=settings.auth) as driver:
        records, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition",
            routing_="r",
        )
    row = records[0]
    return {"name": row["name"], "version": row["version"], "edition": row["edition"]}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child counts as gone
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return True


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [part.decode(errors="replace") for part in f.read().split(b"\0") if part]
    except OSError:
        return []


def _is_neo4j(pid: int, home: Path) -> bool:
    """Whether `pid` is a live Neo4j server of the state folder whose Neo4j home is `home`."""
    cmd = _cmdline(pid)
    return _alive(pid) and ENTRY_POINT in cmd and f"--home-dir={home}" in cmd


def _process_holding(data_dir: Path) -> int | None:
    """Another running Neo4j whose configuration points at this state folder."""
    home = str(data_dir.parent)
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        cmd = _cmdline(int(entry.name))
        if ENTRY_POINT in cmd and any(arg == f"--home-dir={home}" for arg in cmd):
            if _alive(int(entry.name)):
                return int(entry.name)
    return None


#: What Neo4j's log says when a connector cannot bind its port because something listens there: Bolt's
#: "PortBindException: An error occurred while trying to bind to the socket /127.0.0.1:7687" (caused
#: by "bind(..) failed with error(-98): Address already in use"), HTTP's "PortBindException: Address
#: 127.0.0.1:7474 is already in use, cannot bind to it." (Neo4j 5.26).
_PORT_BIND = re.compile(r"PortBindException: (?:Address \S*?:(\d+) is already in use"
                        r"|An error occurred while trying to bind to the socket \S*?:(\d+))")
#: The line Neo4j logs when every component, each connector included, has started.
STARTED = "INFO  Started."


def port_taken(log: str) -> int | None:
    """The port a start's log (`log`) says was in use, or None when it says no such thing."""
    if "already in use" not in log.lower():
        return None
    found = _PORT_BIND.search(log)
    return int(found.group(1) or found.group(2)) if found else None


def _port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    host = "127.0.0.1" if host == "localhost" else host.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
