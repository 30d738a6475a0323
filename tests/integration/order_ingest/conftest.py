"""order_ingest against real PostgreSQL, the real broker and the ShopRenter simulator over HTTP."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from contracts.registry import ALL_TOPICS
from polc.runtime.routing import Routing
from polc.runtime.service import ServiceRuntime
from polc.shoprenter_sim import BackgroundSimulator, ShopSpec
from tests.support.simulator import SimulatorControl
from services.order_ingest.app import Settings, build

FAST = 100
SHOP_NAMES = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa", "lam", "mu"]


@pytest.fixture(scope="session")
def sim() -> Iterator[BackgroundSimulator]:
    specs = [ShopSpec(name=n, rate_limit_per_second=FAST, seed=i, seed_orders=0) for i, n in enumerate(SHOP_NAMES, 1)]
    with BackgroundSimulator(specs) as running:
        yield running


Control = SimulatorControl


@pytest.fixture(scope="session")
def control(sim: BackgroundSimulator) -> Control:
    return Control(sim)


@pytest.fixture
def shop_names(control: Control, request: pytest.FixtureRequest) -> Callable[[int], list[str]]:
    """Fresh simulated shops for this test (reset to the seed state, no orders)."""

    def take(n: int) -> list[str]:
        names = SHOP_NAMES[:n]
        for name in names:
            control.reset(name)
        return names

    return take


@pytest.fixture
def ingest_settings(make_settings) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        base = make_settings().model_dump()
        values = {**base, "scheduler_tick_s": 0.1, "allow_fast_shops": True, "shop_retry_base_s": 0.01,
                  "default_poll_interval_s": 3600.0, **overrides}
        return Settings(**values)

    return make


class Ingest:
    """A running order_ingest instance and its HTTP API."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{runtime.http.port}", timeout=60)

    async def add_shop(self, sim: BackgroundSimulator, shop: str, **extra: Any) -> dict[str, Any]:
        creds = sim.credentials(shop)
        body = {"shop_id": shop, "api_base_url": sim.api_base_url(shop), "token_url": sim.token_url(shop),
                "client_id": creds["client_id"], "client_secret": creds["client_secret"],
                "warehouse_id": f"WH-{shop.upper()}", "rate_limit_per_s": FAST,
                "first_sync_from": "2000-01-01T00:00:00+00:00", **extra}
        resp = await self.http.post("/shops", json=body)
        assert resp.status_code == 201, resp.text
        return resp.json()

    async def sync(self, shop: str | None = None) -> dict[str, Any]:
        resp = await self.http.post("/sync", json={"shop_id": shop, "wait": True, "timeout_s": 60})
        assert resp.status_code == 200, resp.text
        results = resp.json()["results"]
        assert all(r["state"] == "done" for r in results.values()), results
        return resp.json()

    async def orders(self, shop: str | None = None) -> list[dict[str, Any]]:
        params = {"shop": shop} if shop else {}
        return (await self.http.get("/orders", params=params)).json()["orders"]

    async def document(self, shop: str, order_id: str) -> dict[str, Any]:
        resp = await self.http.get(f"/orders/{shop}/{order_id}")
        assert resp.status_code == 200, resp.text
        return resp.json()["document"]

    async def review(self, state: str = "open") -> list[dict[str, Any]]:
        return (await self.http.get("/review", params={"state": state})).json()["items"]

    async def customers(self) -> list[dict[str, Any]]:
        return (await self.http.get("/customers")).json()["customers"]


@pytest.fixture
async def start_ingest(ingest_settings, topic_prefix) -> AsyncIterator[Callable[..., Any]]:
    """Start an order_ingest instance (several may run side by side on the same database)."""
    stack = contextlib.AsyncExitStack()

    async def start(**overrides: Any) -> Ingest:
        settings = ingest_settings(**overrides)
        runtime = await stack.enter_async_context(
            ServiceRuntime(build(settings), settings, Routing(ALL_TOPICS, topic_prefix)))
        ingest = Ingest(runtime)
        stack.push_async_callback(ingest.http.aclose)
        return ingest

    async with stack:
        yield start
