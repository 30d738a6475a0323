"""A real simulator on a free port (own thread and loop) and a factory for clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from polc.shoprenter import AuthMode, RateLimit, RetryPolicy, ShopConnection, ShopRegistry, ShopRenterClient
from polc.shoprenter_sim import BackgroundSimulator, ShopSpec
from tests.support.simulator import SimulatorControl

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


Control = SimulatorControl


@pytest.fixture(scope="session")
def control(sim: BackgroundSimulator) -> Control:
    return Control(sim)


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
