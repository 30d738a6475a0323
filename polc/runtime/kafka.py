"""Broker-facing helpers: producers, topic creation and the broker-epoch marker."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from polc.runtime.routing import Routing

log = logging.getLogger(__name__)


def new_producer(bootstrap_servers: str, client_id: str) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas; ordering per partition is kept."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=False,
        linger_ms=5,
        max_batch_size=256 * 1024,
        max_request_size=1024 * 1024,
        request_timeout_ms=15000,
    )


def topic_specs(routing: Routing) -> list[NewTopic]:
    """Every topic of ``routing`` plus the dead-letter and epoch topics, as NewTopic specs."""
    specs = [
        NewTopic(routing.name(t), num_partitions=t.partitions, replication_factor=1,
                 topic_configs=t.topic_configs())
        for t in routing.topics
    ]
    if routing.dead_letter_topic not in {s.name for s in specs}:
        specs.append(NewTopic(routing.dead_letter_topic, num_partitions=1, replication_factor=1,
                              topic_configs={"retention.ms": str(90 * 24 * 3600 * 1000)}))
    specs.append(NewTopic(routing.epoch_topic, num_partitions=1, replication_factor=1,
                          topic_configs={"retention.ms": "-1"}))
    return specs


async def ensure_topics(bootstrap_servers: str, specs: Iterable[NewTopic], replication_factor: int = 1) -> list[str]:
    """Create the topics that do not exist yet; returns the names created now. Idempotent."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        for spec in missing:
            spec.replication_factor = replication_factor
        if not missing:
            return []
        created: list[str] = []
        response = await admin.create_topics(missing)
        for name, code, *_ in getattr(response, "topic_errors", getattr(response, "topics", [])):
            if code not in (0, TopicAlreadyExistsError.errno):
                raise RuntimeError(f"creating topic {name} failed with Kafka error {code}")
            if code == 0:
                created.append(name)
        return created
    finally:
        await admin.close()


async def read_epoch_tokens(bootstrap_servers: str, topic: str, timeout_s: float = 10.0) -> list[dict]:
    """Every marker record on the single-partition epoch topic."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False,
                                group_id=None, request_timeout_ms=10000)
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        found: list[dict] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            batch = await consumer.getmany(tp, timeout_ms=300)
            found.extend(json.loads(r.value) for r in batch.get(tp, []))
            highwater = consumer.highwater(tp)
            if highwater is not None and await consumer.position(tp) >= highwater:
                return found
        raise TimeoutError(f"could not read {topic} to its end within {timeout_s}s")
    finally:
        await consumer.stop()


async def write_epoch_token(producer: AIOKafkaProducer, topic: str, service: str, token: UUID) -> None:
    value = json.dumps({"service": service, "token": str(token)}).encode()
    await producer.send_and_wait(topic, value=value, key=service.encode(), partition=0)
