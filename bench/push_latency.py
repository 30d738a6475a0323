"""webshop_push: receipt-to-shop latency and product updates per second per shop at saturation.

Starts embedded PostgreSQL and the Tansu broker (or uses ``DATABASE_URL`` /
``KAFKA_BOOTSTRAP_SERVERS``) and a ShopRenter simulator shop at the real 3 requests/s, creates
N products in the shop, runs webshop_push in-process and plays the ledger (StockChanged) and
order_ingest (a SyncCompleted whose watermark covers the run, so the fence is open).

- Latency: one StockChanged at a time (light load); time from the ledger's ``changed_at`` to
  the simulator showing the new stock. Prints p50/p99.
- Saturation: every SKU changed while only the subscriber runs, then a pusher starts; shop
  writes per second from its first to its last write. 3 batch requests/s of 200 items allow
  600/s; the target is at least 90 % of that.

    .venv/bin/python bench/push_latency.py [--products 3000] [--samples 40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import bench_stack  # noqa: E402
from contracts.registry import ALL_TOPICS  # noqa: E402
from contracts.sync import SyncCompleted  # noqa: E402
from polc.runtime import kafka  # noqa: E402
from polc.runtime.routing import Routing  # noqa: E402
from polc.runtime.secrets import new_key  # noqa: E402
from polc.runtime.service import ServiceRuntime  # noqa: E402
from polc.shoprenter import BatchRequest, ShopConnection, ShopRenterClient, run_batch  # noqa: E402
from polc.shoprenter_sim import BackgroundSimulator, ShopSpec  # noqa: E402
from services.webshop_push.app import Settings, build  # noqa: E402
from tests.integration.webshop_push.conftest import Control, Registry, Sender, stock_changed  # noqa: E402

SHOP = "bench"


async def create_products(sim: BackgroundSimulator, skus: list[str]) -> None:
    creds = sim.credentials(SHOP)
    conn = ShopConnection(shop_id=SHOP, api_base_url=sim.api_base_url(SHOP), token_url=sim.token_url(SHOP),
                          client_id=creds["client_id"], client_secret=creds["client_secret"])
    async with ShopRenterClient(conn) as client:
        requests = [BatchRequest(method="POST", path="products", data={"sku": s, "price": 1000, "stock1": 0,
                                                                        "subtractStock": 1}) for s in skus]
        (await run_batch(client, requests)).raise_for_failures()


async def wait_until(predicate, timeout: float = 300.0, every: float = 0.01) -> float:
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(every)
    return time.monotonic()


async def run(args: argparse.Namespace, dsn: str, bootstrap: str) -> None:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    routing = Routing(ALL_TOPICS, prefix)
    skus = [f"BENCH-{i:05}" for i in range(args.products)]
    base = dict(database_url=dsn, kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=prefix, http_port=0,
                outbox_poll_interval_s=0.2, secrets_key=new_key())
    with BackgroundSimulator([ShopSpec(name=SHOP, seed_orders=0)]) as sim:
        control = Control(sim)
        await create_products(sim, skus)
        await Registry(dsn, sim).add_shop(SHOP)
        await kafka.ensure_topics(bootstrap, kafka.topic_specs(routing), 1)
        producer = kafka.new_producer(bootstrap, "polc-bench")
        await producer.start()
        sender = Sender(producer, routing)
        probe = await asyncpg.connect(dsn, server_settings={"search_path": "webshop_push"})

        async def pending() -> int:
            return await probe.fetchval("SELECT count(*) FROM pending_writes")

        try:
            settings = Settings(**base)
            async with ServiceRuntime(build(settings), settings, routing) as rt:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.http.port}") as api:
                    (await api.put(f"/shops/{SHOP}/settings", json={"fence": "sync"})).raise_for_status()
                now = datetime.now(UTC)
                await sender.send(SyncCompleted(
                    shop_id=SHOP, trigger="schedule", started_at=now, finished_at=now,
                    watermark=now + timedelta(hours=6), orders_received=0, orders_changed=0, orders_quarantined=0,
                    api_requests=0, order_ids=()), producer="order_ingest")
                # Initial sync: every SKU once, which also fills the SKU -> product id map.
                await sender.send(*[stock_changed(s, 1, physical=1) for s in skus])
                await wait_until(lambda: _settled(probe, len(skus)), every=0.2)
                latencies = []
                for n in range(args.samples):
                    sku = skus[n % len(skus)]
                    msg = stock_changed(sku, 2 + n, physical=100 + n)
                    await sender.send(msg)
                    await wait_until(lambda: _shows(control, sku, 100 + n))
                    latencies.append((datetime.now(UTC) - msg.changed_at).total_seconds())
            # Saturation: a backlog of one write per SKU, then one pusher drains it.
            settings_loader = Settings(**base, pusher_enabled=False)
            async with ServiceRuntime(build(settings_loader), settings_loader, routing):
                await sender.send(*[stock_changed(s, 1000, physical=500) for s in skus])
                await wait_until(lambda: _backlog(probe, len(skus)), every=0.2)
            before = control.stats(SHOP)["writes"]
            settings = Settings(**base)
            async with ServiceRuntime(build(settings), settings, routing):
                first = await wait_until(lambda: _writes_above(control, before), every=0.005)
                at_first = control.stats(SHOP)["writes"] - before
                last = await wait_until(lambda: _drained(pending), every=0.05)
            stats = control.stats(SHOP)
        finally:
            await probe.close()
            await producer.stop()
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[min(len(latencies) - 1, int(round(0.99 * (len(latencies) - 1))))]
    # Counted from the first confirmed batch on: its items were written before the clock started.
    rate = (len(skus) - at_first) / (last - first)
    print(f"receipt-to-shop latency over {len(latencies)} changes (light load): p50 {p50 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms (target p99 < 2000 ms)")
    print(f"saturation: {len(skus) - at_first} product updates in {last - first:.2f} s = {rate:.0f} updates/s for one shop "
          f"({rate / 600 * 100:.0f} % of 3 batch requests/s x 200 items; target >= 90 %)")
    print(f"simulator peak {stats['peak_requests_per_second']} requests/s, {stats['rate_limited']} rate-limited, "
          f"{stats['batch_overlaps']} batch overlaps")
    print("the fence was held open by a standing ingest watermark; a live fence adds one order_ingest poll per round")


async def _settled(probe: asyncpg.Connection, n: int) -> bool:
    return await probe.fetchval("SELECT count(*) FROM pushed_state WHERE kind = 'stock'") >= n and \
        await probe.fetchval("SELECT count(*) FROM pending_writes") == 0


async def _backlog(probe: asyncpg.Connection, n: int) -> bool:
    return await probe.fetchval("SELECT count(*) FROM pending_writes WHERE version = 1000") >= n


async def _shows(control: Control, sku: str, value: int) -> bool:
    return control.stock(SHOP, sku) == Decimal(value)


async def _writes_above(control: Control, before: int) -> bool:
    return control.stats(SHOP)["writes"] > before


async def _drained(pending) -> bool:
    return await pending() == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=3000)
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    with bench_stack() as (dsn, bootstrap, _, described):
        print(described)
        asyncio.run(run(args, dsn, bootstrap))


if __name__ == "__main__":
    main()
