"""Writing messages to the transactional outbox, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg

from contracts import base
from contracts.base import Envelope, Message
from polc.runtime import store
from polc.runtime.routing import Routing


def outbox_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel that wakes a service's relay."""
    return f"polc_outbox_{schema}"


def new_envelope(
    payload: Message,
    *,
    key: str,
    producer: str,
    cause: Envelope | None = None,
    correlation_id: UUID | None = None,
) -> Envelope:
    """Wrap ``payload``; a message caused by another inherits its correlation id."""
    message_id = uuid4()
    return Envelope(
        message_id=message_id,
        message_type=payload.message_type,
        schema_version=payload.schema_version,
        occurred_at=datetime.now(UTC),
        producer=producer,
        correlation_id=cause.correlation_id if cause else (correlation_id or message_id),
        causation_id=cause.message_id if cause else None,
        key=key,
        payload=payload.model_dump(mode="json"),
    )


def envelope_headers(envelope: Envelope) -> dict[str, str]:
    headers = {
        base.HEADER_MESSAGE_ID: str(envelope.message_id),
        base.HEADER_MESSAGE_TYPE: envelope.message_type,
        base.HEADER_SCHEMA_VERSION: str(envelope.schema_version),
        base.HEADER_CORRELATION_ID: str(envelope.correlation_id),
        base.HEADER_PRODUCER: envelope.producer,
    }
    if envelope.causation_id:
        headers[base.HEADER_CAUSATION_ID] = str(envelope.causation_id)
    return headers


async def enqueue(
    conn: asyncpg.Connection,
    messages: Sequence[Message],
    *,
    routing: Routing,
    producer: str,
    schema: str,
    cause: Envelope | None = None,
    correlation_id: UUID | None = None,
) -> list[Envelope]:
    """Add ``messages`` to the outbox in the current transaction; they go out after commit.

    Transactions writing to the same topic and key are serialised here, so the relay, which
    publishes in outbox id order, publishes each key's messages in commit order.
    """
    return await enqueue_caused(conn, [(messages, cause)], routing=routing, producer=producer, schema=schema,
                                correlation_id=correlation_id)


async def enqueue_caused(
    conn: asyncpg.Connection,
    batches: Sequence[tuple[Sequence[Message], Envelope | None]],
    *,
    routing: Routing,
    producer: str,
    schema: str,
    correlation_id: UUID | None = None,
) -> list[Envelope]:
    """:func:`enqueue` for several groups of messages, each with its own cause, in one statement."""
    if not conn.is_in_transaction():
        raise RuntimeError("enqueue must run inside the transaction that makes the change")
    rows, envelopes = [], []
    for messages, cause in batches:
        for payload in messages:
            topic = routing.topic_for(type(payload))
            env = new_envelope(
                payload, key=topic.key_for(payload), producer=producer, cause=cause, correlation_id=correlation_id
            )
            envelopes.append(env)
            rows.append((env.message_id, routing.name(topic), env.key, env.message_type,
                         envelope_headers(env), env.model_dump_json().encode()))
    if rows:
        await store.write_outbox(conn, rows, outbox_channel(schema))
    return envelopes


async def enqueue_raw(conn: asyncpg.Connection, *, topic: str, key: str, headers: dict[str, str], body: bytes,
                      schema: str, message_type: str) -> None:
    """Add a record that is not a polc envelope (a dead letter's original bytes) to the outbox."""
    await store.write_outbox(conn, [(uuid4(), topic, key, message_type, headers, body)], outbox_channel(schema))
