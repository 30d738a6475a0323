"""The whole polc day in one process: a simulated ShopRenter shop, an SMTP inbox, the four
services on the test's PostgreSQL and broker, and the back office on a real port.

Used by the browser test and by ``python -m backoffice.screenshots``.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from backoffice.app import build_app
from backoffice.settings import Settings as BackofficeSettings
from contracts.registry import ALL_TOPICS
from polc.runtime.routing import Routing
from polc.runtime.service import ServiceRuntime
from polc.shoprenter_sim import BackgroundSimulator, ShopSpec
from polc.stack.smtp_inbox import SmtpInbox

SHOP = "bolt"
WAREHOUSE = "FO"
ADMIN_PASSWORD = "napi-munka-2025"
CUSTOMERS = [("Kovács", "Anna", "anna.kovacs"), ("Nagy", "Béla", "bela.nagy"), ("Szabó", "Csilla", "csilla"),
             ("Tóth", "Dénes", "tothd")]
ORDERS = [  # (customer index, [(sku, quantity)])
    (0, [("PICK-TSZ-500", 1), ("KAL-PAP-100", 2)]),
    (1, [("RUBIK-3X3", 1)]),
    (2, [("BAL-ROZE-24", 3), ("KAL-PAP-100", 1)]),
    (3, [("TOK-ASZU5-05", 1)]),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Day:
    """A running stack and ways to arrange and observe it."""

    sim: BackgroundSimulator
    inbox: SmtpInbox
    runtimes: dict[str, ServiceRuntime]
    backoffice_url: str
    mail_folder: Path
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=60))

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.runtimes[service].http.port}{path}"

    async def call(self, method: str, service: str, path: str, body: Any = None) -> Any:
        resp = await self.http.request(method, self.url(service, path), json=body)
        resp.raise_for_status()
        return resp.json()

    async def add_shop(self) -> None:
        creds = self.sim.credentials(SHOP)
        await self.call("POST", "ingest", "/shops", {
            "shop_id": SHOP, "name": "Magyar Ízek Boltja", "api_base_url": self.sim.api_base_url(SHOP),
            "token_url": self.sim.token_url(SHOP), "client_id": creds["client_id"],
            "client_secret": creds["client_secret"], "warehouse_id": WAREHOUSE, "series_prefix": "BOLT-",
            "first_sync_from": "2000-01-01T00:00:00+00:00"})

    async def first_sync_done(self) -> None:
        """Wait until the shop's first poll finished (a new shop is polled at once)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        while True:
            status = (await self.call("GET", "ingest", "/sync"))["shops"]
            if any(s["shop_id"] == SHOP and s["last_success_at"] for s in status):
                return
            assert loop.time() < deadline, f"the first sync did not finish: {status}"
            await asyncio.sleep(0.2)

    async def place_orders(self) -> None:
        for who, lines in ORDERS:
            last, first, mailbox = CUSTOMERS[who]
            await self.control("POST", f"/shops/{SHOP}/orders", {
                "lines": [{"sku": s, "quantity": q} for s, q in lines], "payment_code": "COD",
                "guest": {"firstname": first, "lastname": last, "email": f"{mailbox}@example.hu"},
                "comment": "Kérem, délután hozzák." if who == 0 else ""})

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        resp = await self.http.request(method, f"{self.sim.base_url}/_control{path}", json=body)
        resp.raise_for_status()
        return resp.json()

    async def shop_stock(self, sku: str) -> str:
        return str((await self.control("GET", f"/shops/{SHOP}/products/{sku}"))["stock1"])

    async def order_emails(self) -> dict[str, str]:
        """``shop:shop_order_id`` -> the customer's e-mail address, from the order documents."""
        out = {}
        for order in (await self.call("GET", "ingest", "/orders"))["orders"]:
            doc = (await self.call("GET", "ingest", f"/orders/{order['shop_id']}/{order['shop_order_id']}"))["document"]
            out[f"{order['shop_id']}:{order['shop_order_id']}"] = doc["customer"]["email"]
        return out

    def mails(self) -> list[EmailMessage]:
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(self.mail_folder.glob("*.eml"))]


@contextlib.asynccontextmanager
async def running_day(base: dict[str, Any], workdir: Path) -> AsyncIterator[Day]:
    """Start everything on ``base`` (database, broker, topic prefix of the test); stop it afterwards."""
    from services.invoicing.app import build as build_invoicing
    from services.invoicing.settings import Settings as InvoicingSettings
    from services.order_ingest.app import build as build_ingest
    from services.order_ingest.settings import Settings as IngestSettings
    from services.stock_ledger.app import build as build_ledger
    from services.stock_ledger.settings import Settings as LedgerSettings
    from services.webshop_push.app import build as build_push
    from services.webshop_push.settings import Settings as PushSettings

    routing = Routing(ALL_TOPICS, base["kafka_topic_prefix"])
    mail_folder = workdir / "mail"
    smtp_port = free_port()
    inbox = SmtpInbox(mail_folder, port=smtp_port)
    inbox.start()
    settings = {
        "ingest": (build_ingest, IngestSettings(**base, scheduler_tick_s=0.2, default_poll_interval_s=3600.0,
                                                 shop_retry_base_s=0.05)),
        "ledger": (build_ledger, LedgerSettings(**base)),
        "invoicing": (build_invoicing, InvoicingSettings(
            **base, smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_from="szamla@magyarizek.test",
            series={SHOP: "MIB"}, worker_poll_interval_s=0.2, email_retry_delay_s=0.5, render_processes=0,
            seller_name="Magyar Ízek Kft.", seller_bank_account="11700000-00000000")),
        "push": (build_push, PushSettings(**base, shop_scan_s=0.2, idle_poll_s=0.3, retry_base_s=0.2, retry_max_s=2.0,
                                           shop_retry_base_s=0.05, shop_retry_max_elapsed_s=10.0, handover_quiet_s=0.0)),
    }
    async with contextlib.AsyncExitStack() as stack:
        stack.callback(inbox.stop)
        sim = stack.enter_context(BackgroundSimulator([ShopSpec(name=SHOP, seed=7, seed_orders=0)]))
        runtimes = {}
        for name, (build, service_settings) in settings.items():
            runtimes[name] = await stack.enter_async_context(
                ServiceRuntime(build(service_settings), service_settings, routing))
        bo_settings = BackofficeSettings(
            state_dir=workdir / "backoffice", http_port=free_port(), admin_password=ADMIN_PASSWORD, basket_wait_s=20,
            **{f"{k}_url": f"http://127.0.0.1:{runtimes[k].http.port}" for k in ("ingest", "ledger", "push", "invoicing")})
        from backoffice.users import ensure_admin

        ensure_admin(bo_settings)
        server = uvicorn.Server(uvicorn.Config(build_app(bo_settings), host="127.0.0.1", port=bo_settings.http_port,
                                               log_level="warning", lifespan="on"))
        serving = asyncio.create_task(server.serve())
        while not server.started:
            if serving.done():
                serving.result()
            await asyncio.sleep(0.05)
        day = Day(sim, inbox, runtimes, f"http://127.0.0.1:{bo_settings.http_port}", mail_folder)
        try:
            yield day
        finally:
            await day.http.aclose()
            server.should_exit = True
            await serving
