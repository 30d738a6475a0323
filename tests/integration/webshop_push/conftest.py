"""webshop_push in-process on the test's database and topics, a real simulator, order_ingest's shop registry."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from contracts.base import Envelope, Message
from contracts.registry import ALL_TOPICS
from contracts.stock import StockChangeCause, StockChanged
from polc.runtime import kafka
from polc.runtime.migrations import migrate
from polc.runtime.outbox import envelope_headers, new_envelope
from polc.runtime.routing import Routing
from polc.runtime.service import ServiceRuntime
from polc.shoprenter_sim import BackgroundSimulator, ShopSpec
from tests.support.simulator import SimulatorControl, shop_taker
from services.order_ingest import store as ingest_store
from services.webshop_push.app import Settings, build

ORDER_INGEST_MIGRATIONS = __import__("pathlib").Path(__file__).parents[3] / "services/order_ingest/migrations"
SHOPS = [f"wp{i}" for i in range(1, 13)]
WAREHOUSE = "FO"


@pytest.fixture(scope="session")
def sim() -> Iterator[BackgroundSimulator]:
    with BackgroundSimulator([ShopSpec(name=n, seed=i, seed_orders=0) for i, n in enumerate(SHOPS, 1)]) as running:
        yield running


Control = SimulatorControl


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


@pytest.fixture
def push_settings(make_settings) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values = {**make_settings().model_dump(), "shop_scan_s": 0.2, "retry_base_s": 0.2, "retry_max_s": 2.0,
                  "shop_retry_base_s": 0.05, "shop_retry_max_elapsed_s": 10.0, "idle_poll_s": 0.5,
                  # The simulator shares this process's interpreter lock, so its clock sees arrivals late.
                  "shop_rate_margin_s": 0.25}
        return Settings(**{**values, **overrides})

    return make


class Registry:
    """order_ingest's shop registry in the test database, filled through order_ingest's own store."""

    def __init__(self, dsn: str, sim: BackgroundSimulator) -> None:
        self.dsn, self.sim = dsn, sim

    async def add_shop(self, shop_id: str, warehouse_id: str = WAREHOUSE, **extra: Any) -> None:
        conn = await asyncpg.connect(self.dsn)
        try:
            await migrate(conn, "order_ingest", {"order_ingest": ORDER_INGEST_MIGRATIONS})
            await conn.execute("SET search_path TO order_ingest")
            creds = self.sim.credentials(shop_id)
            await ingest_store.ensure_series(conn, shop_id, shop_id.upper())
            await ingest_store.upsert_shop(conn, {
                "shop_id": shop_id, "name": shop_id, "api_base_url": self.sim.api_base_url(shop_id),
                "token_url": self.sim.token_url(shop_id), "auth_mode": "oauth", "client_id": creds["client_id"],
                "warehouse_id": warehouse_id, "series_id": shop_id, "first_sync_from": datetime.now(UTC), **extra})
            await ingest_store.set_shop_secret(conn, shop_id, {"value": creds["client_secret"]})
        finally:
            await conn.close()


@pytest.fixture
def registry(database: str, sim: BackgroundSimulator) -> Registry:
    return Registry(database, sim)


class Sender:
    """Publishes messages the way another service's relay would: an envelope, keyed as registered."""

    def __init__(self, producer: Any, routing: Routing) -> None:
        self.producer, self.routing = producer, routing

    async def send(self, *messages: Message, producer: str = "stock_ledger") -> list[Envelope]:
        envelopes = []
        for payload in messages:
            topic = self.routing.topic_for(type(payload))
            env = new_envelope(payload, key=topic.key_for(payload), producer=producer)
            await self.producer.send_and_wait(
                self.routing.name(topic), value=env.model_dump_json().encode(), key=env.key.encode(),
                headers=[(k, v.encode()) for k, v in envelope_headers(env).items()])
            envelopes.append(env)
        return envelopes


@pytest.fixture
async def sender(stack, routing) -> AsyncIterator[Sender]:
    await kafka.ensure_topics(stack.bootstrap_servers, kafka.topic_specs(routing), 1)
    producer = kafka.new_producer(stack.bootstrap_servers, "polc-test-sender")
    await producer.start()
    try:
        yield Sender(producer, routing)
    finally:
        await producer.stop()


def stock_changed(sku: str, version: int, physical: int, reserved: int = 0, *, warehouse: str = WAREHOUSE,
                  kind: str = "goods_receipt", shop_id: str | None = None, shop_order_id: str | None = None,
                  document: str = "BEV-1") -> StockChanged:
    """A StockChanged as the ledger would publish it."""
    return StockChanged(
        warehouse_id=warehouse, sku=sku, version=version, physical=Decimal(physical), reserved=Decimal(reserved),
        free=Decimal(physical - reserved), incoming=Decimal(0), physical_change=Decimal(0),
        reserved_change=Decimal(0), incoming_change=Decimal(0),
        cause=StockChangeCause(kind=kind, document_id=document, shop_id=shop_id, shop_order_id=shop_order_id),
        changed_at=datetime.now(UTC))


async def start_push(settings: Settings, routing: Routing) -> ServiceRuntime:
    runtime = ServiceRuntime(build(settings), settings, routing)
    await runtime.__aenter__()
    return runtime


async def set_push_settings(runtime: ServiceRuntime, shop: str, **body: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{runtime.http.port}", timeout=30) as client:
        resp = await client.put(f"/shops/{shop}/settings", json={"fence": "off", **body})
        resp.raise_for_status()
        return resp.json()


async def outbox_messages(runtime: ServiceRuntime, message_type: str) -> list[dict[str, Any]]:
    async with runtime.pool.acquire() as conn:
        rows = await conn.fetch("SELECT body FROM outbox WHERE message_type = $1 ORDER BY id", message_type)
    return [Envelope.model_validate_json(bytes(r["body"])).payload for r in rows]


@pytest.fixture
async def push(push_settings, routing) -> AsyncIterator[Callable[..., Any]]:
    """Start webshop_push instances for this test; all are stopped at its end."""
    runtimes: list[ServiceRuntime] = []

    async def start(**overrides: Any) -> ServiceRuntime:
        runtime = await start_push(push_settings(**overrides), routing)
        runtimes.append(runtime)
        return runtime

    yield start
    for runtime in reversed(runtimes):
        await runtime.__aexit__(None, None, None)


def stock_writes(control: Control, shop: str, sku: str) -> list[Decimal]:
    """Every stock1 value the shop accepted for the SKU, in arrival order."""
    pid = control.product(shop, sku)["id"]
    return [Decimal(str(w["body"]["stock1"])) for w in control.writes(shop)
            if pid in w["path"] and w["status"] < 300 and isinstance(w["body"], dict) and "stock1" in w["body"]]


async def pending_rows(runtime: ServiceRuntime) -> list[Any]:
    async with runtime.pool.acquire() as conn:
        return await conn.fetch("SELECT * FROM pending_writes")
