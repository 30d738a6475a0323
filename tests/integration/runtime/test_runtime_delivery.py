"""Outbox -> real broker -> subscriber of another service, through the real runtime."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from contracts import topics as topic_names
from polc.runtime.outbox import enqueue
from polc.runtime.routing import Routing
from polc.runtime.service import ServiceRuntime
from tests.support.ping import (
    PING_TOPIC, Ping, batched_receiver_spec, received_rows, receiver_spec, sender_spec, wait_for,
)

pytestmark = pytest.mark.broker


async def send_pings(runtime: ServiceRuntime, pings: list[Ping]) -> None:
    async with runtime.pool.acquire() as conn, conn.transaction():
        await enqueue(conn, pings, routing=runtime.routing, producer="test_sender", schema="test_sender")


@pytest.fixture
def routing(topic_prefix: str) -> Routing:
    return Routing([PING_TOPIC], topic_prefix)


async def test_delivered_once_in_effect_when_delivered_twice(make_settings, routing, database):
    settings = make_settings()
    async with ServiceRuntime(sender_spec(), settings, routing) as sender, \
            ServiceRuntime(receiver_spec(), settings, routing) as receiver:
        await send_pings(sender, [Ping(stream=f"s{i % 3}", seq=i) for i in range(30)])
        await wait_for(lambda: _count(database, 30))
        # Deliver every record a second time, byte for byte, as a broker or relay retry would.
        async with sender.pool.acquire() as conn:
            rows = await conn.fetch("SELECT topic, record_key, headers, body FROM outbox ORDER BY id")
        for row in rows:
            await sender.producer.send_and_wait(row["topic"], value=bytes(row["body"]), key=row["record_key"].encode(),
                                                headers=[(k, v.encode()) for k, v in row["headers"].items()])
        await send_pings(sender, [Ping(stream="after", seq=1)])
        await wait_for(lambda: _count(database, 31))
        got = await received_rows(database)
        assert len(got) == 31
        assert len({r["message_id"] for r in got}) == 31
        async with receiver.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM inbox") == 31


async def test_each_key_arrives_in_commit_order(make_settings, routing, database):
    settings = make_settings()
    async with ServiceRuntime(sender_spec(), settings, routing) as sender, \
            ServiceRuntime(receiver_spec(), settings, routing) as receiver:
        async def one_stream(name: str) -> None:
            for seq in range(15):
                await send_pings(sender, [Ping(stream=name, seq=seq)])

        await asyncio.gather(*(one_stream(f"k{i}") for i in range(4)))
        await wait_for(lambda: _count(database, 60))
        got = await received_rows(database)
        for name in (f"k{i}" for i in range(4)):
            assert [r["seq"] for r in got if r["stream"] == name] == list(range(15))
        assert receiver.relay is not None


async def test_a_batch_handler_takes_runs_of_a_batch_and_a_failing_run_goes_one_by_one(
        make_settings, routing, database):
    settings = make_settings(consumer_batch_size=500)
    calls: list[int] = []
    async with ServiceRuntime(sender_spec(), settings, routing) as sender, \
            ServiceRuntime(batched_receiver_spec(calls), settings, routing) as receiver:
        await send_pings(sender, [Ping(stream=f"s{i % 3}", seq=i) for i in range(60)])
        await wait_for(lambda: _count(database, 60))
        assert calls and max(calls) > 1  # runs of a polled batch went to the batch handler in one call
        await send_pings(sender, [Ping(stream=f"s{i % 3}", seq=i, note="fail" if i == 70 else "")
                                  for i in range(60, 90)])
        await wait_for(lambda: _count(database, 89))
        async with receiver.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM dead_letters") == 1
            assert await conn.fetchval("SELECT count(*) FROM inbox") == 89  # not the dead letter
    got = await received_rows(database)
    assert len({r["message_id"] for r in got}) == 89
    for stream in ("s0", "s1", "s2"):
        assert [r["seq"] for r in got if r["stream"] == stream] == [i for i in range(90) if i % 3 == int(stream[1])
                                                                  and i != 70]
    assert sum(calls) < 89  # the batch with the failing ping was handled one by one


async def test_commit_survives_sigkill_before_publish(make_settings, routing, database, topic_prefix):
    settings = make_settings()
    # A process commits an outbox row and is killed before anything publishes it.
    script = textwrap.dedent(f"""
        import asyncio, os, signal
        import asyncpg
        from polc.runtime.migrations import RUNTIME_MIGRATIONS, migrate
        from polc.runtime.outbox import enqueue
        from polc.runtime.routing import Routing
        from tests.support.ping import PING_TOPIC, Ping, EMPTY_MIGRATIONS

        async def main():
            conn = await asyncpg.connect({database!r}, server_settings={{"search_path": "test_sender"}})
            await migrate(conn, "test_sender", {{"runtime": RUNTIME_MIGRATIONS, "test_sender": EMPTY_MIGRATIONS}})
            async with conn.transaction():
                await enqueue(conn, [Ping(stream="crash", seq=1)], routing=Routing([PING_TOPIC], {topic_prefix!r}),
                              producer="test_sender", schema="test_sender")
            os.kill(os.getpid(), signal.SIGKILL)

        asyncio.run(main())
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=os.getcwd(), capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    conn = await asyncpg.connect(database)
    try:
        unpublished = await conn.fetchval("SELECT count(*) FROM test_sender.outbox WHERE published_at IS NULL")
    finally:
        await conn.close()
    assert unpublished == 1
    async with ServiceRuntime(sender_spec(), settings, routing), ServiceRuntime(receiver_spec(), settings, routing):
        await wait_for(lambda: _count(database, 1))
    got = await received_rows(database)
    assert [(r["stream"], r["seq"]) for r in got] == [("crash", 1)]


async def test_poison_messages_are_dead_lettered_without_blocking(make_settings, routing, database, stack):
    settings = make_settings(handler_max_attempts=2)
    async with ServiceRuntime(sender_spec(), settings, routing) as sender, \
            ServiceRuntime(receiver_spec(), settings, routing) as receiver:
        topic = routing.name(PING_TOPIC)
        # Garbage on the same key (so the same partition) as the good pings that follow it.
        await sender.producer.send_and_wait(topic, value=b"{not json", key=b"p", headers=[("odd", b"\xff\xfe")])
        await send_pings(sender, [Ping(stream="p", seq=1, note="fail"), Ping(stream="p", seq=2, note="crash")])
        await send_pings(sender, [Ping(stream="p", seq=i) for i in range(3, 8)])
        await wait_for(lambda: _count(database, 5))
        got = await received_rows(database)
        assert [r["seq"] for r in got] == [3, 4, 5, 6, 7]
        assert len({r["kafka_partition"] for r in got}) == 1

        async with receiver.pool.acquire() as conn:
            letters = await conn.fetch("SELECT error_type, reason, kafka_offset FROM dead_letters ORDER BY kafka_offset")
        assert [l["error_type"] for l in letters] == ["PermanentError", "PermanentError", "ValueError"]
        assert "not a polc envelope" in letters[0]["reason"]
        assert "asked to fail" in letters[1]["reason"]
        assert "unexpected bug" in letters[2]["reason"]

        dlq = await _read_all(stack.bootstrap_servers, routing.dead_letter_topic, expected=3)
        reasons = sorted(dict(r.headers)[topic_names.DLQ_HEADER_REASON].decode() for r in dlq)
        assert any("asked to fail" in r for r in reasons)
        assert {dict(r.headers)[topic_names.DLQ_HEADER_SOURCE_TOPIC].decode() for r in dlq} == {topic}
        assert b"{not json" in [r.value for r in dlq]

        # Operators see them over HTTP and in the metrics.
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{receiver.http.port}") as http:
            listed = (await http.get("/dead-letters")).json()["dead_letters"]
            assert sorted(l["kafka_offset"] for l in listed) == [l["kafka_offset"] for l in letters]
            metrics = (await http.get("/metrics")).text
            assert f'polc_dead_letters_total{{service="test_receiver",topic="{topic}"}}' in metrics
            ready = (await http.get("/health/ready")).json()
            assert ready["ready"] is True and ready["checks"]["database"] is True


async def _count(dsn: str, expected: int) -> bool:
    try:
        return len(await received_rows(dsn)) >= expected
    except asyncpg.UndefinedTableError:
        return False


async def _read_all(bootstrap: str, topic: str, expected: int, timeout_s: float = 30):
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    records = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while len(records) < expected and loop.time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


