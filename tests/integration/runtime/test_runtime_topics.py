"""`polc topics` creates every registry topic with its partitions and configs, idempotently."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from contracts.registry import ALL_TOPICS
from polc.runtime.routing import Routing

pytestmark = pytest.mark.broker


def run_cli(bootstrap: str, prefix: str) -> str:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_TOPIC_PREFIX": prefix}
    result = subprocess.run([sys.executable, "-m", "polc.cli", "topics"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_topics_command_creates_every_topic_once_with_its_partitions(stack, topic_prefix):
    routing = Routing(ALL_TOPICS, topic_prefix)
    first = run_cli(stack.bootstrap_servers, topic_prefix)
    assert f"created {len(ALL_TOPICS) + 1} topics" in first  # the registry plus the broker-epoch topic
    assert "all existed" in run_cli(stack.bootstrap_servers, topic_prefix)

    admin = AIOKafkaAdminClient(bootstrap_servers=stack.bootstrap_servers)
    await admin.start()
    try:
        described = {t["topic"]: t for t in await admin.describe_topics([routing.name(t) for t in ALL_TOPICS])}
        for topic in ALL_TOPICS:
            assert len(described[routing.name(topic)]["partitions"]) == topic.partitions, topic.name
        stock = next(t for t in ALL_TOPICS if t.name == "polc.stock.changes.v1")
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, routing.name(stock))])
        configs = {entry[0]: entry[1] for entry in response.resources[0][4]}
        assert configs["retention.ms"] == str(stock.retention_ms)
        for key, value in stock.configs.items():
            assert configs[key] == value
    finally:
        await admin.close()
