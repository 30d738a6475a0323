"""A real simulator on a free port (own thread and loop) and a factory for clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from polc.shoprenter import AuthMode, RateLimit, RetryPolicy, ShopConnection, ShopRegistry, ShopRenterClient
from polc.shoprenter_sim import BackgroundSimulator, ShopSpec

# Most shops allow a high rate so functional tests do not wait; "load" keeps the real 3/s.
FAST = 100
SHOPS = [ShopSpec(name=n, rate_limit_per_second=FAST, seed=i) for i, n in enumerate(
    ["auth", "basic", "page", "filters", "batch", "faults", "writes", "typed"], start=1)]
SHOPS.append(ShopSpec(name="load", seed=99))
SHOPS.append(ShopSpec(name="shared", seed=98))


@pytest.fixture(scope="session")
def sim() -> Iterator[BackgroundSimulator]:
    with BackgroundSimulator(SHOPS) as running:
        yield running


class Control:
    """The simulator's control API, for arranging and observing a test."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url

    def call(self, method: str, path: str, body: Any = None) -> Any:
        resp = httpx.request(method, f"{self.base}/_control{path}", json=body, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def faults(self, shop: str, **faults: Any) -> None:
        self.call("PUT", f"/shops/{shop}/faults", faults)

    def stats(self, shop: str) -> dict[str, Any]:
        return self.call("GET", f"/shops/{shop}/stats")

    def place_order(self, shop: str, **order: Any) -> dict[str, Any]:
        return self.call("POST", f"/shops/{shop}/orders", order)

    def product(self, shop: str, sku: str) -> dict[str, Any]:
        return self.call("GET", f"/shops/{shop}/products/{sku}")


@pytest.fixture(scope="session")
def control(sim: BackgroundSimulator) -> Control:
    return Control(sim.base_url)


FAST_RETRY = RetryPolicy(max_attempts=6, base_delay_seconds=0.01, max_delay_seconds=0.05, max_elapsed_seconds=10)


@pytest.fixture
async def connect(sim: BackgroundSimulator) -> AsyncIterator[Callable[..., ShopRenterClient]]:
    """Build clients against a simulated shop; each test gets its own shop registry."""
    registry = ShopRegistry()
    clients: list[ShopRenterClient] = []

    def make(shop: str, *, auth: AuthMode = AuthMode.OAUTH, real_rate: bool = False, **overrides: Any) -> ShopRenterClient:
        creds = sim.credentials(shop)
        values: dict[str, Any] = {
            "shop_id": shop, "api_base_url": sim.api_base_url(shop), "auth_mode": auth,
            "token_url": sim.token_url(shop), "client_id": creds["client_id"], "client_secret": creds["client_secret"],
            "username": creds["username"], "password": creds["password"], "retry": FAST_RETRY,
            "rate_limit": RateLimit() if real_rate else RateLimit(requests=FAST // 2, allow_above_shoprenter_limit=True),
        }
        values.update(overrides)
        client = ShopRenterClient(ShopConnection.model_validate(values), registry=registry)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
