"""After an end-to-end run on `polc up`, every operations metric is on /metrics with plausible values."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from polc.runtime.process import SERVICES
from polc.stack.ports import free_port
from tests.e2e.test_e2e_polc_up import _wait_all_ready, _wait_orders

pytestmark = pytest.mark.slow

#: Every metric the operations issue asks for, and the services that must show it.
EXPECTED = {
    "polc_messages_handled": SERVICES,
    "polc_messages_failed": SERVICES,
    "polc_dead_letters": SERVICES,
    "polc_outbox_backlog": SERVICES,
    "polc_outbox_oldest_age_seconds": SERVICES,
    "polc_consumer_lag": SERVICES,
    "polc_shoprenter_requests": ("order_ingest",),
    "polc_shoprenter_rate_limited": ("order_ingest",),
    "polc_shoprenter_request_seconds": ("order_ingest",),
    "polc_shop_last_successful_sync_timestamp_seconds": ("order_ingest",),
    "polc_shop_pending_writes": ("webshop_push",),
    "polc_invoices_issued": ("invoicing",),
    "polc_invoice_emails": ("invoicing",),
}


def scrape(port: int) -> dict[str, list]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


def value(samples: list, suffix: str = "", **labels: str) -> float:
    return sum(s.value for s in samples if s.name.endswith(suffix) and all(s.labels.get(k) == v for k, v in labels.items()))


def test_every_operations_metric_is_exported_with_plausible_values(tmp_path):
    ports = {name: free_port() for name in SERVICES}
    prefixes = {"order_ingest": "INGEST", "stock_ledger": "LEDGER", "webshop_push": "PUSH", "invoicing": "INVOICING"}
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "SMTP_HOST")},
        **{f"POLC_{prefixes[n]}_HTTP_PORT": str(p) for n, p in ports.items()},
        **{f"POLC_{prefixes[n]}_METRICS_REFRESH_INTERVAL_S": "1" for n in ports},
        **{f"POLC_{prefixes[n]}_LAG_MONITOR_INTERVAL_S": "1" for n in ports},
        "POLC_SMTP_PORT": str(free_port()), "POLC_SIMULATOR_PORT": str(free_port()),
        "POLC_NAV_SIMULATOR_PORT": str(free_port()), "POLC_BACKOFFICE_HTTP_PORT": str(free_port()),
    }
    home = tmp_path / "home"
    proc = subprocess.Popen([sys.executable, "-m", "polc.cli", "up", "--home", str(home)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_all_ready(ports, timeout_s=180)
        ingest = f"http://127.0.0.1:{ports['order_ingest']}"
        httpx.post(f"{ingest}/sync", json={}, timeout=30)
        order = _wait_orders(ports["order_ingest"], timeout_s=120)[0]
        invoicing = f"http://127.0.0.1:{ports['invoicing']}"
        deadline = time.monotonic() + 180
        while True:  # the order reaches invoicing through the broker; then one click invoices and e-mails it
            answer = httpx.post(f"{invoicing}/orders/{order['shop_id']}/{order['shop_order_id']}/invoice",
                                json={"email": True}, timeout=30)
            known = httpx.get(f"{invoicing}/orders/{order['shop_id']}/{order['shop_order_id']}", timeout=10)
            if answer.status_code < 300 and known.status_code == 200:
                break
            assert time.monotonic() < deadline, (answer.status_code, answer.text)
            time.sleep(1)

        def invoicing_done() -> bool:
            samples = scrape(ports["invoicing"])
            return (value(samples.get("polc_invoices_issued", []), "_total") >= 1
                    and value(samples.get("polc_invoice_emails", []), "_total", result="sent") >= 1)

        _until(invoicing_done, 240)
        scraped = {name: scrape(port) for name, port in ports.items()}
        for metric, services in EXPECTED.items():
            for service in services:
                assert metric in scraped[service], f"{metric} missing on {service}"

        ingest_m = scraped["order_ingest"]
        assert value(ingest_m["polc_shoprenter_requests"], "_total") > 0
        last_sync = [s.value for s in ingest_m["polc_shop_last_successful_sync_timestamp_seconds"]]
        assert last_sync and all(time.time() - 3600 < t <= time.time() + 5 for t in last_sync)
        assert value(ingest_m["polc_shoprenter_request_seconds"], "_count") > 0
        for service in ("stock_ledger", "invoicing"):
            assert value(scraped[service]["polc_messages_handled"], "_total", message_type="OrderReceived") >= 1
        lag = [s for s in scraped["stock_ledger"]["polc_consumer_lag"] if s.labels["group"] == "polc.stock_ledger.main"]
        assert lag and all(s.value >= 0 for s in lag)
        assert all(s.value >= 0 for s in scraped["webshop_push"]["polc_shop_pending_writes"])
        assert {s.labels["shop_id"] for s in scraped["webshop_push"]["polc_shop_pending_writes"]} >= {"demo1", "demo2"}
        for service in SERVICES:
            assert all(s.value >= 0 for s in scraped[service]["polc_outbox_backlog"])
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(90)
        except subprocess.TimeoutExpired:
            proc.kill()


def _until(condition, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(1)
