"""A real Apache Kafka broker (KRaft, one combined broker + controller node) run from jars.

The default test broker is the embedded Tansu binary. Tansu differs from Apache Kafka in
ways that matter to us (it always auto-creates topics, ignores retention and compaction,
miscounts end offsets), so broker-facing tests can also run against the real thing. No
Docker is needed: the jars come from Maven Central via ``deploy/kafka/pom.xml`` and the
broker runs as a plain ``java`` subprocess.

Usage::

    lib = ensure_kafka_jars()
    kafka = ApacheKafka(tmp_path / "kafka", lib_dir=lib)
    await kafka.start()
    ...  # connect to kafka.bootstrap_servers
    await kafka.stop()

From a shell, ``python -m polc.stack.apache_kafka --workdir DIR [--port N]`` runs one in
the foreground until Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import base64
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

KAFKA_VERSION = "4.4.0"

REPO_ROOT = Path(__file__).resolve().parents[2]
POM_PATH = REPO_ROOT / "deploy" / "kafka" / "pom.xml"

# Written last by ensure_kafka_jars; its content ties the jar set to the pom it came from.
_MARKER = ".polc-kafka-jars"

# Fast JVM start-up matters more than peak throughput for a test broker: C1 only, the
# serial collector, and the JDK's class-data-sharing archive.
_JVM_FLAGS = (
    "-Xms64m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Xshare:auto",
    "-XX:-UsePerfData",
    "-Djava.awt.headless=true",
)

# slf4j-simple writes to stderr, which is redirected to <workdir>/broker.log. The config
# dumps (hundreds of lines per component) are pushed down to WARN so the log tail shown in
# errors is the interesting part.
_LOG_FLAGS = (
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
    "-Dorg.slf4j.simpleLogger.showDateTime=true",
    "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
    "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config.AbstractConfig=warn",
    "-Dorg.slf4j.simpleLogger.log.kafka.server.KafkaConfig=warn",
)

NODE_ID = 1


class KafkaStackError(RuntimeError):
    """The Kafka runtime could not be fetched, formatted or started."""


# --------------------------------------------------------------------------- jars


def default_lib_dir() -> Path:
    """Where the broker jars live: ``$POLC_KAFKA_LIB`` or ``<repo>/.polc/kafka/lib``."""
    env = os.environ.get("POLC_KAFKA_LIB")
    return Path(env) if env else REPO_ROOT / ".polc" / "kafka" / "lib"


def _pom_digest(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def _jars_ready(lib_dir: Path, digest: str) -> bool:
    marker = lib_dir / _MARKER
    return marker.is_file() and marker.read_text().strip() == digest


def _require_tool(name: str, hint: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise KafkaStackError(f"`{name}` was not found on PATH. {hint}")
    return path


def java_executable() -> str:
    """The ``java`` to run the broker with: ``$JAVA_HOME/bin/java`` or ``java`` on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return _require_tool("java", "Apache Kafka 4.x needs Java 17 or newer (e.g. apt-get install openjdk-17-jre-headless).")


def ensure_kafka_jars(lib_dir: Path | None = None, pom: Path = POM_PATH) -> Path:
    """Make sure the broker jars from ``pom`` are in ``lib_dir`` and return ``lib_dir``.

    Idempotent and cheap when the jars are already there (one small file read). Otherwise
    runs Maven (``dependency:copy-dependencies``) into a temporary sibling directory and
    renames it into place, so an interrupted or concurrent fetch never leaves a half-filled
    directory behind. Raises KafkaStackError if ``java`` or ``mvn`` is missing or Maven fails.
    """
    lib_dir = Path(lib_dir) if lib_dir is not None else default_lib_dir()
    lib_dir = lib_dir.resolve()
    java_executable()  # no point fetching jars that cannot run
    if not pom.is_file():
        raise KafkaStackError(f"Kafka runtime pom not found at {pom}")
    digest = _pom_digest(pom)
    if _jars_ready(lib_dir, digest):
        return lib_dir
    mvn = _require_tool("mvn", "Install Maven 3.6+ (e.g. apt-get install maven); it fetches Kafka from Maven Central.")
    lib_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = lib_dir.parent / f".{lib_dir.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        _run_maven(mvn, pom, staging)
        (staging / _MARKER).write_text(digest + "\n")
        _swap_into_place(staging, lib_dir, digest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return lib_dir


def _run_maven(mvn: str, pom: Path, out_dir: Path) -> None:
    cmd = [
        mvn, "-q", "-B", "-f", str(pom),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={out_dir}",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not any(out_dir.glob("kafka_2.13-*.jar")):
        output = (proc.stdout + proc.stderr).strip()[-4000:]
        raise KafkaStackError(f"Fetching Kafka jars failed (exit {proc.returncode}): {' '.join(cmd)}\n{output}")


def _swap_into_place(staging: Path, lib_dir: Path, digest: str) -> None:
    if _jars_ready(lib_dir, digest):
        return  # a concurrent fetch finished first; keep its copy
    if lib_dir.exists():
        # Jars for an older pom: replace them wholesale so no stale version lingers.
        shutil.rmtree(lib_dir)
    os.rename(staging, lib_dir)


def _classpath(lib_dir: Path) -> str:
    jars = sorted(lib_dir.glob("*.jar"))
    if not jars:
        raise KafkaStackError(f"No jars in {lib_dir}; call ensure_kafka_jars() first")
    return os.pathsep.join(str(j) for j in jars)


# --------------------------------------------------------------------------- broker


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_cluster_id() -> str:
    """A random Kafka cluster id (16 random bytes, URL-safe base64 without padding)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()


def broker_properties(workdir: Path, port: int, controller_port: int, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server.properties for a single-node KRaft broker listening on 127.0.0.1:port."""
    props = {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        "controller.quorum.voters": f"{NODE_ID}@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": str(workdir / "data"),
        # Production brokers do not create topics on first use; with this off a test fails
        # when code relies on a topic nobody created (Tansu always auto-creates).
        "auto.create.topics.enable": "false",
        "num.partitions": "1",
        "default.replication.factor": "1",
        "min.insync.replicas": "1",
        # Internal topics: one replica (one node) and one partition each, so the first
        # consumer group or transaction does not have to create and load 50 partitions.
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "share.coordinator.state.topic.num.partitions": "1",
        # Join a group as soon as the first member arrives instead of waiting 3 s.
        "group.initial.rebalance.delay.ms": "0",
    }
    props.update(extra or {})
    return props


def _write_properties(path: Path, props: Mapping[str, str]) -> None:
    lines = [f"{k}={v}" for k, v in props.items()]
    path.write_text("# Generated by polc.stack.apache_kafka\n" + "\n".join(lines) + "\n")


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return "(no broker log)"
    return "\n".join(text.splitlines()[-lines:])


def cds_archive_path(lib_dir: Path, java: str, classpath: str) -> Path:
    """Where the broker's class-data-sharing archive for this JVM and jar set is kept.

    A dynamic CDS archive roughly halves JVM start-up for Kafka, but it is only valid for the
    exact JVM build and class path that wrote it, so both are part of the name.
    """
    real_java = Path(java).resolve()
    key = f"{real_java}|{real_java.stat().st_mtime_ns}|{classpath}"
    return lib_dir / "cds" / f"kafka-{hashlib.sha256(key.encode()).hexdigest()[:16]}.jsa"


def _cds_enabled() -> bool:
    return os.environ.get("POLC_KAFKA_CDS", "1") != "0"


def _set_parent_death_signal() -> None:
    # Linux only: the JVM gets SIGKILL if the Python process dies without calling stop(),
    # so a crashed test run does not leave a broker holding ports and memory.
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class ApacheKafka:
    """One Apache Kafka broker process (KRaft, broker + controller in one node).

    All state lives under ``workdir``: ``server.properties``, ``broker.log`` and the log
    directory ``data/``. The first start formats ``data/`` with a fresh cluster id; starting
    again on the same workdir keeps the topics and offsets, like a restarted server.
    """

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        *,
        lib_dir: Path | None = None,
        extra_config: Mapping[str, str] | None = None,
        startup_timeout: float = 90.0,
        jvm_flags: tuple[str, ...] = _JVM_FLAGS,
    ) -> None:
        self.workdir = Path(workdir).resolve()
        self.lib_dir = Path(lib_dir) if lib_dir is not None else default_lib_dir()
        self._requested_port = port
        self.port: int | None = None
        self.controller_port: int | None = None
        self.extra_config = dict(extra_config or {})
        self.startup_timeout = startup_timeout
        self.jvm_flags = jvm_flags
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file = None
        self._crashed = False  # the JVM exited by itself before it was ready
        self._ready = False
        self._pending_archive: tuple[Path, Path] | None = None

    # -- public API ---------------------------------------------------------------

    @property
    def bootstrap_servers(self) -> str:
        """``host:port`` for clients; only valid after start()."""
        if self.port is None:
            raise KafkaStackError("ApacheKafka is not started")
        return f"127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        """The broker's combined stdout/stderr log."""
        return self.workdir / "broker.log"

    @property
    def pid(self) -> int | None:
        """Process id of the running JVM, or None."""
        return self._proc.pid if self._proc is not None else None

    def is_running(self) -> bool:
        """True while the broker JVM is alive."""
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the broker log (for error messages)."""
        return _tail(self.log_path, lines)

    async def start(self) -> None:
        """Format storage if needed, launch the JVM and wait until it serves metadata.

        Raises KafkaStackError (with the broker log tail) if the process exits or the
        broker does not answer within ``startup_timeout`` seconds.
        """
        if self._proc is not None:
            raise KafkaStackError("ApacheKafka is already started")
        java = java_executable()
        classpath = _classpath(self.lib_dir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = self._requested_port or free_port()
        self.controller_port = free_port()
        props_path = self.workdir / "server.properties"
        _write_properties(props_path, broker_properties(self.workdir, self.port, self.controller_port, self.extra_config))
        archive = cds_archive_path(self.lib_dir, java, classpath) if _cds_enabled() else None
        try:
            await self._format_and_launch(java, classpath, props_path, archive)
        except KafkaStackError:
            if archive is None or not archive.is_file() or not self._jvm_crashed():
                raise
            # The JVM crashed, most likely mapping a shared archive it could not use: drop
            # the archive and try once more without it.
            archive.unlink(missing_ok=True)
            await self._format_and_launch(java, classpath, props_path, archive)

    async def _format_and_launch(self, java: str, classpath: str, props_path: Path, archive: Path | None) -> None:
        format_flags = (f"-XX:SharedArchiveFile={archive}",) if archive is not None and archive.is_file() else ()
        await asyncio.to_thread(self._format_storage, java, classpath, props_path, format_flags)
        await self._launch_and_wait(java, classpath, props_path, archive)

    def _jvm_crashed(self) -> bool:
        """True if the last format or broker JVM died with a HotSpot fatal error."""
        for log in (self.workdir / "format.log", self.log_path):
            if "fatal error has been detected" in _tail(log, 200):
                log.rename(log.with_suffix(".crashed.log"))  # so the next check starts clean
                return True
        return False

    async def _launch_and_wait(self, java: str, classpath: str, props_path: Path, archive: Path | None) -> None:
        self._crashed = self._ready = False
        self._launch(java, classpath, props_path, self._cds_flags(archive))
        try:
            await self._wait_ready()
            self._ready = True
        except BaseException:
            await self.stop()
            raise

    def _cds_flags(self, archive: Path | None) -> tuple[str, ...]:
        self._pending_archive = None
        if archive is None:
            return ()
        if archive.is_file():
            return (f"-XX:SharedArchiveFile={archive}",)
        # First start with this JVM and jar set: record the loaded classes at exit; stop()
        # installs the archive only after a clean exit, so it is never half-written.
        self._pending_archive = (self.workdir / "kafka.jsa.tmp", archive)
        return (f"-XX:ArchiveClassesAtExit={self._pending_archive[0]}",)

    async def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the broker (controlled shutdown), then SIGKILL after ``timeout`` seconds."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        killed = False
        try:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                if not await _wait_exit(proc, timeout):
                    killed = True
                    proc.kill()
                    await _wait_exit(proc, 5.0)
            if self._ready and not killed:
                self._install_archive()
            else:
                self._discard_archive()
        finally:
            atexit.unregister(proc.kill)
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    def _discard_archive(self) -> None:
        pending, self._pending_archive = self._pending_archive, None
        if pending is not None:
            pending[0].unlink(missing_ok=True)

    def _install_archive(self) -> None:
        pending, self._pending_archive = self._pending_archive, None
        if pending is None or not pending[0].is_file():
            return
        tmp, archive = pending
        try:
            archive.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, archive)
        except OSError:
            tmp.unlink(missing_ok=True)  # read-only jar dir: just start without an archive

    async def __aenter__(self) -> ApacheKafka:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- internals ----------------------------------------------------------------

    def _format_storage(self, java: str, classpath: str, props_path: Path, extra_flags: tuple[str, ...] = ()) -> None:
        if (self.workdir / "data" / "meta.properties").is_file():
            return  # formatted by an earlier start: keep the data
        cmd = [
            java, *self.jvm_flags, *extra_flags, "-cp", classpath,
            "kafka.tools.StorageTool", "format",
            "--cluster-id", new_cluster_id(),
            "--config", str(props_path),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=self.workdir)
        (self.workdir / "format.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
            raise KafkaStackError(f"kafka-storage format failed (exit {proc.returncode}):\n{tail}")

    def _launch(self, java: str, classpath: str, props_path: Path, extra_flags: tuple[str, ...]) -> None:
        cmd = [java, *self.jvm_flags, *extra_flags, *_LOG_FLAGS, "-cp", classpath, "kafka.Kafka", str(props_path)]
        self._log_file = open(self.log_path, "ab")
        self._proc = subprocess.Popen(
            cmd,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            # Own session: a Ctrl-C in the terminal reaches Python, which then stops the
            # broker cleanly, instead of killing the JVM mid-write.
            start_new_session=True,
            preexec_fn=_set_parent_death_signal if sys.platform == "linux" else None,
        )
        atexit.register(self._proc.kill)

    async def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        # Wait for the port before handing over to aiokafka, which logs an error for every
        # refused connection.
        while not await _port_open("127.0.0.1", self.port):
            self._check_alive()
            await self._sleep_until(deadline, "the listener to open")
        while not await _answers_metadata(self.bootstrap_servers):
            self._check_alive()
            await self._sleep_until(deadline, "a metadata response listing the broker")

    def _check_alive(self) -> None:
        assert self._proc is not None
        code = self._proc.poll()
        if code is not None:
            self._crashed = True
            raise KafkaStackError(f"Kafka broker exited with code {code} during start-up. Log tail ({self.log_path}):\n{self.log_tail()}")

    async def _sleep_until(self, deadline: float, what: str) -> None:
        if time.monotonic() > deadline:
            raise KafkaStackError(
                f"Kafka broker did not come up within {self.startup_timeout:.0f} s (waiting for {what}). "
                f"Log tail ({self.log_path}):\n{self.log_tail()}"
            )
        await asyncio.sleep(0.1)


async def _wait_exit(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def _port_open(host: str, port: int) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout=1.0)
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return True


async def _answers_metadata(bootstrap: str) -> bool:
    """True once the broker returns a Metadata response that lists at least one broker."""
    from aiokafka.client import AIOKafkaClient
    from aiokafka.errors import KafkaError

    client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        await client.bootstrap()
        return bool(client.cluster.brokers())
    except (KafkaError, OSError, asyncio.TimeoutError):
        return False
    finally:
        await client.close()


# --------------------------------------------------------------------------- CLI


async def _serve(workdir: Path, port: int | None, lib_dir: Path | None) -> None:
    lib = await asyncio.to_thread(ensure_kafka_jars, lib_dir)
    kafka = ApacheKafka(workdir, port, lib_dir=lib)
    started = time.monotonic()
    await kafka.start()
    print(f"Apache Kafka {KAFKA_VERSION} ready in {time.monotonic() - started:.1f} s", file=sys.stderr)
    print(f"bootstrap_servers={kafka.bootstrap_servers}", flush=True)
    print(f"log: {kafka.log_path}  (Ctrl-C to stop)", file=sys.stderr)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    waiter = asyncio.create_task(stop.wait())
    try:
        while not waiter.done():
            await asyncio.wait([waiter], timeout=1.0)
            if not kafka.is_running():
                print(f"broker exited unexpectedly; log tail:\n{kafka.log_tail()}", file=sys.stderr)
                break
    finally:
        waiter.cancel()
        await kafka.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m polc.stack.apache_kafka``: run a broker in the foreground until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m polc.stack.apache_kafka", description=main.__doc__)
    parser.add_argument("--workdir", type=Path, required=True, help="state directory (data, logs, config)")
    parser.add_argument("--port", type=int, default=None, help="client port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--lib-dir", type=Path, default=None, help="jar directory (default: $POLC_KAFKA_LIB or .polc/kafka/lib)")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args.workdir, args.port, args.lib_dir))
    except KafkaStackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
