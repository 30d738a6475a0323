"""Invoicing a basket of shop orders moves each to the mapped status with its invoice number, and
the next ingest poll imports nothing from those writes (real broker, PostgreSQL, simulator over HTTP)."""

from __future__ import annotations

import pytest

from services.webshop_push.order_status import split_invoice_number
from tests.integration.status_writeback.conftest import api, outbox, settled
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker


async def test_invoicing_a_basket_writes_the_mapped_status_and_the_invoice_number_to_each_shop_order(
        services, control, fresh_shop):
    shop = fresh_shop()
    orders = [control.place_guest_order(shop, n) for n in range(3)]
    ingest = await services.start_ingest()
    await services.add_shop(shop)
    await services.sync(shop)
    assert len(await outbox(ingest, "OrderReceived")) == 3

    push = await services.start_push()
    invoicing = await services.start_invoicing(shop)
    mapping = await services.map_statuses(shop, invoiced="Feldolgozás alatt", shipped="Szállítás alatt",
                                          cancelled="visszavonva")
    assert mapping["packed"] is None and mapping["cancelled"]["status_name"] == "Visszavonva"

    async with api(invoicing) as http:
        async def known() -> bool:
            answers = [await http.get(f"/orders/{shop}/{o['id']}") for o in orders]
            return all(a.status_code == 200 for a in answers)
        await wait_for(known, timeout_s=120)
        refs = [{"shop_id": shop, "shop_order_id": o["id"]} for o in orders]
        assert (await http.post("/baskets/sw/orders", json={"orders": refs})).status_code == 202
        assert (await http.post("/baskets/sw/invoice", json={"batch_id": "sw-batch-1"})).status_code == 202

    async def all_written():
        found = await outbox(push, "ShopOrderStatusWritten")
        return found if len(found) >= 3 else None
    written = {w.shop_order_id: w for w in await wait_for(all_written, timeout_s=300)}
    issued = {i.shop_order_id: i.invoice_number for i in await outbox(invoicing, "InvoiceIssued")}
    assert set(written) == set(issued) == {o["id"] for o in orders}

    invoiced_status = mapping["invoiced"]["shop_status_id"]
    for order in orders:
        event = written[order["id"]]
        assert (event.trigger, event.shop_status_id, event.status_name) == ("invoiced", invoiced_status,
                                                                            "Feldolgozás alatt")
        assert event.invoice_number == issued[order["id"]] and event.status_changed is True
        shown = control.order(shop, order["id"])
        prefix, digits = split_invoice_number(issued[order["id"]])
        assert control.status_of(shop, order["id"]) == invoiced_status
        assert (shown["invoicePrefix"], shown["invoiceId"]) == (prefix, digits)
        assert shown["invoicePrefix"] + shown["invoiceId"] == issued[order["id"]]
        assert len(control.order_writes(shop, order["id"])) == 1  # one write per order, status and number together
    assert all(w["via_batch"] for o in orders for w in control.order_writes(shop, o["id"]))

    # The next poll sees the three changed orders and creates no work from them.
    before = {t: len(await outbox(ingest, t)) for t in ("OrderReceived", "OrderStatusChanged", "OrderCancelled")}
    await services.sync(shop)
    after = {t: len(await outbox(ingest, t)) for t in before}
    assert after == before == {"OrderReceived": 3, "OrderStatusChanged": 0, "OrderCancelled": 0}
    async with api(ingest) as http:
        rows = (await http.get("/orders", params={"shop": shop})).json()["orders"]
    assert {r["status_name"] for r in rows} == {"Feldolgozás alatt"}
    await settled(push, 3)
    assert not await outbox(push, "ShopWriteFailed")
