"""order_ingest against the simulator at ShopRenter's real 3 requests/s: orders per second per shop.

Starts embedded PostgreSQL and the broker (tests/support/stack.py), a simulated shop with the
real rate limit and N orders waiting, one order_ingest instance, and times its first poll
from the moment the shop is enabled until every order is filed and the cursor saved. Prints
orders/s, API requests per order, the bound the rate limit allows and the ratio.

The bound: a poll reads ``/orderExtend`` pages of 200 orders with lines and totals embedded
(1 request per 200 orders); products and registered customers not seen before are fetched in
one Batch API request per 200 (a batch counts as one request); statuses and tax classes are
1 request each. With R = the API requests the poll spent (counted by the simulator), the rate
limit alone allows ``N / (R / 3)`` orders per second (1000 orders: R = 9, 333 orders/s); the
target is 90 % of that.

The simulator runs in the bench's own process (a real shop does not cost its client CPU), so
on a loaded machine the figure is a lower bound for order_ingest.

    .venv/bin/python bench/order_ingest_throughput.py [--orders 1000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contracts.registry import ALL_TOPICS  # noqa: E402
from polc.runtime.routing import Routing  # noqa: E402
from polc.runtime.service import ServiceRuntime  # noqa: E402
from polc.shoprenter_sim import BackgroundSimulator, ShopSpec  # noqa: E402
from services.order_ingest.app import Settings, build  # noqa: E402
from tests.support.stack import TestStack  # noqa: E402

RATE = 3.0


async def main(orders: int, runs: int) -> None:
    stack = TestStack(Path(tempfile.mkdtemp(prefix="bench-ingest-")))
    await stack.start()
    results = []
    try:
        shops = [ShopSpec(name=f"bench{i}", seed=7, seed_orders=orders) for i in range(runs)]
        with BackgroundSimulator(shops) as sim:
            for i in range(runs):
                results.append(await run(stack, sim, f"bench{i}", orders))
    finally:
        await stack.stop()
    rates = [r for r, _ in results]
    bound = min(b for _, b in results)
    print(f"\n{runs} run(s) of {orders} orders: best {max(rates):.1f} orders/s, median {statistics.median(rates):.1f}; "
          f"bound {bound:.1f} orders/s; best/bound {100 * max(rates) / bound:.0f} %, "
          f"median/bound {100 * statistics.median(rates) / bound:.0f} % (target 90 %)")


async def run(stack: TestStack, sim: BackgroundSimulator, shop: str, orders: int) -> tuple[float, float]:
    import asyncpg

    name = f"bench_{shop}_{int(time.time())}"
    admin = await asyncpg.connect(stack.admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    settings = Settings(database_url=stack.admin_dsn.rsplit("/", 1)[0] + f"/{name}",
                        kafka_bootstrap_servers=stack.bootstrap_servers, kafka_topic_prefix=f"{name}.",
                        http_port=0, scheduler_tick_s=0.05, default_poll_interval_s=3600)
    async with ServiceRuntime(build(settings), settings, Routing(ALL_TOPICS, f"{name}.")) as rt:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.http.port}", timeout=3600) as http:
            creds = sim.credentials(shop)
            resp = await http.post("/shops", json={
                "shop_id": shop, "api_base_url": sim.api_base_url(shop), "token_url": sim.token_url(shop),
                "client_id": creds["client_id"], "client_secret": creds["client_secret"], "warehouse_id": "BP1",
                "first_sync_from": "2000-01-01T00:00:00+00:00", "poll_interval_s": 3600, "enabled": False})
            resp.raise_for_status()
            before = httpx.get(f"{sim.base_url}/_control/shops/{shop}/stats").json()["requests"]
            started = time.perf_counter()
            (await http.patch(f"/shops/{shop}", json={"enabled": True})).raise_for_status()
            while True:
                status = (await http.get("/sync")).json()["shops"][0]
                if status["polls"] >= 1:
                    break
                await asyncio.sleep(0.02)
            elapsed = time.perf_counter() - started
            filed = len((await http.get("/orders", params={"limit": 1000000})).json()["orders"])
            held = len((await http.get("/review")).json()["items"])
    stats = httpx.get(f"{sim.base_url}/_control/shops/{shop}/stats").json()
    api = stats["requests"] - before
    needed = api - stats["rate_limited"]  # a request the shop refused with 429 is sent again
    rate = filed / elapsed
    bound = orders / (needed / RATE)
    print(f"[{shop}] orders filed:     {filed} of {orders} ({held} in review)")
    print(f"[{shop}] elapsed:          {elapsed:.2f} s  ->  {rate:.1f} orders/s")
    print(f"[{shop}] API requests:     {api} ({api / max(filed, 1):.4f} per order); simulator peak "
          f"{stats['peak_requests_per_second']} req/s, {stats['rate_limited']} rate-limited")
    print(f"[{shop}] rate-limit bound: {bound:.1f} orders/s ({orders} orders / ({needed} requests / {RATE:g} req/s))")
    print(f"[{shop}] measured / bound: {100 * rate / bound:.0f} %")
    return rate, bound


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.runs))
