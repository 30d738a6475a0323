"""A realistic example of every registered message, for golden tests and the AsyncAPI document."""

from __future__ import annotations

from uuid import NAMESPACE_URL, uuid5

from contracts.base import Envelope, Message
from contracts.examples import invoicing, ledger, orders
from contracts.examples.shared import at
from contracts.registry import ALL_MESSAGES, topic_for

#: One example per message class.
EXAMPLES: dict[type[Message], Message] = {type(m): m for m in (*orders.EXAMPLES, *ledger.EXAMPLES, *invoicing.EXAMPLES)}


def example(cls: type[Message]) -> Message:
    """The example of ``cls``; KeyError if it has none."""
    return EXAMPLES[cls]


def example_envelope(cls: type[Message]) -> Envelope:
    """The example of ``cls`` wrapped in an envelope with ids fixed by the message type."""
    message = EXAMPLES[cls]
    ids = [uuid5(NAMESPACE_URL, f"polc:{cls.message_type}:{n}") for n in range(3)]
    return Envelope(
        message_id=ids[0],
        message_type=cls.message_type,
        schema_version=cls.schema_version,
        occurred_at=at(15, 0),
        producer=topic_for(cls).publishers[0],
        correlation_id=ids[1],
        causation_id=ids[2],
        key=topic_for(cls).key_for(message),
        payload=message.model_dump(mode="json"),
    )


__all__ = ["ALL_MESSAGES", "EXAMPLES", "example", "example_envelope"]
