"""``polc up``: the whole system on one machine.

Starts what is not configured to be external — PostgreSQL (data under ``.polc/``), the Tansu
broker, an SMTP inbox writing ``.eml`` files, the ShopRenter simulator with two demo shops —
then each service as its own process. A service that dies is restarted. Ctrl-C stops
everything, services first.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from polc.runtime.process import SERVICES
from polc.stack.demo import DEMO_SHOPS, register_demo_shops
from polc.stack.ports import free_port, wait_for_port
from polc.stack.postgres import EmbeddedPostgres
from polc.stack.tansu import TansuBroker

SIMULATOR_PORT = 8180
SMTP_PORT = 1025
INGEST_PORT = 8101
NAV_SIMULATOR_PORT = 8790
BACKOFFICE_PORT = 8100
#: Env prefix of each service -> its default HTTP port.
SERVICE_PORTS = {"INGEST": 8101, "LEDGER": 8102, "PUSH": 8103, "INVOICING": 8104}


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    restarts: int = 0
    started_at: float = field(default=0.0)

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self.started_at = time.monotonic()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout_s: float = 15) -> None:
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


async def _ensure_database(admin_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def _say(text: str) -> None:
    print(f"polc up: {text}", flush=True)


def up(home: Path) -> int:
    """Run until interrupted; returns the process exit code."""
    home = home.resolve()
    logs = home / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    postgres = broker = None
    children: list[Child] = []
    try:
        if "DATABASE_URL" not in env:
            postgres = EmbeddedPostgres(home / "pgdata", port=int(env.get("POLC_PG_PORT", "0")) or None)
            postgres.start()
            asyncio.run(_ensure_database(postgres.dsn, "polc"))
            env["DATABASE_URL"] = postgres.dsn_for("polc")
            _say(f"PostgreSQL on 127.0.0.1:{postgres.port} (data in {postgres.data_dir})")
        if "KAFKA_BOOTSTRAP_SERVERS" not in env:
            broker = TansuBroker(logs / "tansu.log", port=int(env.get("POLC_KAFKA_PORT", "0")) or None)
            env["KAFKA_BOOTSTRAP_SERVERS"] = broker.start()
            _say(f"Kafka-protocol broker (Tansu, in memory) on {broker.bootstrap_servers}")
        if "POLC_SECRETS_KEY" not in env:
            env["POLC_SECRETS_KEY"] = _secrets_key(home)
        py = sys.executable
        if "SMTP_HOST" not in env:
            port = int(env.get("POLC_SMTP_PORT", SMTP_PORT))
            children.append(Child("smtp-inbox", [py, "-m", "polc.stack.smtp_inbox", "--folder", str(home / "mail"),
                                                 "--port", str(port)], env, logs / "smtp-inbox.log"))
            env.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
        if _simulator_available() and "POLC_NO_SIMULATOR" not in env:
            port = int(env.get("POLC_SIMULATOR_PORT", SIMULATOR_PORT))
            children.append(Child("shoprenter-simulator",
                                  [py, "-m", "polc.shoprenter_sim", "--host", "127.0.0.1", "--port", str(port),
                                   "--shops", "demo1,demo2", "--demo-orders-per-minute", "3"],
                                  env, logs / "shoprenter-simulator.log"))
            env["POLC_SIMULATOR_URL"] = f"http://127.0.0.1:{port}"
        if "POLC_INVOICING_NAV_URL" not in env and "POLC_NO_NAV_SIMULATOR" not in env:
            port = int(env.get("POLC_NAV_SIMULATOR_PORT", NAV_SIMULATOR_PORT))
            env.update(nav_simulator_env(port))
            children.append(Child("nav-simulator", [py, "-m", "polc.nav_sim", "--host", "127.0.0.1", "--port", str(port)],
                                  env, logs / "nav-simulator.log"))
        for name in SERVICES:
            children.append(Child(name, [py, "-m", "polc.cli", "service", name], env, logs / f"{name}.log"))
        first_password = _backoffice_env(env, home)
        children.append(Child("backoffice", [py, "-m", "backoffice"], env, logs / "backoffice.log"))
        for child in children:
            child.start()
            _say(f"started {child.name} (log: {child.log})")
        if "POLC_SIMULATOR_URL" in env:
            ingest_url = f"http://127.0.0.1:{env.get('POLC_INGEST_HTTP_PORT', INGEST_PORT)}"
            added = register_demo_shops(ingest_url, env["POLC_SIMULATOR_URL"])
            _say(f"demo shops {', '.join(DEMO_SHOPS)} in order ingest"
                 + (f" (added {', '.join(added)})" if added else ""))
        _say(f"back office: http://127.0.0.1:{env.get('POLC_BACKOFFICE_HTTP_PORT', BACKOFFICE_PORT)}/")
        if first_password:
            _say(f"first start: log in as admin with password {first_password} (shown only now)")
        _say("running; press Ctrl-C to stop")
        return _supervise(children)
    finally:
        for child in reversed(children):
            child.stop()
        if broker:
            broker.stop()
        if postgres:
            postgres.stop()
        _say("stopped")


def _backoffice_env(env: dict[str, str], home: Path) -> str | None:
    """Point the back office at the services; on its first start choose the admin password here,
    so it is shown on this terminal and never written to a log file."""
    for short, port in SERVICE_PORTS.items():
        env.setdefault(f"POLC_BACKOFFICE_{short}_URL", f"http://127.0.0.1:{env.get(f'POLC_{short}_HTTP_PORT', port)}")
    state = home / "backoffice"
    env.setdefault("POLC_BACKOFFICE_STATE_DIR", str(state))
    if "POLC_BACKOFFICE_ADMIN_PASSWORD" in env or (Path(env["POLC_BACKOFFICE_STATE_DIR"]) / "users.json").exists():
        return None
    password = secrets.token_urlsafe(12)
    env["POLC_BACKOFFICE_ADMIN_PASSWORD"] = password
    return password


def _secrets_key(home: Path) -> str:
    """The installation's key for sealing shop credentials: made on the first start and kept in
    ``<home>/secrets.key`` (readable by its owner only), next to the database it protects."""
    path = home / "secrets.key"
    if not path.exists():
        from polc.runtime.secrets import new_key

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(new_key() + "\n")
    return path.read_text().strip()


def nav_simulator_env(port: int) -> dict[str, str]:
    """Invoicing reports to the local NAV simulator as its demo technical user."""
    from polc.nav_sim.state import DEMO_USER

    return {
        "POLC_INVOICING_NAV_ENABLED": "true",
        "POLC_INVOICING_NAV_URL": f"http://127.0.0.1:{port}/invoiceService/v3",
        "POLC_INVOICING_NAV_LOGIN": DEMO_USER.login,
        "POLC_INVOICING_NAV_PASSWORD": DEMO_USER.password,
        "POLC_INVOICING_NAV_SIGNATURE_KEY": DEMO_USER.signature_key,
        "POLC_INVOICING_NAV_EXCHANGE_KEY": DEMO_USER.exchange_key,
        "POLC_INVOICING_NAV_TAX_NUMBER": DEMO_USER.tax_number,
    }


def _simulator_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("polc.shoprenter_sim.__main__") is not None


def _supervise(children: list[Child]) -> int:
    stop = {"requested": False}

    def request_stop(*_: object) -> None:
        stop["requested"] = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    while not stop["requested"]:
        for child in children:
            if not child.alive() and not stop["requested"]:
                code = child.process.returncode if child.process else None
                child.restarts += 1
                delay = min(30, 2 ** min(child.restarts, 5))
                _say(f"{child.name} exited with {code}; restarting in {delay}s (see {child.log})")
                time.sleep(delay)
                child.start()
        time.sleep(0.5)
    return 0


__all__ = ["up", "free_port", "wait_for_port"]
