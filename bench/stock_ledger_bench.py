"""Stock ledger throughput through the broker: movements per second, and the time to reserve orders.

Starts PostgreSQL and the broker the tests use (``POLC_TEST_BROKER``; ``POLC_TEST_DATABASE_URL`` /
``POLC_TEST_KAFKA`` point at running ones), runs one ledger in-process, publishes goods receipts
with ``--lines`` lines each (one movement per line) and then ``--orders`` OrderReceived, and
measures from the first publish until the ledger has committed the last one (inbox, movements,
reservations and the StockChanged outbox rows in the same transactions). For each phase it also
prints the CPU time per message of this process (the ledger with its relay, and the bench's
producer), of PostgreSQL and of the broker, which varies less than wall-clock time on a shared
machine, and how soon the relay has published every StockChanged.

    .venv/bin/python -m bench.stock_ledger_bench --receipts 1000 --lines 20 --orders 10000
    .venv/bin/python -m bench.stock_ledger_bench --backlog   # the ledger alone draining receipts
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import tempfile
import time
import sys
import uuid
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository's test helpers

from contracts.registry import ALL_TOPICS  # noqa: E402
from polc.runtime import kafka
from polc.runtime.outbox import envelope_headers, new_envelope
from polc.runtime.routing import Routing
from polc.runtime.service import ServiceRuntime
from services.stock_ledger.app import Settings, build
from tests.integration.stock_ledger import messages as m
from tests.support.stack import TestStack


async def publish(producer, routing: Routing, messages) -> None:
    sends = []
    for payload in messages:
        topic = routing.topic_for(type(payload))
        env = new_envelope(payload, key=topic.key_for(payload), producer="bench")
        sends.append(await producer.send(routing.name(topic), value=env.model_dump_json().encode(),
                                         key=env.key.encode(),
                                         headers=[(k, v.encode()) for k, v in envelope_headers(env).items()]))
    await asyncio.gather(*sends)


def _cpu_of_tree(root: int) -> float:
    """CPU seconds of process ``root`` (with its reaped children) and its live children."""
    tick = os.sysconf("SC_CLK_TCK")

    def stat(pid: int) -> tuple[int, list[int]]:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[1]), [int(x) for x in fields[11:15]]  # ppid; utime, stime, cutime, cstime

    total = sum(stat(root)[1]) / tick
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid, times = stat(int(entry))
            except (OSError, IndexError, ValueError):
                continue
            if ppid == root:
                total += (times[0] + times[1]) / tick
    return total


class CpuMeter:
    """CPU time used by this process (the ledger, its relay and the bench), the embedded PostgreSQL
    and the embedded broker; wall-clock figures on a shared machine vary, CPU per message less so."""

    def __init__(self, stack: TestStack) -> None:
        self.pids: dict[str, int] = {}
        pgdata = str(stack.workdir / "pgdata")
        for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
            with contextlib.suppress(OSError):
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
                if entry.isdigit() and cmdline[0].endswith(b"postgres") and pgdata.encode() in cmdline:
                    self.pids["postgres"] = int(entry)
        if stack.tansu is not None and stack.tansu.process is not None:
            self.pids["broker"] = stack.tansu.process.pid

    def read(self) -> dict[str, float]:
        times = os.times()
        return {"ledger process": times.user + times.system,
                **{name: _cpu_of_tree(pid) for name, pid in self.pids.items()}}

    @staticmethod
    def report(before: dict[str, float], after: dict[str, float], messages: int) -> str:
        parts = [f"{name} {(after[name] - before[name]) / messages * 1000:.2f}" for name in before]
        return "  CPU ms per message: " + ", ".join(parts)


async def wait_until(conn: asyncpg.Connection, sql: str, target: int) -> None:
    while await conn.fetchval(sql) < target:
        await asyncio.sleep(0.1)


async def report_relay(conn: asyncpg.Connection, phase: str, started: float, events_before: int) -> int:
    """Wait until the relay has published every StockChanged so far, print its rate; the events so far."""
    backlog = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    drain_started = time.perf_counter()
    await wait_until(conn, "SELECT (NOT EXISTS (SELECT FROM outbox WHERE published_at IS NULL))::int", 1)
    done = time.perf_counter()
    events = await conn.fetchval("SELECT count(*) FROM outbox")
    print(f"  relay: {backlog} StockChanged still unpublished when the last {phase} was booked, published "
          f"{done - drain_started:.2f}s later; all {events - events_before} of the {phase} published "
          f"{done - started:.2f}s after the first was sent ({(events - events_before) / (done - started):,.0f}/s)")
    return events


async def run(args: argparse.Namespace) -> None:
    stack = TestStack(Path(tempfile.mkdtemp(prefix="polc-bench-")))
    await stack.start()
    try:
        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(stack.admin_dsn)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        dsn = stack.admin_dsn.rsplit("/", 1)[0] + f"/{name}"
        settings = Settings(database_url=dsn, kafka_bootstrap_servers=stack.bootstrap_servers,
                            kafka_topic_prefix=f"{name}.", http_port=0, db_pool_size=args.pool)
        routing = Routing(ALL_TOPICS, settings.kafka_topic_prefix)
        skus = [f"SKU-{i:05d}" for i in range(args.skus)]
        receipts = [m.receipt(f"R-{i}", {skus[(i * args.lines + j) % len(skus)]: 50 for j in range(args.lines)},
                              warehouse=f"W{i % args.warehouses}") for i in range(args.receipts)]
        movements = sum(len(r.lines) for r in receipts)
        meter = CpuMeter(stack)
        producer = kafka.new_producer(stack.bootstrap_servers, "bench")
        await producer.start()
        if args.backlog:
            # The receipts wait on the broker before the ledger starts: what is timed is the
            # ledger draining them, without this process's producer sharing the cores.
            await publish(producer, routing, receipts)
        async with ServiceRuntime(build(settings), settings, routing):
            conn = await asyncpg.connect(dsn, server_settings={"search_path": "stock_ledger"})
            try:
                done_sql = "SELECT count(*) FROM documents WHERE kind = 'goods_receipt'"
                if args.backlog:
                    # From the start of the first transaction that booked receipts (the consumer
                    # group has joined) until the last one is seen committed, on the database clock.
                    cpu = meter.read()
                    while await conn.fetchval(done_sql) < args.receipts:
                        await asyncio.sleep(0.01)
                    took = await conn.fetchval("SELECT extract(epoch FROM clock_timestamp() - min(booked_at))::float8"
                                               " FROM documents WHERE kind = 'goods_receipt'")
                    started = time.perf_counter() - took
                else:
                    cpu, started = meter.read(), time.perf_counter()
                    await publish(producer, routing, receipts)
                    # A receipt's document row commits with its movements; counting documents is cheaper.
                    await wait_until(conn, done_sql, args.receipts)
                    took = time.perf_counter() - started
                timed, timed_receipts = movements, args.receipts
                assert await conn.fetchval("SELECT count(*) FROM movements") == movements
                how = "drained from a backlog" if args.backlog else "published and booked"
                print(f"receipts ({how}): {timed_receipts} messages x {args.lines} lines = {timed} movements "
                      f"in {took:.2f}s -> {timed / took:,.0f} movements/s ({timed_receipts / took:,.0f} messages/s)")
                print(meter.report(cpu, meter.read(), timed_receipts))
                events = await report_relay(conn, "receipt", started, 0)

                orders = [m.order(f"b{i}", {skus[i % len(skus)]: 1, skus[(i * 7 + 1) % len(skus)]: 2},
                                  warehouse=f"W{i % args.warehouses}", minutes=i) for i in range(args.orders)]
                cpu = meter.read()
                started = time.perf_counter()
                await publish(producer, routing, orders)
                await wait_until(conn, "SELECT count(*) FROM orders", args.orders)
                took = time.perf_counter() - started
                print(f"reservations: {args.orders} orders reserved in {took:.2f}s "
                      f"({args.orders / took:,.0f} orders/s)")
                print(meter.report(cpu, meter.read(), args.orders))
                await report_relay(conn, "order", started, events)
            finally:
                await conn.close()
        await producer.stop()
    finally:
        await stack.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=20, help="lines (movements) per receipt")
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--skus", type=int, default=2000)
    parser.add_argument("--warehouses", type=int, default=2)
    parser.add_argument("--pool", type=int, default=10)
    parser.add_argument("--backlog", action="store_true",
                        help="publish the receipts before the ledger starts and time it draining them")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
