"""Review queue, status changes, re-polls, duplicate deliveries and two instances side by side."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from contracts.sync import SyncRequested
from polc.runtime.outbox import envelope_headers, new_envelope
from tests.integration.order_ingest.topics import of_type, read_topic
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker


async def test_bad_orders_wait_in_review_while_the_rest_flow_and_import_once_fixed(
        sim, control, shop_names, start_ingest, stack, topic_prefix):
    (shop,) = shop_names(1)
    ingest = await start_ingest()
    async with ingest.runtime.pool.acquire() as conn:  # a back office without the AAM key the shop names
        await conn.execute("DELETE FROM vat_keys WHERE short_name = 'AAM'")
    await ingest.add_shop(sim, shop)
    exempt = control.place_order(shop, lines=[{"sku": "TERITO-KAL-80", "quantity": 1}])  # AAM: no VAT key
    good = control.place_order(shop, lines=[{"sku": "BAL-ROZE-24", "quantity": 2}])
    wrong = control.place_order(shop, lines=[{"sku": "RUBIK-3X3", "quantity": 1}])
    total_row = next(t for t in control.api(shop, "GET", f"orderTotals?orderId={wrong['id']}&full=1")["items"]
                     if t["type"] == "TOTAL")
    control.api(shop, "PUT", f"orderTotals/{total_row['id']}", {"value": float(wrong["total"]) + 100})

    await ingest.sync(shop)

    assert [o["shop_order_id"] for o in await ingest.orders(shop)] == [good["id"]]
    held = {i["shop_order_id"]: i for i in await ingest.review()}
    assert held[exempt["id"]]["reason"] == "unknown_vat_name" and "AAM" in held[exempt["id"]]["detail"]
    assert held[wrong["id"]]["reason"] == "totals_mismatch" and held[wrong["id"]]["difference"] == "100.0000"
    assert held[wrong["id"]]["raw"]["id"] == wrong["id"]
    await ingest.sync(shop)  # polled again: still held, announced once
    review_topic = f"{topic_prefix}polc.orders.review.v1"
    found = await read_topic(stack.bootstrap_servers, review_topic,
                             until=lambda f: len(of_type(f, "OrderQuarantined")) >= 2)
    assert sorted(e.payload["reason"] for e in of_type(found, "OrderQuarantined")) == ["totals_mismatch",
                                                                                       "unknown_vat_name"]

    resp = await ingest.http.put("/vat-keys/AAM", json={"category": "EXEMPTION", "nav_case": "AAM",
                                                        "exemption_reason": "Áfa tv. XIII. fejezet (alanyi adómentes)"})
    assert resp.status_code == 200

    async def imported() -> bool:
        return len(await ingest.orders(shop)) == 2
    await wait_for(imported, timeout_s=30)
    doc = await ingest.document(shop, exempt["id"])
    assert doc["lines"][0]["vat"] == {"short_name": "AAM", "category": "EXEMPTION", "rate": None, "nav_case": "AAM",
                                      "exemption_reason": "Áfa tv. XIII. fejezet (alanyi adómentes)"}
    assert [i["shop_order_id"] for i in await ingest.review()] == [wrong["id"]]
    found = await read_topic(stack.bootstrap_servers, review_topic,
                             until=lambda f: bool(of_type(f, "OrderReviewResolved")))
    resolved = of_type(found, "OrderReviewResolved")[0].payload
    assert resolved["shop_order_id"] == exempt["id"] and resolved["outcome"] == "imported"


async def test_status_changes_and_cancellations_are_published(sim, control, shop_names, start_ingest,
                                                              stack, topic_prefix):
    (shop,) = shop_names(1)
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop)
    one = control.place_order(shop, lines=[{"sku": "TOJAS-10", "quantity": 1}])
    two = control.place_order(shop, lines=[{"sku": "KAL-PAP-100", "quantity": 1}])
    await ingest.sync(shop)
    await asyncio.sleep(1.1)  # dateUpdated has second precision: the change is one second later
    control.set_status(shop, one["inner_id"], 2)
    control.set_status(shop, two["inner_id"], 7)
    await ingest.sync(shop)
    await ingest.sync(shop)  # seen again: nothing new

    found = await read_topic(stack.bootstrap_servers, f"{topic_prefix}polc.orders.v1",
                             until=lambda f: bool(of_type(f, "OrderCancelled")) and bool(of_type(f, "OrderStatusChanged")))
    changed = of_type(found, "OrderStatusChanged")
    cancelled = of_type(found, "OrderCancelled")
    assert len(changed) == 1 and len(cancelled) == 1
    assert changed[0].payload["status"]["name"] == "Feldolgozás alatt"
    assert changed[0].payload["previous_status"]["name"] == "Függőben"
    assert cancelled[0].payload["shop_order_id"] == two["id"] and cancelled[0].payload["source"] == "shop"
    assert cancelled[0].payload["warehouse_id"] == f"WH-{shop.upper()}"
    assert cancelled[0].key == f"{shop}:{two['id']}"
    orders = {o["shop_order_id"]: o for o in await ingest.orders(shop)}
    assert orders[two["id"]]["is_open"] is False and orders[one["id"]]["is_open"] is True


async def test_repolls_and_duplicate_sync_requests_create_no_duplicates(sim, control, shop_names, start_ingest,
                                                                        stack, topic_prefix):
    (shop,) = shop_names(1)
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop)
    for sku in ("TOJAS-10", "RUBIK-3X3", "PICK-TSZ-500"):
        control.place_order(shop, lines=[{"sku": sku, "quantity": 1}])
    await ingest.sync(shop)
    await ingest.sync(shop)

    command = SyncRequested(shop_id=shop, request_id="fence-1", requested_by="webshop_push")
    routing = ingest.runtime.routing
    envelope = new_envelope(command, key=shop, producer="webshop_push")
    producer = AIOKafkaProducer(bootstrap_servers=stack.bootstrap_servers)
    await producer.start()
    try:
        for _ in range(2):  # the same message delivered twice
            await producer.send_and_wait(routing.name(routing.topic_for(SyncRequested)),
                                         value=envelope.model_dump_json().encode(), key=shop.encode(),
                                         headers=[(k, v.encode()) for k, v in envelope_headers(envelope).items()])
    finally:
        await producer.stop()
    found = await read_topic(stack.bootstrap_servers, f"{topic_prefix}polc.shops.sync.v1",
                             until=lambda f: any(e.payload.get("request_id") == "fence-1" for e in f))
    answers = [e for e in of_type(found, "SyncCompleted") if e.payload["request_id"] == "fence-1"]
    assert len(answers) == 1 and answers[0].payload["orders_received"] == 0

    orders = await read_topic(stack.bootstrap_servers, f"{topic_prefix}polc.orders.v1",
                              until=lambda f: len(f) >= 3, timeout_s=10)
    assert len(of_type(orders, "OrderReceived")) == 3
    assert len(await ingest.orders(shop)) == 3


async def test_two_instances_produce_exactly_the_result_of_one(sim, control, shop_names, start_ingest,
                                                               stack, topic_prefix):
    a, b = shop_names(2)
    first = await start_ingest()
    second = await start_ingest()
    await first.add_shop(sim, a, series_id="SHARED", series_prefix="W-")
    await first.add_shop(sim, b, series_id="SHARED")
    skus = ["TOJAS-10", "RUBIK-3X3", "PICK-TSZ-500", "KAL-PAP-100", "BAL-ROZE-24"]
    for i in range(12):
        control.place_order(a, lines=[{"sku": skus[i % 5], "quantity": 1}])
        control.place_order(b, lines=[{"sku": skus[(i + 2) % 5], "quantity": 1}],
                            guest={"firstname": "Júlia", "lastname": "Molnár", "email": "molnar.julia@example.hu"})

    await asyncio.gather(*(inst.sync() for inst in (first, second, first, second)))

    orders = await first.orders()
    assert len(orders) == 24
    assert sorted(o["order_number"] for o in orders) == [f"W-{n:06d}" for n in range(1, 25)]
    found = await read_topic(stack.bootstrap_servers, f"{topic_prefix}polc.orders.v1",
                             until=lambda f: len(of_type(f, "OrderReceived")) >= 24, timeout_s=30)
    received = of_type(found, "OrderReceived")
    assert len(received) == 24 and len({(e.payload["shop_id"], e.payload["shop_order_id"]) for e in received}) == 24
    guests = {e.payload["customer"]["customer_id"] for e in received if e.payload["shop_id"] == b}
    assert len(guests) == 1
    discoveries = await read_topic(stack.bootstrap_servers, f"{topic_prefix}polc.catalog.discoveries.v1",
                                   until=lambda f: len(f) >= 10, timeout_s=10)
    assert len(discoveries) == 10  # five SKUs met in each of two shops, announced once each
