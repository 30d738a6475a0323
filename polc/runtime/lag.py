"""Consumer lag of every polc consumer group, per topic and partition, as a metric.

Each service process reports the lag of all the installation's groups, not only its own, so
the lag of a group whose consumers are all down is still visible (and growing). Committed
offsets come from the group coordinator for explicit partitions, end offsets from a fetch's
high watermark: both are exact on Apache Kafka and on the embedded broker.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from polc.runtime import metrics
from polc.runtime.routing import Routing

log = logging.getLogger(__name__)


#: Subscribers in the registry that read topics on demand rather than in a consumer group.
NOT_CONSUMER_GROUPS = ("cli", "backoffice")


def consumer_groups(routing: Routing) -> dict[str, list[str]]:
    """Group name -> broker topic names, for every subscribing service in the registry."""
    groups: dict[str, list[str]] = {}
    for topic in routing.topics:
        for service in topic.subscribers:
            if service not in NOT_CONSUMER_GROUPS:
                groups.setdefault(routing.group(service), []).append(routing.name(topic))
    return groups


async def high_watermarks(bootstrap_servers: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    """End offset of each partition, read from a fetch response."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        for tp in partitions:
            await consumer.seek_to_beginning(tp)
        found: dict[TopicPartition, int] = {}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5
        while len(found) < len(partitions) and loop.time() < deadline:
            await consumer.getmany(*[tp for tp in partitions if tp not in found], timeout_ms=200, max_records=1)
            for tp in partitions:
                hw = consumer.highwater(tp)
                if hw is not None:
                    found[tp] = hw
        return found
    finally:
        await consumer.stop()


async def measure_lag(bootstrap_servers: str, groups: dict[str, list[str]]) -> dict[tuple[str, str, int], int]:
    """(group, topic, partition) -> messages not yet committed by the group."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(sorted({t for ts in groups.values() for t in ts}))
        partitions_of = {d["topic"]: [p["partition"] for p in d["partitions"]] for d in described if not d["error_code"]}
        all_tps = [TopicPartition(t, p) for t, ps in partitions_of.items() for p in ps]
        ends = await high_watermarks(bootstrap_servers, all_tps) if all_tps else {}
        lag: dict[tuple[str, str, int], int] = {}
        for group, topics in groups.items():
            tps = [tp for tp in all_tps if tp.topic in topics]
            if not tps:
                continue
            committed = await admin.list_consumer_group_offsets(group, partitions=tps)
            for tp in tps:
                meta = committed.get(tp)
                position = meta.offset if meta is not None and meta.offset >= 0 else 0
                if tp in ends:
                    lag[(group, tp.topic, tp.partition)] = max(0, ends[tp] - position)
        return lag
    finally:
        await admin.close()


async def run_lag_monitor(bootstrap_servers: str, routing: Routing, interval_s: float) -> None:
    """Refresh ``polc_consumer_lag`` every ``interval_s`` until cancelled."""
    groups = consumer_groups(routing)
    while True:
        try:
            for (group, topic, partition), value in (await measure_lag(bootstrap_servers, groups)).items():
                metrics.CONSUMER_LAG.labels(group, topic, str(partition)).set(value)
        except (KafkaError, OSError, TimeoutError) as error:
            log.warning("cannot measure consumer lag yet (%s: %s)", type(error).__name__, error)
        await asyncio.sleep(interval_s)
