"""Handling one consumed record: parse, deduplicate, run the handler, write the outbox.

Delivery semantics, the same on every subscriber:

- at-least-once from the broker: the offset is committed only after this returns;
- effectively once: the inbox row, the handler's domain writes and the outbox rows commit in
  one transaction, so a redelivered message changes nothing;
- transient errors (database or network down) are retried with backoff, in place, without
  limit, so nothing is skipped while the infrastructure recovers;
- anything else is retried ``max_attempts`` times and then dead-lettered with its reason: the
  record goes to the ``dead_letters`` table and, through the outbox, byte for byte to the
  dead-letter topic, in the same transaction; the partition moves on to the records behind it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from pydantic import ValidationError

from contracts import topics as topic_names
from contracts.base import Envelope, Message
from polc.runtime import logs, metrics, store
from polc.runtime.errors import PermanentError, is_transient
from polc.runtime.outbox import enqueue, enqueue_caused, enqueue_raw
from polc.runtime.routing import Routing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawRecord:
    """A consumed Kafka record, independent of the client library."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class Incoming:
    """A parsed message as a handler sees it."""

    envelope: Envelope
    payload: Message
    record: RawRecord


#: A handler runs inside the message's transaction and returns the messages to publish.
Handler = Callable[[asyncpg.Connection, Incoming], Awaitable[Sequence[Message] | None]]

#: Optional, next to a message's handler: handles consecutive messages of its type at once (for
#: set-based statements) and returns, for each in order, what its handler would have returned had
#: they been handled one after the other in the same transaction.
BatchHandler = Callable[[asyncpg.Connection, Sequence[Incoming]], Awaitable[Sequence[Sequence[Message]]]]


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    base_delay_s: float = 0.2
    max_delay_s: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


class _RetryBatch(Exception):
    """A transient failure: roll the whole batch back and handle it again."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class _HandleCarefully(Exception):
    """A record of the batch failed: handle the batch again record by record, with savepoints."""


class MessageProcessor:
    """Handles the records of one consumer group for one service, a polled batch at a time.

    A batch runs in one database transaction. It is first handled in one go: the inbox claims
    of all its records in one statement, each handler (a run of consecutive records of a type
    with a batch handler goes to that in one call), then all outbox rows in one statement.
    If any record fails, the transaction is rolled back and the batch is handled again with a
    savepoint per record, so each record's effects (inbox row, domain writes, outbox rows or its
    dead letter) commit or roll back as a unit. Either way the batch costs one commit and one
    offset commit.
    """

    def __init__(self, *, service: str, schema: str, group: str, pool: asyncpg.Pool,
                 routing: Routing, handlers: dict[type[Message], Handler], retry: RetryPolicy,
                 batch_handlers: dict[type[Message], BatchHandler] | None = None) -> None:
        self.service, self.schema, self.group = service, schema, group
        self.pool, self.routing = pool, routing
        self.handlers = {cls.message_type: (cls, h) for cls, h in handlers.items()}
        self.batch_handlers = {cls.message_type: h for cls, h in (batch_handlers or {}).items() if cls in handlers}
        self.retry = retry

    def parse(self, record: RawRecord) -> tuple[Envelope, type[Message], Handler] | None:
        """The envelope and its handler, None for a type this service does not handle."""
        if record.value is None:
            raise PermanentError("record has no value")
        try:
            envelope = Envelope.model_validate_json(record.value)
        except ValidationError as error:
            raise PermanentError(f"not a polc envelope: {_short(error)}") from error
        entry = self.handlers.get(envelope.message_type)
        if entry is None:
            return None
        cls, handler = entry
        if envelope.schema_version != cls.schema_version:
            raise PermanentError(
                f"{envelope.message_type} schema version {envelope.schema_version} is not handled "
                f"(this service reads version {cls.schema_version})"
            )
        return envelope, cls, handler

    async def process(self, record: RawRecord) -> None:
        """Handle one record completely (see :meth:`process_batch`)."""
        await self.process_batch([record])

    async def process_batch(self, records: Sequence[RawRecord]) -> None:
        """Handle ``records`` completely; raises only when the process is shutting down.

        Transient failures retry the whole batch with backoff, without limit.
        """
        attempt = 0
        careful = len(records) == 1
        while True:
            attempt += 1
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    if careful:
                        for record in records:
                            await self._process_record(conn, record)
                    else:
                        await self._process_in_one_go(conn, records)
                return
            except _HandleCarefully:
                careful, attempt = True, attempt - 1
                continue
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the one broad except: only transient failures get here
                cause = error.cause if isinstance(error, _RetryBatch) else error
                delay = self.retry.delay(min(attempt, 10))
                log.warning("%s: batch of %d records failed (attempt %d, %s: %s); retrying in %.2fs",
                            self.service, len(records), attempt, type(cause).__name__, _short(cause), delay)
                await asyncio.sleep(delay)

    async def _process_in_one_go(self, conn: asyncpg.Connection, records: Sequence[RawRecord]) -> None:
        """The fast path: no savepoints; any failure other than a transient one means
        :class:`_HandleCarefully`."""
        wanted: list[tuple[RawRecord, Envelope, Message, Handler]] = []
        try:
            for record in records:
                parsed = self.parse(record)
                if parsed is not None:
                    envelope, cls, handler = parsed
                    wanted.append((record, envelope, cls.model_validate(envelope.payload), handler))
        except (PermanentError, ValidationError) as error:
            raise _HandleCarefully() from error
        fresh = await store.claim_inbox_many(
            conn, [(e.message_id, e.message_type, r.topic) for r, e, _, _ in wanted])
        todo: list[tuple[Incoming, Handler]] = []
        for record, envelope, payload, handler in wanted:
            if envelope.message_id not in fresh:
                metrics.MESSAGES_DUPLICATE.labels(self.service, envelope.message_type).inc()
                continue
            fresh.discard(envelope.message_id)  # the same message twice in one batch: once
            todo.append((Incoming(envelope=envelope, payload=payload, record=record), handler))
        outgoing: list[tuple[Sequence[Message], Envelope]] = []
        for message_type, run in itertools.groupby(todo, key=lambda item: item[0].envelope.message_type):
            run = list(run)
            try:
                outgoing += await self._handle_run(conn, message_type, run)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # classify: retry the batch or handle it carefully
                if is_transient(error):
                    raise _RetryBatch(error) from error
                raise _HandleCarefully() from error
        await enqueue_caused(conn, outgoing, routing=self.routing, producer=self.service, schema=self.schema)
        for _, envelope in outgoing:
            metrics.MESSAGES_HANDLED.labels(self.service, envelope.message_type).inc()

    async def _handle_run(self, conn: asyncpg.Connection, message_type: str,
                          run: list[tuple[Incoming, Handler]]) -> list[tuple[Sequence[Message], Envelope]]:
        """What consecutive fresh messages of one type produce, each with its envelope."""
        batch_handler = self.batch_handlers.get(message_type)
        if batch_handler is not None and len(run) > 1:
            incoming = [i for i, _ in run]
            with logs.bind(message_type=message_type):
                produced = await batch_handler(conn, incoming)
            if len(produced) != len(incoming):
                raise RuntimeError(f"batch handler of {message_type} answered {len(produced)} of {len(incoming)}")
            return [(list(p or ()), i.envelope) for i, p in zip(incoming, produced)]
        results = []
        for incoming, handler in run:
            envelope = incoming.envelope
            with logs.bind(correlation_id=envelope.correlation_id, message_id=envelope.message_id,
                           message_type=envelope.message_type):
                results.append((list(await handler(conn, incoming) or ()), envelope))
        return results

    async def _process_record(self, conn: asyncpg.Connection, record: RawRecord) -> None:
        message_type = "unknown"
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                parsed = self.parse(record)
                if parsed is None:
                    return
                envelope, cls, handler = parsed
                message_type = envelope.message_type
                with logs.bind(correlation_id=envelope.correlation_id, message_id=envelope.message_id,
                               message_type=message_type), \
                        metrics.HANDLE_SECONDS.labels(self.service, message_type).time():
                    async with conn.transaction():  # a savepoint: this record's effects only
                        await self._handle_once(conn, record, envelope, cls, handler)
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:  # classify: retry the batch, retry the record, or dead-letter
                transient = is_transient(error)
                metrics.MESSAGES_FAILED.labels(
                    self.service, message_type, "transient" if transient else "permanent"
                ).inc()
                if transient:
                    raise _RetryBatch(error) from error
                if isinstance(error, PermanentError) or attempt >= self.retry.max_attempts:
                    await self.dead_letter(conn, record, error)
                    return
                delay = self.retry.delay(attempt)
                log.warning("%s: %s at %s[%d]@%d failed (attempt %d, %s: %s); retrying in %.2fs",
                            self.service, message_type, record.topic, record.partition, record.offset,
                            attempt, type(error).__name__, _short(error), delay)
                await asyncio.sleep(delay)

    async def _handle_once(self, conn: asyncpg.Connection, record: RawRecord, envelope: Envelope,
                           cls: type[Message], handler: Handler) -> None:
        try:
            payload = cls.model_validate(envelope.payload)
        except ValidationError as error:
            raise PermanentError(f"invalid {envelope.message_type} payload: {_short(error)}") from error
        if not await store.claim_inbox_many(conn, [(envelope.message_id, envelope.message_type, record.topic)]):
            metrics.MESSAGES_DUPLICATE.labels(self.service, envelope.message_type).inc()
            return
        produced = await handler(conn, Incoming(envelope=envelope, payload=payload, record=record)) or ()
        await enqueue(conn, list(produced), routing=self.routing, producer=self.service,
                      schema=self.schema, cause=envelope)
        metrics.MESSAGES_HANDLED.labels(self.service, envelope.message_type).inc()

    async def dead_letter(self, conn: asyncpg.Connection, record: RawRecord, error: BaseException) -> None:
        """Record ``record`` in the ``dead_letters`` table and, through the outbox, on the
        dead-letter topic, with the reason; in the batch's transaction."""
        reason = _short(error, 2000)
        extra = {
            topic_names.DLQ_HEADER_REASON: reason,
            topic_names.DLQ_HEADER_ERROR: type(error).__name__,
            topic_names.DLQ_HEADER_SOURCE_TOPIC: record.topic,
            topic_names.DLQ_HEADER_SOURCE_PARTITION: str(record.partition),
            topic_names.DLQ_HEADER_SOURCE_OFFSET: str(record.offset),
            topic_names.DLQ_HEADER_GROUP: self.group,
            topic_names.DLQ_HEADER_FAILED_AT: datetime.now(UTC).isoformat(),
        }
        text_headers = {k: v.decode("utf-8", "replace") for k, v in record.headers}
        key = record.key.decode("utf-8", "replace") if record.key else ""
        await store.insert_dead_letter(conn, {
            "topic": record.topic, "partition": record.partition, "offset": record.offset,
            "group": self.group, "key": key or None,
            "message_id": text_headers.get("polc-message-id"),
            "message_type": text_headers.get("polc-message-type"),
            "error_type": type(error).__name__, "reason": reason,
            "headers": text_headers, "body": record.value,
        })
        await enqueue_raw(conn, topic=self.routing.dead_letter_topic, key=key,
                          headers={**text_headers, **extra}, body=record.value or b"", schema=self.schema,
                          message_type="DeadLetter")
        metrics.DEAD_LETTERS.labels(self.service, record.topic).inc()
        log.error("%s: dead-lettered %s[%d]@%d: %s", self.service, record.topic, record.partition,
                  record.offset, reason)


def _short(error: BaseException, limit: int = 500) -> str:
    text = str(error).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"

