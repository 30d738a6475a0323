"""Reading what order_ingest published, straight from the broker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer

from contracts.base import Envelope


async def read_topic(bootstrap: str, topic: str, *, until: Callable[[list[Envelope]], bool],
                     timeout_s: float = 30) -> list[Envelope]:
    """Envelopes on ``topic`` from the beginning, until ``until`` holds (or the timeout)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    found: list[Envelope] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not until(found) and loop.time() < deadline:
            for batch in (await consumer.getmany(timeout_ms=300)).values():
                found.extend(Envelope.model_validate(json.loads(r.value)) for r in batch)
    finally:
        await consumer.stop()
    return found


def of_type(envelopes: list[Envelope], message_type: str) -> list[Envelope]:
    return [e for e in envelopes if e.message_type == message_type]
