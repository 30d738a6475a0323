"""Outbox -> broker -> subscriber: throughput and end-to-end latency through the real runtime.

Starts embedded PostgreSQL and the Tansu broker (or uses ``DATABASE_URL`` /
``KAFKA_BOOTSTRAP_SERVERS``), runs a sender service whose outbox relay publishes and a receiver
service whose subscriber stores each message in one transaction with its inbox row, and prints:

- throughput: N messages committed in transactions of B, until the last is handled;
- latency: single-message transactions at a steady rate, from the sender's commit
  (outbox.created_at) to the receiver's transaction (both clocks are the same server's), p50/p99.

    .venv/bin/python bench/outbox_throughput.py [--messages 10000] [--batch 100] [--latency-samples 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._stack import bench_stack  # noqa: E402
from polc.runtime.outbox import enqueue  # noqa: E402
from polc.runtime.routing import Routing  # noqa: E402
from polc.runtime.service import ServiceRuntime  # noqa: E402
from polc.runtime.settings import ServiceSettings  # noqa: E402
from tests.support.ping import PING_TOPIC, Ping, receiver_spec, sender_spec  # noqa: E402


async def count_received(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM test_receiver.received")


async def wait_count(conn: asyncpg.Connection, n: int, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while await count_received(conn) < n:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {await count_received(conn)} of {n} messages arrived")
        await asyncio.sleep(0.02)


async def run(args: argparse.Namespace, dsn: str, bootstrap: str) -> None:
    settings = ServiceSettings(database_url=dsn, kafka_bootstrap_servers=bootstrap, http_port=0,
                               kafka_topic_prefix=f"bench{uuid.uuid4().hex[:6]}.", outbox_poll_interval_s=0.5)
    routing = Routing([PING_TOPIC], settings.kafka_topic_prefix)
    async with ServiceRuntime(sender_spec(), settings, routing) as sender, \
            ServiceRuntime(receiver_spec(), settings, routing):
        probe = await asyncpg.connect(dsn)
        try:
            # Warm-up: the receiver's group join and the first fetch are not part of the figures.
            await send(sender, [Ping(stream="warmup", seq=0)])
            await wait_count(probe, 1)

            started = time.perf_counter()
            for start in range(0, args.messages, args.batch):
                await send(sender, [Ping(stream=f"s{i % 64}", seq=i)
                                    for i in range(start, min(start + args.batch, args.messages))])
            committed = time.perf_counter()
            await wait_count(probe, 1 + args.messages)
            done = time.perf_counter()
            print(f"throughput: {args.messages} messages in transactions of {args.batch}: "
                  f"committed in {committed - started:.2f}s, handled end to end in {done - started:.2f}s "
                  f"= {args.messages / (done - started):,.0f} msg/s")

            base = await count_received(probe)
            for i in range(args.latency_samples):
                await send(sender, [Ping(stream="latency", seq=i)])
                await asyncio.sleep(1 / args.latency_rate)
            await wait_count(probe, base + args.latency_samples)
            rows = await probe.fetch(
                "SELECT extract(epoch FROM r.received_at - o.created_at) * 1000 AS ms"
                " FROM test_receiver.received r JOIN test_sender.outbox o USING (message_id)"
                " WHERE r.stream = 'latency'")
            ms = sorted(float(r["ms"]) for r in rows)
            print(f"latency: {len(ms)} single-message transactions at {args.latency_rate}/s, commit to handled: "
                  f"p50 {statistics.median(ms):.1f} ms, p99 {ms[int(len(ms) * 0.99) - 1]:.1f} ms, max {ms[-1]:.1f} ms")
        finally:
            await probe.close()


async def send(sender: ServiceRuntime, pings: list[Ping]) -> None:
    async with sender.pool.acquire() as conn, conn.transaction():
        await enqueue(conn, pings, routing=sender.routing, producer="test_sender", schema="test_sender")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--latency-samples", type=int, default=300)
    parser.add_argument("--latency-rate", type=float, default=50.0, help="single messages per second")
    args = parser.parse_args()
    with bench_stack() as (dsn, bootstrap, _, described):
        print(described)
        asyncio.run(run(args, dsn, bootstrap))


if __name__ == "__main__":
    main()
