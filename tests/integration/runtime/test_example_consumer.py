"""The example consumer in docs/ works against the real broker with a real polc envelope."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from contracts.examples import example_envelope
from contracts.orders import OrderReceived
from contracts.registry import ALL_TOPICS
from polc.runtime import kafka
from polc.runtime.routing import Routing

pytestmark = pytest.mark.broker
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "order_consumer.py"


def load_example():
    spec = importlib.util.spec_from_file_location("order_consumer", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_handle_reports_a_new_order_once():
    example = load_example()
    envelope = example_envelope(OrderReceived).model_dump(mode="json")
    seen: set[str] = set()
    line = example.handle(envelope, seen)
    assert envelope["payload"]["shop_order_code"] in line and envelope["payload"]["gross_total"] in line
    assert example.handle(envelope, seen) is None


async def test_example_consumer_reads_orders_from_the_broker(stack, topic_prefix):
    await kafka.ensure_topics(stack.bootstrap_servers, kafka.topic_specs(Routing(ALL_TOPICS, topic_prefix)))
    envelope = example_envelope(OrderReceived)
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers)
    await producer.start()
    try:
        for _ in range(2):  # delivered twice, printed once
            await producer.send_and_wait(f"{topic_prefix}polc.orders.v1", envelope.model_dump_json().encode(),
                                         key=envelope.key.encode())
    finally:
        await producer.stop()
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers, "KAFKA_TOPIC_PREFIX": topic_prefix,
           "GROUP_ID": f"{topic_prefix}example"}
    proc = await asyncio.create_subprocess_exec(sys.executable, str(EXAMPLE), env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        assert envelope.payload["shop_order_code"] in line.decode()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(proc.stdout.readline(), timeout=3)
    finally:
        proc.kill()
        await proc.wait()
