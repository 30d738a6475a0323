"""Building blocks shared by every message: the envelope, the payload base class, money.

A message on the wire is one JSON object, the :class:`Envelope`, whose ``payload`` holds the
message body. Kafka headers repeat the envelope's identifying fields so that consumers can
route, filter and deduplicate without parsing the body.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

#: An amount of money or a quantity that must not lose precision. Serialised as a decimal string
#: ("1234.50"), never as a JSON number, so no consumer ever parses it into a float.
Money = Annotated[
    Decimal,
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "Decimal number as a string"}),
]

#: Stock quantities are decimals too (kilograms, metres), with the same encoding as money.
Quantity = Money

#: ISO 4217 currency code.
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class Message(BaseModel):
    """Base of every message body. Subclasses set ``message_type`` and ``schema_version``.

    Payloads are frozen data with a description on every field and no behaviour. A breaking
    change is a new class with a new ``message_type`` or version and a new topic; an additive
    change adds optional fields only.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    message_type: ClassVar[str]
    schema_version: ClassVar[int] = 1


class Envelope(BaseModel):
    """What travels on every topic: identity, lineage and timing around one message body."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_id: UUID = Field(description="Unique id of this message; consumers deduplicate on it.")
    message_type: str = Field(description="Name of the message body, e.g. OrderReceived.")
    schema_version: int = Field(ge=1, description="Version of the body's schema for this message_type.")
    occurred_at: AwareDatetime = Field(description="When the fact happened or the command was issued (UTC).")
    producer: str = Field(description="Service that produced the message, e.g. order_ingest.")
    correlation_id: UUID = Field(description="Id shared by every message caused by one original request.")
    causation_id: UUID | None = Field(
        default=None, description="message_id of the message whose handling produced this one."
    )
    key: str = Field(description="Partitioning key, as defined by the topic registry.")
    payload: dict[str, Any] = Field(description="The message body; its schema is given by message_type and schema_version.")


#: Header names that repeat envelope fields (values are UTF-8 strings).
HEADER_MESSAGE_ID = "polc-message-id"
HEADER_MESSAGE_TYPE = "polc-message-type"
HEADER_SCHEMA_VERSION = "polc-schema-version"
HEADER_CORRELATION_ID = "polc-correlation-id"
HEADER_CAUSATION_ID = "polc-causation-id"
HEADER_PRODUCER = "polc-producer"

