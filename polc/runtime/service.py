"""Running one service: pool, migrations, topics, producer, relay, subscriber and HTTP server.

A service describes itself with a :class:`ServiceSpec` (built in its ``app.py``) and
:class:`ServiceRuntime` does the rest, in this order on start and the reverse on stop.
Nothing connects before :meth:`ServiceRuntime.start`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import asyncpg
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from starlette.routing import BaseRoute

from contracts.base import Message
from contracts.topics import Topic
from polc.runtime import kafka, store
from polc.runtime.consumer import BatchHandler, Handler, MessageProcessor, RawRecord, RetryPolicy
from polc.runtime.db import create_pool
from polc.runtime.http import HttpServer, build_app
from polc.runtime.lag import run_lag_monitor
from polc.runtime.migrations import RUNTIME_MIGRATIONS, migrate
from polc.runtime.outbox import enqueue
from polc.runtime.relay import OutboxRelay, RelayConfig
from polc.runtime.routing import Routing
from polc.runtime.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass
class ServiceSpec:
    """What a service is: its name (also its schema), tables, inputs and HTTP API."""

    name: str
    migrations: Path
    handlers: dict[type[Message], Handler] = field(default_factory=dict)
    batch_handlers: dict[type[Message], BatchHandler] = field(default_factory=dict)
    """Optional, for messages that also have a handler: consecutive ones of a polled batch at once."""
    routes: Sequence[BaseRoute] = ()
    lifespan: Callable[["ServiceRuntime"], AbstractAsyncContextManager[None]] | None = None
    """Creates and closes the service's own clients (HTTP, SMTP) once the pool exists."""
    refresh_metrics: Callable[[asyncpg.Connection], Awaitable[None]] | None = None
    """Sets gauges from the database (pending work, last sync), called every few seconds."""


async def _raw_records(message: KafkaMessage) -> None:
    """The processor reads the raw records itself; nothing to decode here."""
    return None


async def _tolerant_parser(records, original):  # noqa: ANN001, ANN202 - FastStream's parser hook
    """FastStream decodes header values as UTF-8; a record with another header would fail
    before it reaches the processor and block its partition. Such headers are read with
    replacement characters instead, so the record is handled (or dead-lettered) like any other."""
    try:
        return await original(records)
    except UnicodeDecodeError:
        return await original(tuple(
            dataclasses.replace(r, headers=[(k, v.decode("utf-8", "replace").encode()) for k, v in r.headers or ()])
            for r in records))


class ServiceRuntime:
    """The running process of one service."""

    def __init__(self, spec: ServiceSpec, settings: ServiceSettings, routing: Routing) -> None:
        self.spec, self.settings, self.routing = spec, settings, routing
        self.schema = spec.name
        self.pool: asyncpg.Pool | None = None
        self.producer = None
        self.relay: OutboxRelay | None = None
        self.http: HttpServer | None = None
        self._broker: KafkaBroker | None = None
        self._subscriber = None
        self._stack = contextlib.AsyncExitStack()
        self._relay_task: asyncio.Task | None = None

    @property
    def dsn(self) -> str:
        return self.settings.database_url.get_secret_value()

    @property
    def consumed_topics(self) -> list[Topic]:
        wanted = set(self.spec.handlers)
        return [t for t in self.routing.topics if wanted & set(t.messages)]

    async def start(self) -> None:
        s = self.settings
        self.pool = await create_pool(self.dsn, schema=self.schema, max_size=s.db_pool_size)
        self._stack.push_async_callback(self.pool.close)
        async with self.pool.acquire() as conn:
            await migrate(conn, self.schema, {"runtime": RUNTIME_MIGRATIONS, self.spec.name: self.spec.migrations})
        await kafka.ensure_topics(s.kafka_bootstrap_servers, kafka.topic_specs(self.routing),
                                  s.kafka_replication_factor)
        self.producer = kafka.new_producer(s.kafka_bootstrap_servers, f"polc-{self.spec.name}")
        await self.producer.start()
        self._stack.push_async_callback(self.producer.stop)
        if self.spec.lifespan is not None:
            await self._stack.enter_async_context(self.spec.lifespan(self))
        self.relay = OutboxRelay(
            service=self.spec.name, schema=self.schema, dsn=self.dsn, pool=self.pool, producer=self.producer,
            routing=self.routing, bootstrap_servers=s.kafka_bootstrap_servers,
            config=RelayConfig(batch_size=s.outbox_batch_size, poll_interval_s=s.outbox_poll_interval_s,
                               retention=s.outbox_retention, inbox_retention=s.inbox_retention,
                               epoch_check_interval_s=s.epoch_check_interval_s),
        )
        self._relay_task = self._start_task(self.relay.run(), "relay")
        if s.lag_monitor_interval_s > 0:
            self._start_task(run_lag_monitor(s.kafka_bootstrap_servers, self.routing, s.lag_monitor_interval_s),
                             "lag-monitor")
        if self.spec.refresh_metrics is not None:
            self._start_task(self._refresh_metrics_loop(), "metrics")
        if self.spec.handlers:
            await self._start_subscriber()
        self.http = HttpServer(self._http_app(), s.http_host, s.http_port)
        await self.http.start()
        self._stack.push_async_callback(self.http.stop)
        log.info("%s started; HTTP on %s:%d", self.spec.name, self.http.host, self.http.port)

    async def stop(self) -> None:
        await self._stack.aclose()

    async def __aenter__(self) -> "ServiceRuntime":
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _refresh_metrics_loop(self) -> None:
        while True:
            try:
                async with self.pool.acquire() as conn:
                    await self.spec.refresh_metrics(conn)
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
                log.warning("%s: cannot refresh metrics (%s: %s)", self.spec.name, type(error).__name__, error)
            await asyncio.sleep(self.settings.metrics_refresh_interval_s)

    def _start_task(self, coro, purpose: str) -> asyncio.Task:
        """Run ``coro`` in the background until the service stops."""
        task = asyncio.create_task(coro, name=f"{self.spec.name}-{purpose}")

        async def cancel() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        self._stack.push_async_callback(cancel)
        return task

    async def _start_subscriber(self) -> None:
        s = self.settings
        group = self.routing.group(self.spec.name)
        processor = MessageProcessor(
            service=self.spec.name, schema=self.schema, group=group, pool=self.pool, routing=self.routing,
            handlers=self.spec.handlers, batch_handlers=self.spec.batch_handlers,
            retry=RetryPolicy(s.handler_max_attempts, s.retry_base_delay_s, s.retry_max_delay_s),
        )
        broker = KafkaBroker(s.kafka_bootstrap_servers, client_id=f"polc-{self.spec.name}",
                             logger=logging.getLogger(f"polc.{self.spec.name}.broker"))
        topics = [self.routing.name(t) for t in self.consumed_topics]

        # At-least-once: the batch's offsets are committed after the processor returns, which it
        # does only once every record is handled or dead-lettered; it raises only on shutdown.
        subscriber = broker.subscriber(*topics, group_id=group, ack_policy=AckPolicy.NACK_ON_ERROR, batch=True,
                           decoder=_raw_records, parser=_tolerant_parser,
                           max_records=s.consumer_batch_size, batch_timeout_ms=50,
                           auto_offset_reset="earliest", session_timeout_ms=s.kafka_session_timeout_ms,
                           heartbeat_interval_ms=s.kafka_heartbeat_interval_ms,
                           description=f"{self.spec.name}: every message it consumes")

        @subscriber
        async def on_records(message: KafkaMessage) -> None:
            raws = message.raw_message if isinstance(message.raw_message, tuple) else (message.raw_message,)
            await processor.process_batch([
                RawRecord(r.topic, r.partition, r.offset, r.key, r.value, tuple(r.headers or ())) for r in raws
            ])

        await broker.start()
        self._broker = broker
        self._subscriber = subscriber
        self._stack.push_async_callback(broker.stop)
        self._start_task(self._watch_broker_epoch(), "broker-epoch-watch")

    async def _watch_broker_epoch(self) -> None:
        """Read the topics again from the start when the broker lost its data.

        A broker that comes back empty takes this process's consumer positions with it: the
        consumer would go on at its old offsets in the new logs and never see what was written
        there below them (new messages, and the other services' republished outboxes). Every
        process watches the epoch markers the relays write (whether or not its own relay leads):
        when none of the markers it saw last time is there any more, it seeks to the beginning of
        every partition it holds, and its inbox drops what it had already handled.
        """
        seen: set[str] = set()
        interval = min(self.settings.epoch_check_interval_s, 10.0)
        while True:
            try:
                markers = await kafka.read_epoch_tokens(self.settings.kafka_bootstrap_servers,
                                                        self.routing.epoch_topic)
                now = {str(m.get("token")) for m in markers}
                if seen and not seen & now:
                    await self._rewind_consumer()
                seen = now
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the broker is away; look again later
                log.info("%s: broker epoch not readable (%s)", self.spec.name, type(error).__name__)
            await asyncio.sleep(interval)

    async def _rewind_consumer(self) -> None:
        consumer = getattr(self._subscriber, "consumer", None)
        partitions = consumer.assignment() if consumer is not None else set()
        if partitions:
            await consumer.seek_to_beginning(*partitions)
        log.warning("%s: the broker lost its data; reading %d partitions again from the beginning",
                    self.spec.name, len(partitions))

    async def ready(self) -> dict[str, bool]:
        """State of each dependency, for the readiness probe."""
        db_ok = False
        if self.pool is not None:
            with contextlib.suppress(Exception):
                async with self.pool.acquire(timeout=2) as conn:
                    db_ok = await conn.fetchval("SELECT true")
        relay_ok = self._relay_task is not None and not self._relay_task.done()
        return {"database": bool(db_ok), "outbox_relay": relay_ok,
                "subscriber": self._broker is not None or not self.spec.handlers}

    async def _dead_letters(self, limit: int) -> list[dict]:
        async with self.pool.acquire() as conn:
            rows = await store.list_dead_letters(conn, limit)
        return [{**dict(r), "failed_at": r["failed_at"].isoformat()} for r in rows]

    async def enqueue(self, conn: asyncpg.Connection, messages: Sequence[Message], *,
                      correlation_id: UUID | None = None) -> list[UUID]:
        """Publish ``messages`` when ``conn``'s current transaction commits (HTTP and timer paths)."""
        return await enqueue(conn, messages, routing=self.routing, producer=self.spec.name,
                             schema=self.schema, correlation_id=correlation_id)

    def _http_app(self):
        app = build_app(service=self.spec.name, ready=self.ready, dead_letters=self._dead_letters,
                        routes=self.spec.routes)
        app.state.runtime = self  # route handlers reach the pool and enqueue through request.app.state
        return app
