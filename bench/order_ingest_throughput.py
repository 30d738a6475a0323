"""order_ingest against the simulator at ShopRenter's real 3 requests/s: orders per second per shop.

Starts embedded PostgreSQL and the broker (tests/support/stack.py), a simulated shop with the
real rate limit and N orders waiting, one order_ingest instance, and times one requested sync
until every order is filed. Prints orders/s, API requests per order, and the bound the rate
limit allows.

The bound: a poll reads ``/orderExtend`` pages of 200 orders with lines and totals embedded
(1 request per 200 orders); products and registered customers not seen before are fetched in
one Batch API request per 200 (a batch counts as one request). With P pages, B batches and a
fixed 2 requests per poll (statuses, tax classes), the rate limit allows
``N / ((P + B + 2) / 3)`` orders per second; the target is 90 % of that.

    .venv/bin/python bench/order_ingest_throughput.py [--orders 2000]
"""

from __future__ import annotations

import argparse
import asyncio
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


async def main(orders: int) -> None:
    stack = TestStack(Path(tempfile.mkdtemp(prefix="bench-ingest-")))
    await stack.start()
    try:
        with BackgroundSimulator([ShopSpec(name="bench", seed=7, seed_orders=orders)]) as sim:
            await run(stack, sim, orders)
    finally:
        await stack.stop()


async def run(stack: TestStack, sim: BackgroundSimulator, orders: int) -> None:
    import asyncpg

    name = f"bench_{int(time.time())}"
    admin = await asyncpg.connect(stack.admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    settings = Settings(database_url=stack.admin_dsn.rsplit("/", 1)[0] + f"/{name}",
                        kafka_bootstrap_servers=stack.bootstrap_servers, kafka_topic_prefix=f"{name}.",
                        http_port=0, scheduler_tick_s=0.1, default_poll_interval_s=3600)
    async with ServiceRuntime(build(settings), settings, Routing(ALL_TOPICS, f"{name}.")) as rt:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.http.port}", timeout=3600) as http:
            await http.put("/vat-keys/AAM", json={"category": "EXEMPTION", "nav_case": "AAM"})
            creds = sim.credentials("bench")
            resp = await http.post("/shops", json={
                "shop_id": "bench", "api_base_url": sim.api_base_url("bench"), "token_url": sim.token_url("bench"),
                "client_id": creds["client_id"], "client_secret": creds["client_secret"], "warehouse_id": "BP1",
                "first_sync_from": "2000-01-01T00:00:00+00:00", "poll_interval_s": 3600, "enabled": False})
            resp.raise_for_status()
            before = httpx.get(f"{sim.base_url}/_control/shops/bench/stats").json()["requests"]
            started = time.perf_counter()
            (await http.patch("/shops/bench", json={"enabled": True})).raise_for_status()
            while True:
                status = (await http.get("/sync")).json()["shops"][0]
                if status["polls"] >= 1:
                    break
                await asyncio.sleep(0.05)
            elapsed = time.perf_counter() - started
            filed = len((await http.get("/orders", params={"limit": 1000000})).json()["orders"])
            held = len((await http.get("/review")).json()["items"])
    stats = httpx.get(f"{sim.base_url}/_control/shops/bench/stats").json()
    api = stats["requests"] - before
    print(f"orders filed:         {filed} of {orders} ({held} in review)")
    print(f"elapsed:              {elapsed:.2f} s  ->  {filed / elapsed:.1f} orders/s")
    print(f"API requests:         {api} ({api / max(filed, 1):.4f} per order); simulator peak "
          f"{stats['peak_requests_per_second']} req/s, {stats['rate_limited']} rate-limited")
    bound = filed / max(api / 3.0, 1e-9)
    print(f"rate-limit bound:     {bound:.1f} orders/s with these {api} requests at 3 req/s")
    print(f"achieved / bound:     {100 * (filed / elapsed) / max(bound, 1e-9):.0f} %")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    asyncio.run(main(parser.parse_args().orders))
