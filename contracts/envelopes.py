"""Wrapping messages for the wire: record key, envelope and Kafka headers."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from contracts.base import (
    HEADER_CAUSATION_ID,
    HEADER_CORRELATION_ID,
    HEADER_MESSAGE_ID,
    HEADER_MESSAGE_TYPE,
    HEADER_PRODUCER,
    HEADER_SCHEMA_VERSION,
    Envelope,
    Message,
)
from contracts.registry import parse_payload, topic_for

__all__ = ["envelope_for", "headers_for", "key_for", "parse_payload"]


def key_for(message: Message) -> str:
    """The record key of ``message`` on its topic."""
    return topic_for(message).key_for(message)


def envelope_for(
    message: Message,
    *,
    producer: str,
    correlation_id: UUID | None = None,
    causation_id: UUID | None = None,
    message_id: UUID | None = None,
    occurred_at: datetime | None = None,
) -> Envelope:
    """Wrap ``message`` for publishing; a message that starts a flow is its own correlation."""
    message_id = message_id or uuid4()
    return Envelope(
        message_id=message_id,
        message_type=message.message_type,
        schema_version=message.schema_version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=producer,
        correlation_id=correlation_id or message_id,
        causation_id=causation_id,
        key=key_for(message),
        payload=message.model_dump(mode="json"),
    )


def headers_for(envelope: Envelope) -> dict[str, str]:
    """Kafka headers repeating the envelope's identifying fields."""
    headers = {
        HEADER_MESSAGE_ID: str(envelope.message_id),
        HEADER_MESSAGE_TYPE: envelope.message_type,
        HEADER_SCHEMA_VERSION: str(envelope.schema_version),
        HEADER_CORRELATION_ID: str(envelope.correlation_id),
        HEADER_PRODUCER: envelope.producer,
    }
    if envelope.causation_id is not None:
        headers[HEADER_CAUSATION_ID] = str(envelope.causation_id)
    return headers
