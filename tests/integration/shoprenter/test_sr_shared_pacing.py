"""Several processes talking to one shop stay within its 3 requests/s together."""

from __future__ import annotations

import asyncio

import asyncpg

from polc.shoprenter import RateLimit, ShopConnection, ShopRegistry, ShopRenterClient
from polc.shoprenter.shared_pacing import PostgresPacer
from tests.integration.shoprenter.conftest import FAST_RETRY


async def test_processes_sharing_the_pacer_never_exceed_the_shop_limit(sim, control, database):
    creds = sim.credentials("shared")
    connection = ShopConnection(
        shop_id="shared", api_base_url=sim.api_base_url("shared"), token_url=sim.token_url("shared"),
        client_id=creds["client_id"], client_secret=creds["client_secret"], retry=FAST_RETRY,
        rate_limit=RateLimit(),
    )
    # Three "processes": each has its own registry (its own in-process limiter) and its own pool.
    pools = [await asyncpg.create_pool(database, min_size=1, max_size=2) for _ in range(3)]
    clients = [ShopRenterClient(connection, registry=ShopRegistry(pacer=PostgresPacer(pool))) for pool in pools]
    try:
        async def reads(client: ShopRenterClient) -> None:
            for page in range(6):
                await client.get("products", {"page": page % 2, "limit": 5})

        await asyncio.gather(*(reads(c) for c in clients))
    finally:
        for client in clients:
            await client.aclose()
        for pool in pools:
            await pool.close()
    stats = control.stats("shared")
    assert stats["requests"] >= 18
    assert stats["peak_requests_per_second"] <= 3
    assert stats["rate_limited"] == 0
