"""Several processes talking to one shop stay within its 3 requests/s together."""

from __future__ import annotations

import asyncio
import uuid

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


async def test_the_next_call_waits_a_window_after_a_completion_from_any_process(database):
    rate = RateLimit(requests=3, period_seconds=0.3, margin_seconds=0.0, allow_above_shoprenter_limit=True)
    pools = [await asyncpg.create_pool(database, min_size=1, max_size=3) for _ in range(3)]
    pacers = [PostgresPacer(pool) for pool in pools]
    spans: list[tuple[float, float]] = []
    loop = asyncio.get_running_loop()
    try:
        async def call(pacer: PostgresPacer, duration: float) -> None:
            async with pacer.lane("spans", rate, lease_seconds=10):
                start = loop.time()
                await asyncio.sleep(duration)  # a slow answer keeps its lane closed
                spans.append((start, loop.time()))

        await asyncio.gather(*(call(pacers[i % 3], 0.02 + 0.08 * (i % 3)) for i in range(12)))
    finally:
        for pool in pools:
            await pool.close()
    starts = sorted(s for s, _ in spans)
    ends = sorted(e for _, e in spans)
    assert len(starts) == 12
    for i in range(3, len(starts)):
        assert starts[i] - ends[i - 3] >= 0.3 - 0.01  # the two clocks (database, loop) differ by rounding only


async def test_a_lane_held_by_a_dead_process_opens_after_its_lease(database):
    rate = RateLimit(requests=1, period_seconds=0.2, margin_seconds=0.0, allow_above_shoprenter_limit=True)
    dead_pool = await asyncpg.create_pool(database, min_size=1, max_size=1)
    live_pool = await asyncpg.create_pool(database, min_size=1, max_size=1)
    try:
        dead = PostgresPacer(dead_pool)
        taken_at = asyncio.get_running_loop().time()
        await dead.take("lease", rate, lease_seconds=0.5, holder=uuid.uuid4())  # never released
        await dead_pool.close()
        async with PostgresPacer(live_pool).lane("lease", rate, lease_seconds=5):
            waited = asyncio.get_running_loop().time() - taken_at
    finally:
        await live_pool.close()
    assert waited >= 0.5 + 0.2 - 0.01
