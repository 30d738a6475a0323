"""Outbox rows are written without building envelopes, and published in record batches; they
must read exactly like envelopes and land where the producer would have put them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from contracts.base import Envelope
from contracts.stock import StockChangeCause, StockChanged
from polc.runtime.outbox import EnvelopeEncoder, envelope_headers, new_envelope

EVENT = StockChanged(
    warehouse_id="BP1", sku='KÁVÉ-"1"\\x', version=3, physical=Decimal("10.500"), reserved=Decimal(2),
    free=Decimal("8.500"), incoming=Decimal(0), physical_change=Decimal("0.5"), reserved_change=Decimal(0),
    incoming_change=Decimal(0),
    cause=StockChangeCause(kind="goods_receipt", document_id="R-1", message_id=str(uuid4())),
    changed_at=datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC),
)


def _same_as_envelope(row: tuple, cause: Envelope | None, key: str) -> None:
    message_id, topic, record_key, message_type, headers, body = row
    envelope = Envelope.model_validate_json(body)
    expected = new_envelope(EVENT, key=key, producer="stock_ledger", cause=cause).model_copy(
        update={"message_id": message_id, "occurred_at": envelope.occurred_at,
                "correlation_id": envelope.correlation_id})
    assert body == expected.model_dump_json().encode()
    assert json.loads(headers) == envelope_headers(envelope)
    assert (topic, record_key, message_type) == ("t", key, "StockChanged")
    assert envelope.payload == EVENT.model_dump(mode="json")


def test_a_caused_row_reads_like_its_envelope():
    cause = new_envelope(EVENT, key="k", producer="bench")
    row = EnvelopeEncoder("stock_ledger", datetime.now(UTC)).encode(
        EVENT, "t", 'BP1:KÁVÉ-"1"', EnvelopeEncoder.lineage(cause, None))
    _same_as_envelope(row, cause, 'BP1:KÁVÉ-"1"')
    assert Envelope.model_validate_json(row[5]).correlation_id == cause.correlation_id
    assert Envelope.model_validate_json(row[5]).causation_id == cause.message_id


def test_an_uncaused_row_starts_its_own_correlation_unless_given_one():
    row = EnvelopeEncoder("stock_ledger", datetime.now(UTC)).encode(EVENT, "t", "BP1:X", (None, None))
    _same_as_envelope(row, None, "BP1:X")
    assert Envelope.model_validate_json(row[5]).correlation_id == row[0]
    given = uuid4()
    row = EnvelopeEncoder("stock_ledger", datetime.now(UTC)).encode(
        EVENT, "t", "BP1:X", EnvelopeEncoder.lineage(None, given))
    assert Envelope.model_validate_json(row[5]).correlation_id == given
    assert json.loads(row[4])["polc-correlation-id"] == str(given)


def test_the_relay_picks_the_partition_the_producer_would():
    from aiokafka.partitioner import DefaultPartitioner, murmur2

    from polc.runtime.relay import partition_for

    for key in [b"", b"BP1:KAVE", "BP1:KÁVÉ".encode(), b"shop1:10042", b"x" * 300]:
        for count in (1, 6, 12):
            assert partition_for(key, count) == (murmur2(key) & 0x7FFFFFFF) % count
            assert partition_for(key, count) == DefaultPartitioner()(key, list(range(count)), list(range(count)))
