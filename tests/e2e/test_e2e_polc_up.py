"""`polc up` brings the whole embedded stack up as processes and Ctrl-C stops all of it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from polc.runtime.process import SERVICES
from polc.stack.ports import free_port


@pytest.mark.slow
def test_polc_up_serves_every_service_and_stops_cleanly(tmp_path):
    ports = {name: free_port() for name in SERVICES}
    backoffice_port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "SMTP_HOST", "POLC_SECRETS_KEY")},
        "POLC_INGEST_HTTP_PORT": str(ports["order_ingest"]),
        "POLC_LEDGER_HTTP_PORT": str(ports["stock_ledger"]),
        "POLC_PUSH_HTTP_PORT": str(ports["webshop_push"]),
        "POLC_INVOICING_HTTP_PORT": str(ports["invoicing"]),
        "POLC_SMTP_PORT": str(free_port()),
        "POLC_SIMULATOR_PORT": str(free_port()),
        "POLC_NAV_SIMULATOR_PORT": str(free_port()),
        "POLC_BACKOFFICE_HTTP_PORT": str(backoffice_port),
    }
    home = tmp_path / "home"
    proc = subprocess.Popen([sys.executable, "-m", "polc.cli", "up", "--home", str(home)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        ready = _wait_all_ready(ports, timeout_s=180)
        assert set(ready) == set(SERVICES)
        metrics = httpx.get(f"http://127.0.0.1:{ports['invoicing']}/metrics").text
        assert "polc_outbox_backlog" in metrics
        document = httpx.get(f"http://127.0.0.1:{ports['stock_ledger']}/asyncapi.json").json()
        assert "polc.orders.v1" in document["channels"]
        # The demo shops are registered and their seeded orders flow into the back office.
        shops = httpx.get(f"http://127.0.0.1:{ports['order_ingest']}/shops").json()["shops"]
        assert {s["shop_id"] for s in shops} == {"demo1", "demo2"}
        httpx.post(f"http://127.0.0.1:{ports['order_ingest']}/sync", json={}, timeout=30)
        _wait_orders(ports["order_ingest"], timeout_s=120)
        # The back office is up and asks for a login.
        login = httpx.get(f"http://127.0.0.1:{backoffice_port}/", follow_redirects=True, timeout=10)
        assert login.status_code == 200 and "/login" in str(login.url)
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=90)
    text = output.decode()
    assert proc.returncode == 0, text[-3000:]
    assert "polc up: stopped" in text
    password = re.search(r"log in as admin with password (\S+)", text).group(1)
    key_file = home / "secrets.key"  # seals the shops' credentials; made on the first start
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text().strip()
    for log in (home / "logs").glob("*.log"):  # shown on the terminal only, never logged
        assert password not in log.read_text(errors="replace"), log.name
        assert key not in log.read_text(errors="replace"), log.name
    assert key not in text
    assert (home / "pgdata" / "PG_VERSION").exists()  # data kept for the next start
    assert not (home / "pgdata" / "postmaster.pid").exists()  # PostgreSQL shut down
    for name in SERVICES:
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{ports[name]}/health/live", timeout=2)


def _wait_all_ready(ports: dict[str, int], timeout_s: float) -> dict[str, dict]:
    deadline = time.monotonic() + timeout_s
    ready: dict[str, dict] = {}
    while time.monotonic() < deadline and len(ready) < len(ports):
        for name, port in ports.items():
            if name in ready:
                continue
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2)
            except httpx.HTTPError:
                continue
            if response.status_code == 200 and response.json()["ready"]:
                ready[name] = response.json()
        time.sleep(0.5)
    missing = set(ports) - set(ready)
    assert not missing, f"not ready within {timeout_s}s: {sorted(missing)}"
    return ready


def _wait_orders(port: int, timeout_s: float) -> list[dict]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        orders = httpx.get(f"http://127.0.0.1:{port}/orders", timeout=5).json().get("orders", [])
        if orders:
            return orders
        time.sleep(1)
    raise AssertionError(f"no order was ingested from the demo shops within {timeout_s}s")
