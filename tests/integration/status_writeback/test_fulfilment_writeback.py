"""Packed, shipped and cancelled orders: mapped events reach the shop, unmapped ones write nothing,
redelivered or late events never write twice or move a status back, and order_ingest does not
import polc's own writes (these orders are still open, so a missed recognition would publish)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.examples.invoicing import EXAMPLES
from contracts.fulfilment import OrderPacked, OrderShipped
from contracts.invoices import InvoiceIssued
from contracts.orders import OrderCancelled
from services.webshop_push.cli import render_order_status
from tests.integration.status_writeback.conftest import WAREHOUSE, api, outbox, settled
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def packed(shop: str, order_id: str) -> OrderPacked:
    return OrderPacked(shop_id=shop, shop_order_id=order_id, order_number="N-1", warehouse_id=WAREHOUSE,
                       packed_by="raktar", packed_at=NOW)


def shipped(shop: str, order_id: str) -> OrderShipped:
    return OrderShipped(shop_id=shop, shop_order_id=order_id, order_number="N-1", carrier="GLS",
                        tracking_number="GLS123", shipped_at=NOW)


def cancelled(shop: str, order_id: str) -> OrderCancelled:
    return OrderCancelled(shop_id=shop, shop_order_id=order_id, order_number="N-1", warehouse_id=WAREHOUSE,
                          source="back_office", reason="a vevő lemondta", cancelled_at=NOW)


def invoice(shop: str, order_id: str, number: str) -> InvoiceIssued:
    example = next(m for m in EXAMPLES if isinstance(m, InvoiceIssued))
    return example.model_copy(update={"shop_id": shop, "shop_order_id": order_id, "invoice_number": number})


async def ingest_events(ingest) -> dict[str, int]:
    return {t: len(await outbox(ingest, t)) for t in ("OrderReceived", "OrderStatusChanged", "OrderCancelled")}


async def test_mapped_events_reach_the_shop_once_unmapped_ones_write_nothing_and_ingest_imports_none_of_it(
        services, control, fresh_shop, sender):
    shop = fresh_shop()
    a, b, c = (control.place_guest_order(shop, n) for n in range(3))
    ingest = await services.start_ingest()
    await services.add_shop(shop)
    await services.sync(shop)
    push = await services.start_push()
    mapping = await services.map_statuses(shop, invoiced="Feldolgozás alatt", shipped="Szállítás alatt",
                                          cancelled="Visszavonva")
    pending_status = control.status_of(shop, a["id"])

    await sender.send(packed(shop, a["id"]), shipped(shop, b["id"]), cancelled(shop, c["id"]))
    await settled(push, 3)

    # Unmapped: nothing written, and the explain view says why.
    assert control.order_writes(shop, a["id"]) == [] and control.status_of(shop, a["id"]) == pending_status
    async with api(push) as http:
        explained = (await http.get(f"/shops/{shop}/orders/{a['id']}")).json()
    assert [e["outcome"] for e in explained["events"]] == ["unmapped"] and explained["written"] is None
    assert "unmapped" in render_order_status(explained)
    # Mapped: the shop shows the status.
    assert control.status_of(shop, b["id"]) == mapping["shipped"]["shop_status_id"]
    assert control.status_of(shop, c["id"]) == mapping["cancelled"]["shop_status_id"]
    written = await outbox(push, "ShopOrderStatusWritten")
    assert sorted((w.shop_order_id, w.trigger) for w in written) == sorted([(b["id"], "shipped"),
                                                                            (c["id"], "cancelled")])

    # The next poll sees B (open, shipped) and C (cancelled by the back office) changed by polc
    # and imports neither: no OrderStatusChanged, no second OrderCancelled.
    await services.sync(shop)
    assert await ingest_events(ingest) == {"OrderReceived": 3, "OrderStatusChanged": 0, "OrderCancelled": 0}

    # Redelivered and late events: no second write, no step back; an invoice after shipping
    # writes only its number.
    await sender.send(shipped(shop, b["id"]), packed(shop, b["id"]), cancelled(shop, c["id"]),
                      shipped(shop, c["id"]), invoice(shop, b["id"], "SW-2026-000042"),
                      invoice(shop, b["id"], "SW-2026-000042"))
    await settled(push, 9)
    async with api(push) as http:
        outcomes_b = [e["outcome"] for e in (await http.get(f"/shops/{shop}/orders/{b['id']}")).json()["events"]]
        outcomes_c = [e["outcome"] for e in (await http.get(f"/shops/{shop}/orders/{c['id']}")).json()["events"]]
    # Topics are consumed independently, so only each order's first event is known to come first.
    assert outcomes_b[0] == "queued" and sorted(outcomes_b[1:]) == ["already", "already", "invoice_only", "unmapped"]
    assert outcomes_c[0] == "queued" and sorted(outcomes_c[1:]) == ["after_cancel", "already"]
    writes_b = control.order_writes(shop, b["id"])
    assert [sorted(w["body"]) for w in writes_b] == [["orderStatus"], ["invoiceId", "invoicePrefix"]]
    assert len(control.order_writes(shop, c["id"])) == 1
    shown_b = control.order(shop, b["id"])
    assert shown_b["invoicePrefix"] + shown_b["invoiceId"] == "SW-2026-000042"
    assert control.status_of(shop, b["id"]) == mapping["shipped"]["shop_status_id"]
    last = (await outbox(push, "ShopOrderStatusWritten"))[-1]
    assert (last.shop_order_id, last.status_changed, last.invoice_number, last.status_name) == (
        b["id"], False, "SW-2026-000042", "Szállítás alatt")

    # And after the invoice number was written too.
    before = await ingest_events(ingest)
    await services.sync(shop)
    assert await ingest_events(ingest) == before == {"OrderReceived": 3, "OrderStatusChanged": 0,
                                                     "OrderCancelled": 0}
    async with api(ingest) as http:
        rows = {r["shop_order_id"]: r for r in (await http.get("/orders", params={"shop": shop})).json()["orders"]}
    assert rows[b["id"]]["status_name"] == "Szállítás alatt"
    assert (rows[c["id"]]["status_name"], rows[c["id"]]["is_open"]) == ("Visszavonva", False)

    # A change the shop makes itself is still imported.
    control.set_status(shop, a["inner_id"], 5)
    await services.sync(shop)
    changed = await outbox(ingest, "OrderStatusChanged")
    assert [(e.shop_order_id, e.status.name) for e in changed] == [(a["id"], "Teljesítve")]


async def test_an_order_handed_to_the_carrier_in_the_back_office_shows_in_the_shop(services, control, fresh_shop):
    shop = fresh_shop()
    order = control.place_guest_order(shop, 0)
    await services.start_ingest()
    await services.add_shop(shop)
    ledger = await services.start_ledger()
    await services.sync(shop)
    push = await services.start_push()
    mapping = await services.map_statuses(shop, shipped="Szállítás alatt")

    async def filed() -> bool:
        async with api(ledger) as http:
            listed = (await http.get("/fulfilment/orders")).json()["orders"]
        return any(o["shop_order_id"] == order["id"] for o in listed)

    await wait_for(filed)
    body = {"shipped_by": "raktar", "orders": [{"shop_id": shop, "shop_order_id": order["id"], "carrier": "GLS",
                                                 "tracking_number": "GLS-998877"}]}
    async with api(ledger) as http:
        answer = (await http.post("/fulfilment/shipped", json=body)).json()
    assert [s["shop_order_id"] for s in answer["shipped"]] == [order["id"]]
    # Waiting on push's record of the write (not on the shop, whose API reads share its rate limit).
    written = await wait_for(lambda: outbox(push, "ShopOrderStatusWritten"))
    assert [(w.shop_order_id, w.trigger) for w in written] == [(order["id"], "shipped")]
    assert control.status_of(shop, order["id"]) == mapping["shipped"]["shop_status_id"]
