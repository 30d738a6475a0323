"""Order status write-back end to end: order_ingest, webshop_push (and invoicing) in-process on the
test's database and topics, a ShopRenter simulator over HTTP at ShopRenter's 3 requests/s."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from contracts.base import Envelope
from contracts.registry import ALL_TOPICS, parse_payload
from polc.runtime.routing import Routing
from polc.runtime.service import ServiceRuntime
from polc.shoprenter_sim import BackgroundSimulator, ShopSpec
from services.invoicing.app import build as build_invoicing
from services.order_ingest.app import Settings as IngestSettings
from services.order_ingest.app import build as build_ingest
from services.stock_ledger.app import Settings as LedgerSettings
from services.stock_ledger.app import build as build_ledger
from services.webshop_push.app import Settings as PushSettings
from services.webshop_push.app import build as build_push
from tests.integration.invoicing.harness import invoicing_settings
from tests.integration.webshop_push.conftest import Control as PushControl
from tests.integration.webshop_push.conftest import Sender, sender  # noqa: F401 - fixture re-used here
from tests.support.ping import wait_for
from tests.support.simulator import shop_taker

SHOPS = [f"sw{i}" for i in range(1, 9)]
WAREHOUSE = "FO"


@pytest.fixture(scope="session")
def sim() -> Iterator[BackgroundSimulator]:
    with BackgroundSimulator([ShopSpec(name=n, seed=i, seed_orders=0) for i, n in enumerate(SHOPS, 1)]) as running:
        yield running


class Control(PushControl):
    """The simulator's control API and its shop API (to read an order as the shop shows it)."""

    def place_guest_order(self, shop: str, n: int, sku: str = "TOJAS-10") -> dict[str, Any]:
        """An order of a private guest buyer (invoiceable without a tax number)."""
        guest = {"firstname": "Teszt", "lastname": f"Vevő {n}", "email": f"vevo{n}@example.hu", "phone": "+36301234567"}
        return self.place_order(shop, lines=[{"sku": sku, "quantity": 1 + n % 3}], guest=guest)

    def order(self, shop: str, order_id: str) -> dict[str, Any]:
        creds = self.sim.credentials(shop)
        for _ in range(50):  # the test's own reads share the shop's 3 requests/s with the services
            resp = httpx.get(f"{self.sim.api_base_url(shop)}/orders/{order_id}", timeout=10,
                             auth=(creds["username"], creds["password"]), headers={"Accept": "application/json"})
            if resp.status_code != 429:
                break
            time.sleep(0.4)
        resp.raise_for_status()
        return resp.json()

    def status_of(self, shop: str, order_id: str) -> str:
        return self.order(shop, order_id)["orderStatus"]["href"].rsplit("/", 1)[1]

    def order_writes(self, shop: str, order_id: str) -> list[dict[str, Any]]:
        """Successful writes of one order's status or invoice fields, in arrival order."""
        return [w for w in self.writes(shop)
                if w["path"].endswith(f"/orders/{order_id}") and w["status"] < 300 and isinstance(w["body"], dict)]


@pytest.fixture(scope="session")
def control(sim: BackgroundSimulator) -> Control:
    return Control(sim)


_take_shop: Callable[[], str] | None = None


@pytest.fixture
def fresh_shop(control: Control) -> Callable[[], str]:
    """A simulated shop reset to its seed state, not used by another test at the same time."""
    global _take_shop
    if _take_shop is None:
        _take_shop = shop_taker(control, SHOPS)
    return _take_shop


@pytest.fixture
def routing(topic_prefix: str) -> Routing:
    return Routing(ALL_TOPICS, topic_prefix)


class Services:
    """The services of one test, started on demand and stopped at its end."""

    def __init__(self, make_settings, routing: Routing, sim: BackgroundSimulator, stack: contextlib.AsyncExitStack):
        self.make_settings, self.routing, self.sim, self._stack = make_settings, routing, sim, stack
        self.ingest: ServiceRuntime | None = None
        self.push: ServiceRuntime | None = None
        self.invoicing: ServiceRuntime | None = None
        self.ledger: ServiceRuntime | None = None

    async def _start(self, spec, settings) -> ServiceRuntime:
        return await self._stack.enter_async_context(ServiceRuntime(spec, settings, self.routing))

    async def start_ingest(self) -> ServiceRuntime:
        settings = IngestSettings(**{**self.make_settings().model_dump(), "scheduler_tick_s": 0.1,
                                     "shop_retry_base_s": 0.05, "default_poll_interval_s": 3600.0})
        self.ingest = await self._start(build_ingest(settings), settings)
        return self.ingest

    async def start_push(self, **overrides: Any) -> ServiceRuntime:
        values = {**self.make_settings().model_dump(), "shop_scan_s": 0.2, "retry_base_s": 0.2, "retry_max_s": 1.0,
                  "shop_retry_base_s": 0.05, "shop_retry_max_elapsed_s": 10.0, "idle_poll_s": 0.5,
                  "handover_quiet_s": 0.2, "report_after_attempts": 1,
                  # The simulator shares this process's interpreter lock, so its clock sees arrivals late.
                  "shop_rate_margin_s": 0.25, **overrides}
        settings = PushSettings(**values)
        self.push = await self._start(build_push(settings), settings)
        return self.push

    async def start_ledger(self) -> ServiceRuntime:
        settings = LedgerSettings(**self.make_settings().model_dump())
        self.ledger = await self._start(build_ledger(settings), settings)
        return self.ledger

    async def start_invoicing(self, shop: str) -> ServiceRuntime:
        settings = invoicing_settings(self.make_settings(), _free_port(), series={shop: "SW"})
        self.invoicing = await self._start(build_invoicing(settings), settings)
        return self.invoicing

    async def add_shop(self, shop: str) -> None:
        creds = self.sim.credentials(shop)
        body = {"shop_id": shop, "api_base_url": self.sim.api_base_url(shop), "token_url": self.sim.token_url(shop),
                "client_id": creds["client_id"], "client_secret": creds["client_secret"], "warehouse_id": WAREHOUSE,
                "rate_limit_per_s": 3, "first_sync_from": "2000-01-01T00:00:00+00:00"}
        resp = await api(self.ingest).post("/shops", json=body)
        assert resp.status_code == 201, resp.text

    async def sync(self, shop: str) -> dict[str, Any]:
        """One ingest poll of the shop, finished (its events are in order_ingest's outbox)."""
        resp = await api(self.ingest).post("/sync", json={"shop_id": shop, "wait": True, "timeout_s": 120})
        assert resp.status_code == 200, resp.text
        results = resp.json()["results"]
        assert all(r["state"] == "done" for r in results.values()), results
        return results

    async def map_statuses(self, shop: str, **mapping: str | None) -> dict[str, Any]:
        """Download the shop's statuses through its pusher and choose the mapping (as the CLI does)."""
        http = api(self.push)
        resp = await http.post(f"/shops/{shop}/order-statuses/refresh", json={"wait_s": 60})
        assert resp.status_code == 200, resp.text
        resp = await http.put(f"/shops/{shop}/status-map", json=mapping)
        assert resp.status_code == 200, resp.text
        return resp.json()["status_map"]


def api(runtime: ServiceRuntime) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{runtime.http.port}", timeout=180)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
async def services(make_settings, routing, sim) -> AsyncIterator[Services]:
    async with contextlib.AsyncExitStack() as stack:
        yield Services(make_settings, routing, sim, stack)


async def outbox(runtime: ServiceRuntime, message_type: str) -> list[Any]:
    """What a service published (or is about to), parsed, in order."""
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT body FROM outbox WHERE message_type = $1 ORDER BY id", message_type)
    return [parse_payload(Envelope.model_validate_json(bytes(r["body"]))) for r in rows]


async def settled(push: ServiceRuntime, events: int) -> None:
    """Wait until webshop_push handled ``events`` order events and has no order write pending."""
    async def done() -> bool:
        async with push.pool.acquire() as conn:
            seen = await conn.fetchval("SELECT count(*) FROM order_status_events")
            pending = await conn.fetchval("SELECT count(*) FROM order_status_pending")
        return seen >= events and pending == 0
    await wait_for(done, timeout_s=120)
