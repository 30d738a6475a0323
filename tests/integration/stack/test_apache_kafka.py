"""A real Apache Kafka broker started from Maven Central jars behaves as production Kafka.

One broker is started for the whole module. Each test uses its own topic and group names.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError

from polc.stack.apache_kafka import ApacheKafka, broker_properties, ensure_kafka_jars, new_cluster_id

pytestmark = pytest.mark.slow

needs_jvm = pytest.mark.skipif(
    shutil.which("java") is None or shutil.which("mvn") is None,
    reason="Apache Kafka from jars needs `java` (17+) and `mvn` on PATH",
)


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
async def kafka(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ApacheKafka]:
    if shutil.which("java") is None or shutil.which("mvn") is None:
        pytest.skip("Apache Kafka from jars needs `java` (17+) and `mvn` on PATH")
    lib = await asyncio.to_thread(ensure_kafka_jars)
    broker = ApacheKafka(tmp_path_factory.mktemp("apache-kafka"), lib_dir=lib)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


@pytest.fixture
async def admin(kafka: ApacheKafka) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    await client.start()
    try:
        yield client
    finally:
        await client.close()


# ---------------------------------------------------------------- pure helpers


def test_cluster_id_is_a_kafka_uuid() -> None:
    cid = new_cluster_id()
    assert len(cid) == 22
    assert set(cid) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert new_cluster_id() != cid


def test_broker_properties_are_single_node_kraft_without_auto_create(tmp_path: Path) -> None:
    props = broker_properties(tmp_path, 19092, 19093, {"num.partitions": "2"})
    assert props["process.roles"] == "broker,controller"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["auto.create.topics.enable"] == "false"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["log.dirs"] == str(tmp_path / "data")
    assert props["num.partitions"] == "2"  # overrides win


# ---------------------------------------------------------------- live broker


@needs_jvm
async def test_jar_fetch_is_idempotent(kafka: ApacheKafka) -> None:
    assert ensure_kafka_jars(kafka.lib_dir) == kafka.lib_dir.resolve()
    assert any(kafka.lib_dir.glob("kafka_2.13-4.*.jar"))


@needs_jvm
async def test_broker_reports_itself_in_cluster_metadata(kafka: ApacheKafka, admin: AIOKafkaAdminClient) -> None:
    cluster = await admin.describe_cluster()
    assert [(b["host"], b["port"]) for b in cluster["brokers"]] == [("127.0.0.1", kafka.port)]
    assert cluster["controller_id"] == 1
    assert kafka.bootstrap_servers == f"127.0.0.1:{kafka.port}"


@needs_jvm
async def test_topic_with_partitions_and_retention_config(admin: AIOKafkaAdminClient) -> None:
    topic = _name("orders")
    await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1, topic_configs={"retention.ms": "3600000"})])

    [described] = await admin.describe_topics([topic])
    assert described["error_code"] == 0
    assert sorted(p["partition"] for p in described["partitions"]) == [0, 1, 2]

    [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
    [(_, _, _, _, entries)] = response.resources
    configs = {entry[0]: entry[1] for entry in entries}
    assert configs["retention.ms"] == "3600000"
    # Real Kafka also returns defaults for configs that were not set (Tansu does not).
    assert configs["cleanup.policy"] == "delete"


@needs_jvm
async def test_keyed_messages_with_headers_round_trip_and_commit(kafka: ApacheKafka, admin: AIOKafkaAdminClient) -> None:
    topic, group = _name("stock"), _name("ledger")
    await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    keys = [f"sku-{i}".encode() for i in range(6)]
    sent = []
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks="all")
    await producer.start()
    try:
        for round_ in range(5):
            for key in keys:
                value = f"{key.decode()}:{round_}".encode()
                headers = [("shop", b"demo"), ("round", str(round_).encode())]
                meta = await producer.send_and_wait(topic, value, key=key, headers=headers)
                sent.append((meta.partition, key, value, tuple(headers)))
    finally:
        await producer.stop()

    partitions = [TopicPartition(topic, p) for p in range(3)]
    expected_end = {tp: sum(1 for s in sent if s[0] == tp.partition) for tp in partitions}
    # Same key, same partition, every time.
    assert all(len({s[0] for s in sent if s[1] == key}) == 1 for key in keys)

    received = await _consume_and_commit(kafka.bootstrap_servers, topic, group, len(sent))
    assert sorted(received) == sorted(sent)
    for key in keys:  # per-key order is preserved
        assert [r[2] for r in received if r[1] == key] == [s[2] for s in sent if s[1] == key]

    offsets = await admin.list_consumer_group_offsets(group, partitions=partitions)
    assert {tp: meta.offset for tp, meta in offsets.items()} == expected_end


async def _consume_and_commit(bootstrap: str, topic: str, group: str, count: int) -> list[tuple]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )
    await consumer.start()
    received: list[tuple] = []
    try:
        async with asyncio.timeout(60):  # a hang guard, not a performance assertion
            while len(received) < count:
                batches = await consumer.getmany(timeout_ms=1000)
                for tp, records in batches.items():
                    received += [(tp.partition, r.key, r.value, tuple(r.headers)) for r in records]
                if batches:
                    await consumer.commit()
    finally:
        await consumer.stop()
    return received


@needs_jvm
async def test_producing_to_a_missing_topic_fails(kafka: ApacheKafka, admin: AIOKafkaAdminClient) -> None:
    topic = _name("never-created")
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, request_timeout_ms=3000)
    await producer.start()
    try:
        # aiokafka waits up to request_timeout_ms for metadata, then gives up.
        with pytest.raises(KafkaError):
            await producer.send_and_wait(topic, b"lost?")
    finally:
        await producer.stop()
    assert topic not in await admin.list_topics()


@needs_jvm
async def test_restart_on_same_workdir_keeps_topics(tmp_path: Path, kafka: ApacheKafka) -> None:
    broker = ApacheKafka(tmp_path / "restartable", lib_dir=kafka.lib_dir)
    topic = _name("durable")
    await broker.start()
    try:
        await _create(broker.bootstrap_servers, topic)
    finally:
        await broker.stop()
    assert not broker.is_running()
    await broker.start()
    try:
        admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        await admin.start()
        try:
            assert topic in await admin.list_topics()
        finally:
            await admin.close()
    finally:
        await broker.stop()


async def _create(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
