"""A test message, topic and two small services (a sender and a receiver) built on the runtime.

They exercise the real outbox, relay, broker, subscriber, inbox and dead-letter paths without
depending on any business service.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import asyncpg
from pydantic import Field

from contracts.base import Message
from contracts.topics import Topic
from polc.runtime.consumer import Incoming
from polc.runtime.errors import PermanentError
from polc.runtime.service import ServiceSpec

RECEIVER_MIGRATIONS = Path(__file__).parent / "receiver_migrations"
EMPTY_MIGRATIONS = Path(__file__).parent / "no_migrations"


class Ping(Message):
    message_type = "TestPing"
    schema_version = 1

    stream: str = Field(description="Ordering key: pings of one stream stay in order.")
    seq: int = Field(description="Sequence number within the stream.")
    note: str = Field(default="", description="'fail' makes the receiver reject the ping.")


PING_TOPIC = Topic(
    name="test.pings.v1", description="Pings for runtime tests", key="stream", key_fields=("stream",),
    messages=(Ping,), publishers=("test_sender",), subscribers=("test_receiver",), partitions=3,
)


async def on_ping(conn: asyncpg.Connection, incoming: Incoming) -> None:
    ping: Ping = incoming.payload
    if ping.note == "fail":
        raise PermanentError(f"ping {ping.stream}/{ping.seq} asked to fail")
    if ping.note == "crash":
        raise ValueError("unexpected bug in the handler")
    await conn.execute(
        "INSERT INTO received (message_id, stream, seq, kafka_partition, kafka_offset) VALUES ($1, $2, $3, $4, $5)",
        incoming.envelope.message_id, ping.stream, ping.seq, incoming.record.partition, incoming.record.offset,
    )


def batched_receiver_spec(calls: list[int]) -> ServiceSpec:
    """The receiver with a batch handler too: it stores consecutive pings in one statement and
    appends how many to ``calls``; a ping that must fail fails the whole call."""

    async def on_pings(conn: asyncpg.Connection, incoming: Sequence[Incoming]) -> list[list]:
        if any(i.payload.note for i in incoming):
            raise ValueError("a ping in this run must fail: handle them one by one")
        await conn.execute(
            "INSERT INTO received (message_id, stream, seq, kafka_partition, kafka_offset)"
            " SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::bigint[])",
            [i.envelope.message_id for i in incoming], [i.payload.stream for i in incoming],
            [i.payload.seq for i in incoming], [i.record.partition for i in incoming],
            [i.record.offset for i in incoming])
        calls.append(len(incoming))
        return [[] for _ in incoming]

    return ServiceSpec(name="test_receiver", migrations=RECEIVER_MIGRATIONS, handlers={Ping: on_ping},
                       batch_handlers={Ping: on_pings})


def sender_spec() -> ServiceSpec:
    return ServiceSpec(name="test_sender", migrations=EMPTY_MIGRATIONS)


def receiver_spec() -> ServiceSpec:
    return ServiceSpec(name="test_receiver", migrations=RECEIVER_MIGRATIONS, handlers={Ping: on_ping})


async def wait_for(predicate, timeout_s: float = 60.0, interval_s: float = 0.1):
    """Poll an async predicate until it returns a truthy value; fail the test after ``timeout_s``."""
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        value = await predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s (last value {value!r})")
        await asyncio.sleep(interval_s)


async def received_rows(dsn: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "test_receiver"})
    try:
        return await conn.fetch("SELECT message_id, stream, seq, kafka_partition, kafka_offset FROM received ORDER BY id")
    finally:
        await conn.close()
