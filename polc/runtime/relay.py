"""The outbox relay: publishes committed outbox rows to the broker, in id order.

One relay per service is active at a time (a PostgreSQL advisory lock elects it), so each
key's messages leave in the order they were committed, whatever the number of replicas.
Published rows are kept for the retention period; when the relay finds that the broker no
longer holds the epoch marker it wrote (a broker that lost its data), it publishes every kept
row again. Consumers deduplicate by message id, so republishing is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from uuid import uuid4

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder

from polc.runtime import kafka, metrics, store
from polc.runtime.outbox import outbox_channel
from polc.runtime.routing import Routing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RelayConfig:
    batch_size: int = 500
    poll_interval_s: float = 1.0
    retention: timedelta = timedelta(days=7)
    inbox_retention: timedelta = timedelta(days=30)
    epoch_check_interval_s: float = 30.0
    max_backoff_s: float = 10.0


class OutboxRelay:
    """Runs until cancelled; see the module docstring."""

    def __init__(self, *, service: str, schema: str, dsn: str, pool: asyncpg.Pool,
                 producer: AIOKafkaProducer, routing: Routing, bootstrap_servers: str,
                 config: RelayConfig) -> None:
        self.service, self.schema, self.dsn = service, schema, dsn
        self.pool, self.producer, self.routing = pool, producer, routing
        self.bootstrap_servers, self.config = bootstrap_servers, config
        self._wakeup = asyncio.Event()
        self.is_leader = False
        self.published_total = 0

    async def run(self) -> None:
        """Wait for leadership, then publish until cancelled."""
        lock_conn = await asyncpg.connect(self.dsn)
        try:
            while not await lock_conn.fetchval(
                "SELECT pg_try_advisory_lock(hashtext('polc.relay.' || $1))", self.schema
            ):
                await asyncio.sleep(self.config.poll_interval_s * 2)
            self.is_leader = True
            await lock_conn.add_listener(outbox_channel(self.schema), self._on_notify)
            await self._lead()
        finally:
            self.is_leader = False
            with contextlib.suppress(Exception):
                await lock_conn.close()

    def _on_notify(self, *_: object) -> None:
        self._wakeup.set()

    async def _lead(self) -> None:
        loop = asyncio.get_running_loop()
        next_epoch_check = 0.0
        next_purge = loop.time() + 60
        failures = 0
        while True:
            try:
                if loop.time() >= next_epoch_check:
                    await self.check_epoch()
                    next_epoch_check = loop.time() + self.config.epoch_check_interval_s
                while await self.publish_pending():
                    pass
                if loop.time() >= next_purge:
                    await self._purge()
                    next_purge = loop.time() + 3600
                failures = 0
            except (KafkaError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
                failures += 1
                delay = min(self.config.max_backoff_s, 0.2 * 2 ** min(failures, 8)) * random.uniform(0.5, 1.0)
                log.warning("outbox relay of %s failed (%s: %s); retrying in %.1fs",
                            self.service, type(error).__name__, error, delay)
                # After a broker failure the broker may come back empty: look at the epoch first.
                next_epoch_check = 0.0
                await asyncio.sleep(delay)
                continue
            await self._update_backlog_metrics()
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), self.config.poll_interval_s)

    async def publish_pending(self) -> int:
        """Publish one batch of unpublished rows; returns how many were published."""
        async with self.pool.acquire() as conn:
            rows = await store.fetch_unpublished(conn, self.config.batch_size)
        if not rows:
            return 0
        await self._send(rows)
        async with self.pool.acquire() as conn:
            await store.mark_published(conn, [r["id"] for r in rows])
        self.published_total += len(rows)
        metrics.OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def _send(self, rows: list[asyncpg.Record]) -> None:
        """Publish ``rows`` and wait until the broker has them all.

        Rows are appended, in id order, to one record batch per partition (the partition the
        producer's default partitioner picks for the key); a full batch is handed to the producer
        before the rest of its partition, and the producer sends a partition's batches in order,
        one at a time. That is what ``send()`` per row does, without its cost per record.
        """
        partitions: dict[str, int] = {}
        builders: dict[tuple[str, int], BatchBuilder] = {}
        futures = []
        for r in rows:
            topic, key = r["topic"], r["record_key"].encode()
            if topic not in partitions:
                partitions[topic] = len(await self.producer.partitions_for(topic))
            tp = (topic, partition_for(key, partitions[topic]))
            record = {"timestamp": None, "key": key, "value": bytes(r["body"]),
                      "headers": [(k, v.encode()) for k, v in sorted(r["headers"].items())]}
            builder = builders.get(tp)
            if builder is None or builder.append(**record) is None:
                if builder is not None:  # full
                    futures.append(await self.producer.send_batch(builder, topic, partition=tp[1]))
                builder = builders[tp] = self.producer.create_batch()
                builder.append(**record)  # the first record always fits
        for (topic, partition), builder in builders.items():
            futures.append(await self.producer.send_batch(builder, topic, partition=partition))
        await asyncio.gather(*futures)

    async def check_epoch(self) -> bool:
        """Republish the retained outbox if the broker lost our marker; True if it did."""
        async with self.pool.acquire() as conn:
            token = await store.get_epoch_token(conn)
        await kafka.ensure_topics(self.bootstrap_servers, kafka.topic_specs(self.routing))
        markers = await kafka.read_epoch_tokens(self.bootstrap_servers, self.routing.epoch_topic)
        if token is not None and any(m.get("token") == str(token) for m in markers):
            return False
        republished = await self._republish_retained() if token is not None else 0
        new_token = uuid4()
        await kafka.write_epoch_token(self.producer, self.routing.epoch_topic, self.service, new_token)
        async with self.pool.acquire() as conn:
            await store.set_epoch_token(conn, new_token)
        if token is not None:
            log.warning("broker lost its data; %s republished %d retained messages", self.service, republished)
        return token is not None

    async def _republish_retained(self) -> int:
        last_id, total = 0, 0
        while True:
            async with self.pool.acquire() as conn:
                rows = await store.fetch_retained_after(conn, last_id, self.config.batch_size)
            if not rows:
                return total
            await self._send(rows)
            async with self.pool.acquire() as conn:
                await store.mark_published(conn, [r["id"] for r in rows])
            last_id, total = rows[-1]["id"], total + len(rows)
            metrics.OUTBOX_REPUBLISHED.labels(self.service).inc(len(rows))

    async def _purge(self) -> None:
        async with self.pool.acquire() as conn:
            await store.purge_outbox(conn, self.config.retention)
            await store.purge_inbox(conn, self.config.inbox_retention)

    async def _update_backlog_metrics(self) -> None:
        async with self.pool.acquire() as conn:
            backlog, age = await store.outbox_backlog(conn)
        metrics.OUTBOX_BACKLOG.labels(self.service).set(backlog)
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(age)


@functools.lru_cache(maxsize=65536)
def partition_for(key: bytes, partitions: int) -> int:
    """The partition the producer's default partitioner (Kafka's murmur2) gives ``key``; cached,
    since the pure-Python hash costs more than the rest of a record and keys recur."""
    return DefaultPartitioner()(key, list(range(partitions)), list(range(partitions)))
