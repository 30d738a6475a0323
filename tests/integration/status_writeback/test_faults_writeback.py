"""Injected 429/5xx answers and rejected batch items lose no order status write and write none twice."""

from __future__ import annotations

import pytest

from contracts.examples.invoicing import EXAMPLES
from contracts.invoices import InvoiceIssued
from tests.integration.status_writeback.conftest import api, outbox, settled
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker


async def test_faults_delay_order_status_writes_but_lose_and_repeat_none(services, control, fresh_shop, sender):
    shop = fresh_shop()
    orders = [control.place_guest_order(shop, n) for n in range(4)]
    ingest = await services.start_ingest()
    await services.add_shop(shop)
    await services.sync(shop)
    # Two attempts per request inside the client, so a run of failures reaches the pending rows.
    push = await services.start_push(shop_max_attempts=2)
    mapping = await services.map_statuses(shop, invoiced="Feldolgozás alatt")
    stubborn = orders[0]["id"]
    control.faults(shop, fail_next=[500, 503, 429, 500, 504, 500], fail_batch_items_matching=[stubborn])

    example = next(m for m in EXAMPLES if isinstance(m, InvoiceIssued))
    numbers = {o["id"]: f"SW-2026-{100 + n:06d}" for n, o in enumerate(orders)}
    await sender.send(*[example.model_copy(update={"shop_id": shop, "shop_order_id": oid, "invoice_number": number})
                        for oid, number in numbers.items()], producer="invoicing")

    async def others_written_and_stubborn_reported():
        written = {w.shop_order_id for w in await outbox(push, "ShopOrderStatusWritten")}
        failed = await outbox(push, "ShopWriteFailed")
        return written == set(numbers) - {stubborn} and any(f.shop_order_id == stubborn for f in failed)
    await wait_for(others_written_and_stubborn_reported, timeout_s=120)
    async with api(push) as http:
        waiting = (await http.get("/pending", params={"shop": shop})).json()["order_status"]
    assert [(p["shop_order_id"], p["invoice_number"]) for p in waiting] == [(stubborn, numbers[stubborn])]
    assert waiting[0]["attempts"] >= 1 and waiting[0]["last_status"] == 400

    control.faults(shop)  # the shop accepts the write again
    await settled(push, 4)

    failed = await outbox(push, "ShopWriteFailed")
    assert failed and all(f.write == "order_status" and f.will_retry for f in failed)
    assert {f.error for f in failed} <= {"unavailable", "rejected"}
    assert len([f for f in failed if f.shop_order_id == stubborn]) == 1  # reported once, not per try
    assert control.stats(shop)["faults_injected"] >= 6
    for oid, number in numbers.items():
        assert len(control.order_writes(shop, oid)) == 1, oid  # confirmed exactly once
        shown = control.order(shop, oid)
        assert shown["invoicePrefix"] + shown["invoiceId"] == number
        assert control.status_of(shop, oid) == mapping["invoiced"]["shop_status_id"]
    assert sorted(w.shop_order_id for w in await outbox(push, "ShopOrderStatusWritten")) == sorted(numbers)

    before = {t: len(await outbox(ingest, t)) for t in ("OrderReceived", "OrderStatusChanged", "OrderCancelled")}
    await services.sync(shop)
    assert {t: len(await outbox(ingest, t)) for t in before} == before == {
        "OrderReceived": 4, "OrderStatusChanged": 0, "OrderCancelled": 0}
