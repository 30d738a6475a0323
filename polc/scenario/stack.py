"""The whole polc stack as separate processes, on its own ports and state folder.

PostgreSQL and Tansu come from ``polc.stack``; the SMTP inbox, the NAV simulator, the ShopRenter
simulator and every service instance (``python -m polc.cli service NAME``) are child processes
that the scenario may kill and start again.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import psutil

from polc.runtime.process import SERVICES
from polc.runtime.secrets import new_key
from polc.stack.ports import free_port, wait_for_port
from polc.stack.postgres import EmbeddedPostgres
from polc.stack.tansu import TansuBroker
from polc.stack.up import nav_simulator_env

PORT_ENV = {"order_ingest": "POLC_INGEST_HTTP_PORT", "stock_ledger": "POLC_LEDGER_HTTP_PORT",
            "webshop_push": "POLC_PUSH_HTTP_PORT", "invoicing": "POLC_INVOICING_HTTP_PORT"}
LOG_ENV = {"order_ingest": "POLC_INGEST_LOG_LEVEL", "stock_ledger": "POLC_LEDGER_LOG_LEVEL",
           "webshop_push": "POLC_PUSH_LOG_LEVEL", "invoicing": "POLC_INVOICING_LOG_LEVEL"}


@dataclass
class Proc:
    """One child process that can be started, killed and started again."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    process: subprocess.Popen | None = None
    starts: int = 0
    kills: int = 0
    peak_rss: int = 0

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.starts += 1

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_port(self, timeout_s: float = 60) -> None:
        if self.port is not None:
            wait_for_port("127.0.0.1", self.port, timeout_s, self.alive)

    def kill(self) -> None:
        """SIGKILL the process and every process it started (its session)."""
        if not self.alive():
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.kills += 1

    def stop(self, timeout_s: float = 20) -> None:
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def rss(self) -> int:
        """Resident memory of the process and its children, in bytes (0 when not running)."""
        if not self.alive():
            return 0
        try:
            parent = psutil.Process(self.process.pid)
            total = parent.memory_info().rss
            for child in parent.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            return 0
        self.peak_rss = max(self.peak_rss, total)
        return total


@dataclass
class StackOptions:
    instances: int = 1
    shops: tuple[str, ...] = ("shop1", "shop2", "shop3")
    log_level: str = "INFO"
    extra_env: dict[str, str] = field(default_factory=dict)
    invoice_series: dict[str, str] = field(default_factory=dict)


class ScenarioStack:
    """Everything polc needs, started under ``home`` on free ports."""

    def __init__(self, home: Path, options: StackOptions) -> None:
        self.home = home.resolve()
        self.logs = self.home / "logs"
        self.mail = self.home / "mail"
        self.options = options
        self.postgres: EmbeddedPostgres | None = None
        self.broker: TansuBroker | None = None
        self.infra: dict[str, Proc] = {}
        self.services: dict[str, list[Proc]] = {}
        self.env: dict[str, str] = {}
        self._rss_task: asyncio.Task | None = None

    # --- start and stop --------------------------------------------------------------------

    async def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        py = sys.executable
        self.postgres = EmbeddedPostgres(self.home / "pgdata", durable=False)
        await asyncio.to_thread(self.postgres.start)
        admin = await asyncpg.connect(self.postgres.dsn)
        try:
            if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = 'polc'"):
                await admin.execute('CREATE DATABASE "polc"')
        finally:
            await admin.close()
        self.broker = TansuBroker(self.logs / "tansu.log")
        await asyncio.to_thread(self.broker.start)
        smtp_port, sim_port, nav_port = free_port(), free_port(), free_port()
        base = {k: v for k, v in os.environ.items()
                if not k.startswith("POLC_") and k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "SMTP_HOST",
                                                            "SMTP_PORT")}
        repo = str(Path(__file__).resolve().parents[2])
        base["PYTHONPATH"] = repo + (os.pathsep + base["PYTHONPATH"] if base.get("PYTHONPATH") else "")
        env = {**base, "DATABASE_URL": self.postgres.dsn_for("polc"),
               "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
               "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "POLC_SECRETS_KEY": new_key(),
               **nav_simulator_env(nav_port)}
        if self.options.invoice_series:
            env["POLC_INVOICING_SERIES"] = json.dumps(self.options.invoice_series)
        for name in SERVICES:
            env[LOG_ENV[name]] = self.options.log_level
        env.update(self.options.extra_env)
        self.env = env
        self.infra = {
            "smtp-inbox": Proc("smtp-inbox", [py, "-m", "polc.stack.smtp_inbox", "--folder", str(self.mail),
                                              "--port", str(smtp_port)], env, self.logs / "smtp-inbox.log", smtp_port),
            "nav-simulator": Proc("nav-simulator", [py, "-m", "polc.nav_sim", "--host", "127.0.0.1", "--port",
                                                    str(nav_port)], env, self.logs / "nav-simulator.log", nav_port),
            "shoprenter-simulator": Proc(
                "shoprenter-simulator", [py, "-m", "polc.shoprenter_sim", "--host", "127.0.0.1", "--port",
                                         str(sim_port), "--shops", ",".join(self.options.shops)],
                env, self.logs / "shoprenter-simulator.log", sim_port),
        }
        for proc in self.infra.values():
            proc.start()
        for name in SERVICES:
            self.services[name] = []
            for i in range(self.options.instances):
                port = free_port()
                proc = Proc(f"{name}-{i}", [py, "-m", "polc.cli", "service", name],
                            {**env, PORT_ENV[name]: str(port)}, self.logs / f"{name}-{i}.log", port)
                self.services[name].append(proc)
        for proc in self.infra.values():
            await asyncio.to_thread(proc.wait_port, 60)
        for name in SERVICES:
            for proc in self.services[name]:
                proc.start()
        await self.wait_ready(timeout_s=180)
        self._rss_task = asyncio.create_task(self._sample_rss())

    async def stop(self) -> None:
        if self._rss_task:
            self._rss_task.cancel()
        for procs in self.services.values():
            for proc in procs:
                proc.rss()
        for procs in self.services.values():
            for proc in procs:
                await asyncio.to_thread(proc.stop)
        for proc in self.infra.values():
            await asyncio.to_thread(proc.stop)
        if self.broker:
            await asyncio.to_thread(self.broker.stop)
        if self.postgres:
            await asyncio.to_thread(self.postgres.stop)

    async def wait_ready(self, timeout_s: float = 120, procs: list[Proc] | None = None) -> None:
        deadline = time.monotonic() + timeout_s
        pending = list(procs or self.all_services())
        async with httpx.AsyncClient(timeout=3) as http:
            while pending:
                proc = pending[0]
                if not proc.alive():
                    tail = proc.log.read_text(errors="replace")[-3000:] if proc.log.exists() else ""
                    raise RuntimeError(f"{proc.name} exited during start-up:\n{tail}")
                try:
                    response = await http.get(f"http://127.0.0.1:{proc.port}/health/ready")
                    if response.status_code == 200 and response.json().get("ready"):
                        pending.pop(0)
                        continue
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{proc.name} not ready within {timeout_s}s")
                await asyncio.sleep(0.3)

    # --- access ----------------------------------------------------------------------------

    def all_services(self) -> list[Proc]:
        return [p for procs in self.services.values() for p in procs]

    def url(self, service: str) -> str:
        """Base URL of a live instance of ``service`` (the first one when none is alive)."""
        procs = self.services[service]
        alive = [p for p in procs if p.alive()]
        return f"http://127.0.0.1:{(alive or procs)[0].port}"

    def urls(self, service: str) -> list[str]:
        return [f"http://127.0.0.1:{p.port}" for p in self.services[service]]

    @property
    def simulator_url(self) -> str:
        return f"http://127.0.0.1:{self.infra['shoprenter-simulator'].port}"

    # --- faults ----------------------------------------------------------------------------

    async def restart_broker(self, down_s: float = 3.0) -> None:
        """Stop Tansu (it keeps nothing) and start an empty one on the same port."""
        await asyncio.to_thread(self.broker.stop)
        await asyncio.sleep(down_s)
        await asyncio.to_thread(self.broker.start)

    async def _sample_rss(self) -> None:
        while True:
            for proc in self.all_services():
                proc.rss()
            await asyncio.sleep(1.0)

    def peak_rss_by_service(self) -> dict[str, int]:
        return {name: max((p.peak_rss for p in procs), default=0) for name, procs in self.services.items()}
