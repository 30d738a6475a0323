"""A broker that restarts empty (the embedded broker keeps nothing) loses nothing in flight."""

from __future__ import annotations

import asyncio
import logging

import asyncpg
import pytest
from prometheus_client import REGISTRY

from polc.runtime.outbox import enqueue
from polc.runtime.routing import Routing
from polc.runtime.service import ServiceRuntime
from polc.stack.tansu import TansuBroker
from tests.support.ping import PING_TOPIC, Ping, received_rows, receiver_spec, sender_spec, wait_for


async def _send(runtime: ServiceRuntime, pings: list[Ping]) -> None:
    async with runtime.pool.acquire() as conn, conn.transaction():
        await enqueue(conn, pings, routing=runtime.routing, producer="test_sender", schema="test_sender")


async def _received(dsn: str, n: int) -> bool:
    try:
        return len(await received_rows(dsn)) >= n
    except asyncpg.UndefinedTableError:
        return False


@pytest.mark.slow
async def test_fresh_broker_gets_the_retained_outbox_again(make_settings, topic_prefix, database, tmp_path):
    broker = TansuBroker(tmp_path / "tansu.log")
    bootstrap = broker.start()
    settings = make_settings(kafka_bootstrap_servers=bootstrap, epoch_check_interval_s=1.0)
    routing = Routing([PING_TOPIC], topic_prefix)
    republished_before = _republished()
    try:
        async with ServiceRuntime(sender_spec(), settings, routing) as sender, \
                ServiceRuntime(receiver_spec(), settings, routing) as receiver:
            await _send(sender, [Ping(stream=f"s{i}", seq=i) for i in range(5)])
            await wait_for(lambda: _received(database, 5))

            broker.stop()
            # Written while the broker is down: committed, waiting in the outbox.
            await _send(sender, [Ping(stream="down", seq=i) for i in range(3)])
            broker = TansuBroker(tmp_path / "tansu2.log", port=broker.port)
            broker.start()
            await _send(sender, [Ping(stream="after", seq=i) for i in range(2)])

            await wait_for(lambda: _received(database, 10), timeout_s=90)
            async with sender.pool.acquire() as conn:
                assert await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0
            # The receiver saw the first five again after the restart and ignored them.
            async with receiver.pool.acquire() as conn:
                assert await conn.fetchval("SELECT count(*) FROM inbox") == 10
            got = await received_rows(database)
            assert len(got) == 10
            assert _republished() - republished_before >= 5
            assert sorted((r["stream"], r["seq"]) for r in got if r["stream"] in ("down", "after")) == [
                ("after", 0), ("after", 1), ("down", 0), ("down", 1), ("down", 2)]
    finally:
        broker.stop()


def _republished() -> float:
    return REGISTRY.get_sample_value("polc_outbox_republished_total", {"service": "test_sender"}) or 0.0


@pytest.mark.slow
async def test_after_a_broker_loss_every_consumer_reads_its_topics_again(make_settings, topic_prefix, database,
                                                                        tmp_path, caplog):
    """After a broker loss a consumer can be left at its old offsets (an old commit that lands on
    the new broker, a position that is still valid there); so each process, seeing the epoch
    markers it knew gone, rewinds its consumer to the start of the new logs."""
    broker = TansuBroker(tmp_path / "tansu.log")
    bootstrap = broker.start()
    settings = make_settings(kafka_bootstrap_servers=bootstrap, epoch_check_interval_s=1.0)
    routing = Routing([PING_TOPIC], topic_prefix)
    caplog.set_level(logging.WARNING, logger="polc.runtime.service")
    try:
        async with ServiceRuntime(sender_spec(), settings, routing) as sender, \
                ServiceRuntime(receiver_spec(), settings, routing) as receiver:
            await _send(sender, [Ping(stream=f"s{i}", seq=i) for i in range(5)])
            await wait_for(lambda: _received(database, 5))
            await asyncio.sleep(2)  # both have seen the markers of this broker
            assert not _rewound(caplog, "test_receiver")

            broker.stop()
            broker = TansuBroker(tmp_path / "tansu2.log", port=broker.port)
            broker.start()
            await _send(sender, [Ping(stream=f"new{i}", seq=i) for i in range(4)])

            await wait_for(lambda: _async(_rewound(caplog, "test_receiver")), timeout_s=60)
            await wait_for(lambda: _received(database, 9), timeout_s=90)
            async with receiver.pool.acquire() as conn:
                assert await conn.fetchval("SELECT count(*) FROM inbox") == 9  # the old five ignored
    finally:
        broker.stop()


def _rewound(caplog, service: str) -> bool:
    return any(r.getMessage().startswith(f"{service}: the broker lost its data; reading")
               for r in caplog.records)


async def _async(value: bool) -> bool:
    return value


