"""Writing messages to the transactional outbox, inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
from pydantic_core import to_json

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
) -> list[UUID]:
    """Add ``messages`` to the outbox in the current transaction; they go out after commit.
    Returns their message ids.

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
) -> list[UUID]:
    """:func:`enqueue` for several groups of messages, each with its own cause, in one statement;
    the ids of the messages, in order."""
    if not conn.is_in_transaction():
        raise RuntimeError("enqueue must run inside the transaction that makes the change")
    encoder = EnvelopeEncoder(producer, datetime.now(UTC))
    rows = []
    for messages, cause in batches:
        lineage = encoder.lineage(cause, correlation_id)
        for payload in messages:
            topic = routing.topic_for(type(payload))
            rows.append(encoder.encode(payload, routing.name(topic), topic.key_for(payload), lineage))
    if rows:
        await store.write_outbox(conn, rows, outbox_channel(schema))
    return [r[0] for r in rows]


class EnvelopeEncoder:
    """Writes outbox rows without building :class:`Envelope` objects.

    The body is the JSON that ``new_envelope(...).model_dump_json()`` gives, the headers those of
    :func:`envelope_headers` as JSON text, but the payload is serialised once (no dump to a dict,
    no envelope validation, no second serialisation). All messages of one enqueue share its time.
    """

    def __init__(self, producer: str, occurred_at: datetime) -> None:
        self._producer = _json(producer)
        self._occurred_at = _json(occurred_at)

    @staticmethod
    def lineage(cause: Envelope | None, correlation_id: UUID | None) -> tuple[str | None, str | None]:
        """(correlation id, causation id) as text for the messages caused by ``cause``; a message
        without either starts its own correlation."""
        if cause is not None:
            return str(cause.correlation_id), str(cause.message_id)
        return (str(correlation_id) if correlation_id else None), None

    def encode(self, payload: Message, topic: str, key: str,
               lineage: tuple[str | None, str | None]) -> tuple[UUID, str, str, str, str, bytes]:
        """One outbox row: (message_id, topic, record_key, message_type, headers, body)."""
        message_id = uuid4()
        mid = str(message_id)
        correlation, causation = lineage
        correlation = correlation or mid
        message_type, version = payload.message_type, payload.schema_version
        type_json = _json(message_type)
        causation_json = f'"{causation}"' if causation else "null"
        body = (f'{{"message_id":"{mid}","message_type":{type_json},"schema_version":{version},'
                f'"occurred_at":{self._occurred_at},"producer":{self._producer},"correlation_id":"{correlation}",'
                f'"causation_id":{causation_json},"key":{_json(key)},"payload":').encode()
        body += payload.__pydantic_serializer__.to_json(payload) + b"}"
        headers = (f'{{"{base.HEADER_MESSAGE_ID}":"{mid}","{base.HEADER_MESSAGE_TYPE}":{type_json},'
                   f'"{base.HEADER_SCHEMA_VERSION}":"{version}","{base.HEADER_CORRELATION_ID}":"{correlation}",'
                   f'"{base.HEADER_PRODUCER}":{self._producer}'
                   + (f',"{base.HEADER_CAUSATION_ID}":{causation_json}}}' if causation else "}"))
        return message_id, topic, key, message_type, headers, body


def _json(value: object) -> str:
    return to_json(value).decode()


async def enqueue_raw(conn: asyncpg.Connection, *, topic: str, key: str, headers: dict[str, str], body: bytes,
                      schema: str, message_type: str) -> None:
    """Add a record that is not a polc envelope (a dead letter's original bytes) to the outbox."""
    await store.write_outbox(conn, [(uuid4(), topic, key, message_type, json.dumps(headers), body)],
                             outbox_channel(schema))
