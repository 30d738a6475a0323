"""order_ingest against the simulator at ShopRenter's real 3 requests/s: orders per second per shop.

Starts PostgreSQL and the broker (``bench/_stack.py``: embedded unless ``DATABASE_URL`` /
``KAFKA_BOOTSTRAP_SERVERS`` are set), the ShopRenter simulator as a process of its own (it is
the shop: rendering its answers must not take the ingest process's CPU) with one shop per run
and N orders waiting in each, and for each run one order_ingest instance on a fresh database.
A run times the shop's first poll, from the moment the shop is enabled until every order is
filed and the cursor saved (on the database's clock), and prints the orders per second of that
one shop, the API requests spent per order (counted by the simulator), the mean answer latency
the client saw, and the CPU the ingest process (this one) and the simulator used.

Two bounds, with R = the API requests the poll spent (a request the shop refused with 429 and
that was sent again is not counted):

- the **rate limit**: 3 requests per second allow ``N / (R / 3)`` orders per second. This is
  the bound the target (90 %) refers to. A page of ``/orderExtend`` holds 200 orders with
  lines and totals; new products and registered customers cost one Batch API request per 200;
  statuses and tax classes one request each.
- the **pacing** polc keeps: a call holds one of 3 lanes until its answer is in, and the lane
  opens 1.02 s later (``polc/shoprenter/ratelimit.py``), so no second on the shop's side ever
  holds 4 calls whatever the delays. With the answer latency L measured by the client, R calls
  take at least ``ceil(R/3) * L + (ceil(R/3) - 1) * 1.02`` seconds.

    .venv/bin/python bench/order_ingest_throughput.py [--orders 3000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from prometheus_client import REGISTRY

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import bench_stack  # noqa: E402
from contracts.registry import ALL_TOPICS  # noqa: E402
from polc.runtime.routing import Routing  # noqa: E402
from polc.runtime.secrets import new_key  # noqa: E402
from polc.runtime.service import ServiceRuntime  # noqa: E402
from polc.shoprenter_sim import ShopSpec  # noqa: E402
from services.order_ingest.app import Settings, build  # noqa: E402

RATE = 3.0  # requests per second per shop (ShopRenter)
LANES = 3
WINDOW = 1.02  # seconds a lane stays closed after its answer (RateLimit period + margin)


@dataclass
class Run:
    shop: str
    orders: int
    filed: int
    held: int
    elapsed: float
    requests: int
    needed: int
    latency: float

    @property
    def rate(self) -> float:
        return self.filed / self.elapsed

    @property
    def bound(self) -> float:
        """Orders per second the 3 requests/s allow with the requests this poll needed."""
        return self.orders / (self.needed / RATE)

    @property
    def paced_bound(self) -> float:
        """Orders per second the completion-anchored pacing allows at the measured latency."""
        rounds = math.ceil(self.needed / LANES)
        return self.orders / (rounds * self.latency + (rounds - 1) * WINDOW)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Simulator:
    base: str
    pid: int


@contextlib.contextmanager
def simulator(shops: list[str], orders: int, folder: Path) -> Iterator[Simulator]:
    """The simulator in a process of its own, its shops seeded with ``orders`` orders each."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    log = (folder / "shoprenter-simulator.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "polc.shoprenter_sim", "--host", "127.0.0.1", "--port", str(port),
         "--shops", ",".join(shops), "--seed", "7", "--seed-orders", str(orders)],
        stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).resolve().parent.parent)
    try:
        deadline = time.monotonic() + 60 + orders / 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the simulator exited with {process.returncode}; see {log.name}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/_control/shops/{shops[-1]}/stats", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"the simulator did not start; see {log.name}")
            time.sleep(0.2)
        yield Simulator(base, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


async def run(admin_dsn: str, bootstrap: str, simulated: Simulator, shop: str, orders: int) -> Run:
    sim = simulated.base
    name = f"bench_{shop}_{int(time.time())}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    dsn = admin_dsn.rsplit("/", 1)[0] + f"/{name}"
    settings = Settings(database_url=dsn, kafka_bootstrap_servers=bootstrap, kafka_topic_prefix=f"{name}.",
                        http_port=0, scheduler_tick_s=0.05, default_poll_interval_s=3600, secrets_key=new_key())
    creds = ShopSpec(name=shop).credentials
    async with ServiceRuntime(build(settings), settings, Routing(ALL_TOPICS, f"{name}.")) as rt, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.http.port}", timeout=3600) as http:
        resp = await http.post("/shops", json={
            "shop_id": shop, "api_base_url": f"{sim}/{shop}/api", "token_url": f"{sim}/oauth/{shop}/app/token",
            "client_id": creds["client_id"], "client_secret": creds["client_secret"], "warehouse_id": "BP1",
            "first_sync_from": "2000-01-01T00:00:00+00:00", "poll_interval_s": 3600, "enabled": False})
        resp.raise_for_status()
        before = httpx.get(f"{sim}/_control/shops/{shop}/stats").json()
        # Timed on the database's clock, from before the shop is enabled to the cursor's save, and
        # looked at rarely, so watching costs the service's event loop next to nothing.
        conn = await asyncpg.connect(dsn, server_settings={"search_path": "order_ingest"})
        try:
            started = await conn.fetchval("SELECT clock_timestamp()")
            cpu = time.process_time(), cpu_seconds(simulated.pid)
            (await http.patch(f"/shops/{shop}", json={"enabled": True})).raise_for_status()
            while (done := await conn.fetchrow(
                    "SELECT polls, last_success_at FROM sync_cursors WHERE shop_id = $1", shop))["polls"] < 1:
                await asyncio.sleep(0.25)
            elapsed = (done["last_success_at"] - started).total_seconds()
            cpu = time.process_time() - cpu[0], cpu_seconds(simulated.pid) - cpu[1]
            filed = await conn.fetchval("SELECT count(*) FROM orders WHERE shop_id = $1", shop)
            held = await conn.fetchval("SELECT count(*) FROM review_items WHERE shop_id = $1 AND state = 'open'", shop)
        finally:
            await conn.close()
    after = httpx.get(f"{sim}/_control/shops/{shop}/stats").json()
    requests = after["requests"] - before["requests"]
    refused = after["rate_limited"] - before["rate_limited"]
    labels = {"shop_id": shop}
    answered = REGISTRY.get_sample_value("polc_shoprenter_request_seconds_count", labels) or 1
    latency = (REGISTRY.get_sample_value("polc_shoprenter_request_seconds_sum", labels) or 0.0) / answered
    result = Run(shop, orders, filed, held, elapsed, requests, requests - refused, latency)
    print(f"[{shop}] orders filed:     {filed} of {orders} ({held} in review)")
    print(f"[{shop}] elapsed:          {elapsed:.2f} s  ->  {result.rate:.1f} orders/s for this shop")
    print(f"[{shop}] API requests:     {requests} ({requests / max(filed, 1):.4f} per order); simulator peak "
          f"{after['peak_requests_per_second']} req/s, {refused} refused with 429")
    print(f"[{shop}] CPU:              ingest process {1000 * cpu[0] / max(filed, 1):.2f} ms per order, "
          f"simulator {1000 * cpu[1] / max(requests, 1):.0f} ms per request ({os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f})")
    print(f"[{shop}] answer latency:   {1000 * latency:.0f} ms mean over {answered:.0f} calls, as the pacer sees it")
    print(f"[{shop}] rate-limit bound: {result.bound:.1f} orders/s ({orders} orders / ({result.needed} requests "
          f"/ {RATE:g} req/s)); measured / bound {100 * result.rate / result.bound:.0f} %")
    print(f"[{shop}] pacing bound:     {result.paced_bound:.1f} orders/s at that latency; measured / pacing bound "
          f"{100 * result.rate / result.paced_bound:.0f} %")
    return result


async def main(orders: int, runs: int) -> None:
    shops = [f"bench{i}" for i in range(runs)]
    with bench_stack() as (dsn, bootstrap, folder, described):
        print(described)
        with simulator(shops, orders, folder) as sim:
            print(f"simulator ready: {runs} shop(s) of {orders} orders, own process; load average "
                  f"{os.getloadavg()[0]:.1f}")
            results = [await run(dsn, bootstrap, sim, shop, orders) for shop in shops]
    rates = [r.rate for r in results]
    best, median = max(rates), statistics.median(rates)
    bound = min(r.bound for r in results)
    print(f"\n{runs} run(s) of {orders} orders, one shop each: best {best:.1f} orders/s, median {median:.1f}; "
          f"rate-limit bound {bound:.1f} orders/s: best {100 * best / bound:.0f} %, median "
          f"{100 * median / bound:.0f} % (target 90 %); requests per order "
          f"{statistics.median(r.requests / max(r.filed, 1) for r in results):.4f}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.runs))
