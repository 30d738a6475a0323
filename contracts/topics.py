"""The topic registry: every topic polc publishes or consumes, as data.

A topic carries one or more message types, all keyed the same way. Topic names are versioned
(``...v1``); a breaking change to a message gets a new topic next to the old one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.base import Message


@dataclass(frozen=True)
class Topic:
    """One Kafka topic and what travels on it."""

    name: str
    description: str
    key: str
    """What the record key is, e.g. ``shop_id:order_id``; records with one key stay in order."""
    key_fields: tuple[str, ...]
    """Payload fields joined with ``:`` to make the key."""
    messages: tuple[type[Message], ...]
    publishers: tuple[str, ...]
    subscribers: tuple[str, ...]
    partitions: int = 6
    retention_ms: int = 7 * 24 * 3600 * 1000
    configs: dict[str, str] = field(default_factory=dict)

    def key_for(self, payload: Message) -> str:
        """The record key of ``payload`` on this topic."""
        return ":".join(str(getattr(payload, name)) for name in self.key_fields)

    def topic_configs(self) -> dict[str, str]:
        """Broker-side configs to create the topic with (valid on Apache Kafka)."""
        return {"retention.ms": str(self.retention_ms), **self.configs}


#: Messages that can never be handled go here, byte for byte, with the reason in headers.
DEAD_LETTER_TOPIC = "polc.dead-letter.v1"

#: Headers added to a dead-lettered record.
DLQ_HEADER_REASON = "polc-dlq-reason"
DLQ_HEADER_ERROR = "polc-dlq-error-type"
DLQ_HEADER_SOURCE_TOPIC = "polc-dlq-source-topic"
DLQ_HEADER_SOURCE_PARTITION = "polc-dlq-source-partition"
DLQ_HEADER_SOURCE_OFFSET = "polc-dlq-source-offset"
DLQ_HEADER_GROUP = "polc-dlq-group"
DLQ_HEADER_FAILED_AT = "polc-dlq-failed-at"
