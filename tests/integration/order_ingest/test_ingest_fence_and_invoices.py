"""The fence webshop_push relies on (SyncRequested.not_before), invoiced orders closed, paid orders."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiokafka import AIOKafkaProducer

from contracts.base import Message
from contracts.examples.invoicing import EXAMPLES
from contracts.invoices import InvoiceCancelled, InvoiceIssued
from contracts.sync import SyncRequested
from polc.runtime.outbox import envelope_headers, new_envelope
from tests.integration.order_ingest.topics import of_type, read_topic
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker


async def publish(ingest, bootstrap: str, message: Message, key: str) -> None:
    routing = ingest.runtime.routing
    envelope = new_envelope(message, key=key, producer="test")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(routing.name(routing.topic_for(type(message))),
                                     value=envelope.model_dump_json().encode(), key=key.encode(),
                                     headers=[(k, v.encode()) for k, v in envelope_headers(envelope).items()])
    finally:
        await producer.stop()


async def test_a_sync_request_is_answered_by_a_poll_covering_its_not_before_with_the_orders_published(
        sim, control, shop_names, start_ingest, stack, topic_prefix):
    (shop,) = shop_names(1)
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop)
    await ingest.sync(shop)
    order = control.place_order(shop, lines=[{"sku": "TOJAS-10", "quantity": 2}])
    not_before = datetime.now(UTC) + timedelta(seconds=1.5)  # a moment the poll must not start before
    await publish(ingest, stack.bootstrap_servers, SyncRequested(
        shop_id=shop, request_id="push-fence-1", requested_by="webshop_push", not_before=not_before), shop)

    def answered(found) -> bool:
        return any(e.payload["request_id"] == "push-fence-1" for e in of_type(found, "SyncCompleted"))
    found = await read_topic(stack.bootstrap_servers, f"{topic_prefix}polc.shops.sync.v1", until=answered,
                             timeout_s=30)
    answer = next(e.payload for e in of_type(found, "SyncCompleted") if e.payload["request_id"] == "push-fence-1")
    assert answer["trigger"] == "request"
    assert datetime.fromisoformat(answer["watermark"]) >= not_before
    assert order["id"] in answer["order_ids"] and answer["orders_received"] == len(answer["order_ids"])


async def test_an_invoiced_order_is_closed_to_shop_status_changes_and_a_storno_keeps_it_closed(
        sim, control, shop_names, start_ingest, stack, topic_prefix):
    (shop,) = shop_names(1)
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop)
    order = control.place_order(shop, lines=[{"sku": "TOJAS-10", "quantity": 1}])
    await ingest.sync(shop)
    (filed,) = await ingest.orders(shop)
    issued = next(m for m in EXAMPLES if isinstance(m, InvoiceIssued)).model_copy(
        update={"shop_id": shop, "shop_order_id": order["id"], "order_number": filed["order_number"]})
    await publish(ingest, stack.bootstrap_servers, issued, f"{shop}:{order['id']}")

    async def invoiced() -> bool:
        row = (await ingest.http.get(f"/orders/{shop}/{order['id']}")).json()
        return row["invoice_state"] == "invoiced" and row["is_open"] is False
    await wait_for(invoiced, timeout_s=30)

    await asyncio.sleep(1.1)  # dateUpdated has second precision: the change is one second later
    control.set_status(shop, order["inner_id"], 7)
    await ingest.sync(shop)
    row = (await ingest.http.get(f"/orders/{shop}/{order['id']}")).json()
    assert row["status_name"] == "Visszavonva" and row["is_open"] is False
    found = await read_topic(stack.bootstrap_servers, f"{topic_prefix}polc.orders.v1",
                             until=lambda f: False, timeout_s=3)  # everything published so far
    assert of_type(found, "OrderReceived")
    assert not of_type(found, "OrderCancelled") and not of_type(found, "OrderStatusChanged")

    storno = next(m for m in EXAMPLES if isinstance(m, InvoiceCancelled)).model_copy(
        update={"shop_id": shop, "shop_order_id": order["id"], "order_number": filed["order_number"]})
    await publish(ingest, stack.bootstrap_servers, storno, f"{shop}:{order['id']}")

    async def cancelled() -> bool:
        row = (await ingest.http.get(f"/orders/{shop}/{order['id']}")).json()
        return row["invoice_state"] == "invoice_cancelled" and row["is_open"] is False
    await wait_for(cancelled, timeout_s=30)


async def test_exempt_aam_works_out_of_the_box_and_paid_statuses_mark_orders_paid(
        sim, control, shop_names, start_ingest):
    (shop,) = shop_names(1)
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop, paid_status_names=["Függőben"])
    exempt = control.place_order(shop, lines=[{"sku": "TERITO-KAL-80", "quantity": 1}])  # the shop's AAM class
    await ingest.sync(shop)
    assert await ingest.review() == []
    doc = await ingest.document(shop, exempt["id"])
    assert doc["lines"][0]["vat"]["short_name"] == "AAM" and doc["lines"][0]["vat"]["category"] == "EXEMPTION"
    assert doc["is_paid"] is True
    row = (await ingest.http.get(f"/orders/{shop}/{exempt['id']}")).json()
    assert row["is_paid"] is True
