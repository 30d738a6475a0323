"""A consumer another system can copy: read polc's orders and react to new ones.

Needs only ``aiokafka`` (``pip install aiokafka``). Run it with your own consumer group:

    KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 python order_consumer.py

It commits an offset only after a record is handled (at least once) and remembers the message
ids it has handled, because polc may deliver a message more than once.
"""

from __future__ import annotations

import asyncio
import json
import os
from decimal import Decimal

from aiokafka import AIOKafkaConsumer

TOPIC = os.environ.get("KAFKA_TOPIC_PREFIX", "") + "polc.orders.v1"


def handle(envelope: dict, seen: set[str]) -> str | None:
    """React to one envelope; returns a line describing what was done (None: nothing to do)."""
    if envelope["message_id"] in seen:
        return None  # a redelivery: already handled
    seen.add(envelope["message_id"])
    if envelope["message_type"] != "OrderReceived" or envelope["schema_version"] != 1:
        return None  # other messages on the topic, or a version this consumer does not know
    order = envelope["payload"]
    total = Decimal(order["gross_total"])  # money is a decimal string: never parse it as float
    return f"new order {order['shop_order_code']} from shop {order['shop_id']}: {total} {order['currency']}"


async def main() -> None:
    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        group_id=os.environ.get("GROUP_ID", "example-order-consumer"),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )
    seen: set[str] = set()  # use a database table in production
    await consumer.start()
    try:
        async for record in consumer:
            line = handle(json.loads(record.value), seen)
            if line:
                print(line, flush=True)
            await consumer.commit()
    finally:
        await consumer.stop()


if __name__ == "__main__":
    asyncio.run(main())
