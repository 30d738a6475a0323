"""The ledger running in-process on the test's database and topics, a producer and a StockChanged reader."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.base import Envelope, Message
from contracts.registry import ALL_TOPICS, STOCK_CHANGES
from contracts.stock import StockChanged
from polc.runtime import kafka
from polc.runtime.migrations import RUNTIME_MIGRATIONS, migrate
from polc.runtime.outbox import envelope_headers, new_envelope
from polc.runtime.routing import Routing
from polc.runtime.service import ServiceRuntime
from services.stock_ledger.app import Settings, build


@pytest.fixture
def routing(topic_prefix: str) -> Routing:
    return Routing(ALL_TOPICS, topic_prefix)


@pytest.fixture
def ledger_settings(make_settings) -> Callable[..., Settings]:
    def make(**overrides) -> Settings:
        return Settings(**{**make_settings().model_dump(), **overrides})

    return make


@pytest.fixture
async def ledger(ledger_settings, routing) -> AsyncIterator[ServiceRuntime]:
    async with ServiceRuntime(build(ledger_settings()), ledger_settings(), routing) as rt:
        yield rt


class Sender:
    """Publishes messages the way another service's relay would: an envelope, keyed as registered."""

    def __init__(self, producer: AIOKafkaProducer, routing: Routing) -> None:
        self.producer, self.routing = producer, routing

    async def send(self, *messages: Message) -> list[Envelope]:
        envelopes = []
        for payload in messages:
            topic = self.routing.topic_for(type(payload))
            env = new_envelope(payload, key=topic.key_for(payload), producer="cli")
            await self.resend(env)
            envelopes.append(env)
        return envelopes

    async def resend(self, env: Envelope) -> None:
        """Publish an envelope again, byte for byte, as a broker or relay retry would."""
        topic = self.routing.topic_for(self.routing.message_class(env.message_type, env.schema_version))
        await self.producer.send_and_wait(
            self.routing.name(topic), value=env.model_dump_json().encode(), key=env.key.encode(),
            headers=[(k, v.encode()) for k, v in envelope_headers(env).items()])


@pytest.fixture
async def sender(stack, routing) -> AsyncIterator[Sender]:
    producer = kafka.new_producer(stack.bootstrap_servers, "polc-test-sender")
    await producer.start()
    try:
        yield Sender(producer, routing)
    finally:
        await producer.stop()


class ChangesReader:
    """Collects every StockChanged on the broker, in partition order."""

    def __init__(self) -> None:
        self.events: list[StockChanged] = []

    def for_key(self, warehouse_id: str, sku: str) -> list[StockChanged]:
        return [e for e in self.events if (e.warehouse_id, e.sku) == (warehouse_id, sku)]

    def latest(self) -> dict[tuple[str, str], StockChanged]:
        return {(e.warehouse_id, e.sku): e for e in self.events}


@pytest.fixture
async def changes(stack, routing, ledger) -> AsyncIterator[ChangesReader]:
    """Reads StockChanged from the broker; starts after the ledger created the topics."""
    reader = ChangesReader()
    # Partitions assigned by hand: no consumer group to join, so the reader is ready at once.
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.bootstrap_servers, group_id=None,
                                auto_offset_reset="earliest")
    await consumer.start()
    topic = routing.name(STOCK_CHANGES)
    consumer.assign([TopicPartition(topic, p) for p in range(STOCK_CHANGES.partitions)])
    await consumer.seek_to_beginning()

    async def read() -> None:
        async for record in consumer:
            env = Envelope.model_validate_json(record.value)
            reader.events.append(StockChanged.model_validate(env.payload))

    task = asyncio.create_task(read())
    try:
        yield reader
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await consumer.stop()


@pytest.fixture
async def api(ledger) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ledger.http.port}", timeout=30) as client:
        yield client


@pytest.fixture
async def migrated(database) -> str:
    """The test's database with the ledger's schema, for tests that call the domain directly."""
    conn = await asyncpg.connect(database)
    try:
        await migrate(conn, "stock_ledger", {"runtime": RUNTIME_MIGRATIONS,
                                             "stock_ledger": build(Settings()).migrations})
    finally:
        await conn.close()
    return database
