"""The local Neo4j: build the Maven module in graph/neo4j-local, start it as a child process with
Bolt on 127.0.0.1, wait until Bolt answers, and stop it.

Used by ``cds run``/``cds neo4j start`` and by the test session. Deployments set NEO4J_URI and
never come here. Every failure a user can cause (no Java, no Maven, a taken port, a store locked
by another process) raises ``LocalNeo4jError`` with one sentence saying what to do.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MODULE_DIR = Path(__file__).resolve().parents[1] / "neo4j-local"
CLASSES = MODULE_DIR / "target" / "classes"
CLASSPATH_FILE = MODULE_DIR / "target" / "classpath.txt"
MAIN_CLASS = "vn.cds.registry.LocalNeo4j"
ADMIN_CLASS = "vn.cds.registry.Admin"  # neo4j-admin dump, load, check (offline)
FAILED_MARK = "NEO4J_FAILED"  # LocalNeo4j.java prints it before exiting on a setup error
READY_MARK = "NEO4J_READY"

# What Neo4j's own launcher passes on Java 17+. The --add-opens/--enable-native-access set is
# ConfigFileMigrator.recommendedJvmAdditionals in neo4j-dbms 5.26.30; the rest are defaults from
# the server.jvm.additional lines of the neo4j.conf that ships with 5.26. Without java.nio opened
# the page cache falls back to a slower mode and logs a warning.
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


class LocalNeo4jError(RuntimeError):
    """A problem starting the local Neo4j that the user can fix; the message says how."""


def _java_major(java: str) -> int:
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        raise LocalNeo4jError(f"could not read the Java version from `{java} -version`: {out!r}")
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java() -> str:
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        raise LocalNeo4jError(
            "Java 17 or newer is required for the local Neo4j and was not found: install it "
            "(Debian: apt-get install openjdk-17-jdk-headless) or set NEO4J_URI to an existing server"
        )
    if (major := _java_major(java)) < 17:
        raise LocalNeo4jError(f"Java {major} found at {java}; Neo4j 5.26 needs Java 17 or newer")
    return java


def _sources_newer_than_build() -> bool:
    if not CLASSPATH_FILE.exists() or not CLASSES.exists():
        return True
    built = CLASSPATH_FILE.stat().st_mtime
    sources = [MODULE_DIR / "pom.xml", *MODULE_DIR.joinpath("src").rglob("*.java")]
    return any(s.stat().st_mtime > built for s in sources)


def ensure_built() -> None:
    """Compile the launcher and resolve Neo4j into ~/.m2 (Maven's standard cache) if needed."""
    if not _sources_newer_than_build():
        return
    mvn = shutil.which("mvn")
    if not mvn:
        raise LocalNeo4jError(
            "Maven is required to fetch Neo4j for the local server and was not found: install it "
            "(Debian: apt-get install maven) or set NEO4J_URI to an existing server"
        )
    proc = subprocess.run(
        [mvn, "-B", "-q", "compile"], cwd=MODULE_DIR, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise LocalNeo4jError(f"building graph/neo4j-local with Maven failed:\n{tail}")


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Connections of a server stopped a moment ago linger in TIME_WAIT; they do not stop a
        # new server from listening (Neo4j sets SO_REUSEADDR too), so they must not count here.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class LocalNeo4j:
    """One local Neo4j server: its store directory, Bolt port and password."""

    data_dir: Path
    port: int
    password: str
    heap_mb: int = 1024
    pagecache_mb: int = 512
    # Further Neo4j settings in neo4j.conf syntax (CDS_LOCAL_NEO4J_CONF); Bolt's address, auth
    # and the memory above are set after it and win.
    conf_file: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "launcher.log"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "launcher.pid"

    def running_pid(self) -> int | None:
        """The pid of a server started earlier on this store (by `cds neo4j start`), if alive."""
        try:
            pid = int(self.pid_file.read_text().split()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None
        return pid if _pid_alive(pid) else None

    def _java(self, main_class: str) -> list[str]:
        classpath = f"{CLASSES}{os.pathsep}{CLASSPATH_FILE.read_text().strip()}"
        return [
            find_java(),
            f"-Xms{self.heap_mb}m",
            f"-Xmx{self.heap_mb}m",
            *JVM_OPTIONS,
            "-cp",
            classpath,
            main_class,
        ]

    def command(self) -> list[str]:
        return [
            *self._java(MAIN_CLASS),
            str(self.data_dir),
            str(self.port),
            self.password,
            str(self.pagecache_mb),
            *([str(self.conf_file.resolve())] if self.conf_file is not None else []),
        ]

    def start(self, *, detach: bool = False, timeout: float = 180.0) -> float:
        """Start the server and return the seconds it took until Bolt answered.

        With ``detach`` the server outlives this process (``cds neo4j start``); otherwise it is
        this process's child and ``stop()`` ends it.
        """
        find_java()
        ensure_built()
        if pid := self.running_pid():
            raise LocalNeo4jError(
                f"a local Neo4j (pid {pid}) already runs on {self.data_dir}: "
                "stop it with `cds neo4j stop` or use it by setting NEO4J_URI"
            )
        if self.conf_file is not None and not self.conf_file.is_file():
            raise LocalNeo4jError(
                f"CDS_LOCAL_NEO4J_CONF names {self.conf_file}, which is not a file: "
                "point it at a file of Neo4j settings (name=value lines) or unset it"
            )
        if not port_is_free(self.port):
            raise LocalNeo4jError(
                f"port {self.port} on 127.0.0.1 is taken: stop what uses it or choose another "
                "port with CDS_LOCAL_NEO4J_PORT"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=detach,
            )
        self.pid_file.write_text(f"{self.process.pid} {self.port}\n")
        try:
            self._wait_ready(began + timeout)
        except BaseException:
            self.stop()
            raise
        return time.monotonic() - began

    def _wait_ready(self, deadline: float) -> None:
        assert self.process is not None
        while time.monotonic() < deadline:
            if READY_MARK in self.log_file.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                raise LocalNeo4jError(self._failure_message())
            time.sleep(0.2)
        raise LocalNeo4jError(f"the local Neo4j did not answer in time; see {self.log_file}")

    def _failure_message(self) -> str:
        text = self.log_file.read_text(errors="replace")
        if "StoreLockException" in text or "Lock file has been locked" in text:
            return (
                f"the store {self.data_dir} is in use by another Neo4j process: stop it first "
                "(`cds neo4j stop`)"
            )
        if "BindException" in text or "Address already in use" in text:
            return f"port {self.port} is taken: choose another with CDS_LOCAL_NEO4J_PORT"
        failed = [line for line in text.splitlines() if line.startswith(FAILED_MARK)]
        if failed:
            reason = failed[-1].removeprefix(FAILED_MARK).strip()
            return f"the local Neo4j stopped while starting: {reason} (log: {self.log_file})"
        tail = "\n".join(text.strip().splitlines()[-10:])
        return f"the local Neo4j stopped while starting (log: {self.log_file}):\n{tail}"

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server (ours, or the one a pid file names) with SIGTERM: a clean shutdown."""
        pid = self.process.pid if self.process else self.running_pid()
        if pid is None:
            return False
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None:
                if self.process.poll() is not None:
                    break
            elif not _pid_alive(pid):
                break
            time.sleep(0.2)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.running_pid() is None:
            # Only our own server's file: another start on this store since ours (`cds backup`
            # restarts a server it stopped) keeps its file, so `cds neo4j stop` still finds it.
            self.pid_file.unlink(missing_ok=True)
        self.process = None
        return True

    def admin(self, action: str, *options: str) -> str:
        """Run Neo4j's own offline ``neo4j-admin database <action>`` (dump, load or check) on
        this store and return its output. The server must be stopped, as for neo4j-admin."""
        ensure_built()
        if pid := self.running_pid():
            raise LocalNeo4jError(
                f"the local Neo4j (pid {pid}) is running on {self.data_dir}: stop it first "
                "(`cds neo4j stop`); dump, load and check work on a stopped store"
            )
        proc = subprocess.run(
            [*self._java(ADMIN_CLASS), str(self.data_dir), action, *options],
            capture_output=True,
            text=True,
            check=False,
        )
        output = (proc.stdout + proc.stderr).strip()
        if proc.returncode != 0:
            tail = "\n".join(output.splitlines()[-10:])
            raise LocalNeo4jError(f"neo4j-admin database {action} failed:\n{tail}")
        return output


@contextlib.contextmanager
def running(server: LocalNeo4j) -> Iterator[LocalNeo4j]:
    server.start()
    try:
        yield server
    finally:
        server.stop()
