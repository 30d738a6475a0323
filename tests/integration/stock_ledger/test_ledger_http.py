"""Catalog, documents, fulfilment and reports through the HTTP API, with events read from the broker."""

from __future__ import annotations

import asyncio
import csv
import io
from decimal import Decimal

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts.base import Envelope
from contracts.examples import example
from contracts.catalog import CreateProduct, ProductDiscovered
from contracts.registry import CATALOG, FULFILMENT
from tests.integration.stock_ledger import messages as m
from tests.integration.stock_ledger.ledger_db import figures
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker
D = Decimal
VAT27 = {"short_name": "27%", "category": "PERCENTAGE", "rate": "0.27"}


def product(sku: str, price: str = "1000", minimum: str | None = None, supplier: str | None = None) -> dict:
    return {"sku": sku, "requested_by": "test", "product": {
        "name": f"Termék {sku}", "unit": "db", "vat": VAT27, "net_price": price, "minimum_stock": minimum,
        "default_supplier_id": supplier, "supplier_item_number": f"SUP-{sku}" if supplier else None}}


async def read_topic(stack, routing, topic, n: int) -> list[Envelope]:
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.bootstrap_servers, group_id=None, auto_offset_reset="earliest")
    await consumer.start()
    try:
        consumer.assign([TopicPartition(routing.name(topic), p) for p in range(topic.partitions)])
        await consumer.seek_to_beginning()
        got: list[Envelope] = []
        async with asyncio.timeout(60):
            while len(got) < n:
                batch = await consumer.getmany(timeout_ms=500)
                got += [Envelope.model_validate_json(r.value) for records in batch.values() for r in records]
        return got
    finally:
        await consumer.stop()


async def test_products_created_and_repriced_here_are_published(api, sender, stack, routing, ledger):
    assert (await api.post("/products", json=product("KAVE", "1000"))).status_code == 201
    r = await api.put("/products/KAVE/price", json={"net_price": "1200", "requested_by": "test"})
    assert r.json()["published"][0]["gross_price"] == "1524.00"
    assert (await api.put("/products/KAVE/price", json={"net_price": "1200", "requested_by": "test"})).json() == {
        "published": []}
    assert (await api.put("/products/NINCS/price", json={"net_price": "1", "requested_by": "t"})).status_code == 404
    # A command from the topic and a product discovered in a shop order.
    topic_cmd = CreateProduct.model_validate(product("TEA"))
    found = example(ProductDiscovered).model_copy(update={"sku": "BOGRE", "shop_id": "teahaz"})
    await sender.send(topic_cmd, found, found.model_copy(update={"sku": "KAVE"}))
    events = await read_topic(stack, routing, CATALOG, 4)
    by_sku = {(e.payload["sku"], e.message_type): e.payload for e in events}
    assert set(by_sku) == {("KAVE", "ProductCreated"), ("KAVE", "ProductPriceChanged"), ("TEA", "ProductCreated"),
                           ("BOGRE", "ProductCreated")}
    assert by_sku[("KAVE", "ProductPriceChanged")]["price_version"] == 2
    assert by_sku[("BOGRE", "ProductCreated")]["origin"] == "teahaz"
    assert by_sku[("BOGRE", "ProductCreated")]["product"]["shop_ids"] == ["teahaz"]
    assert by_sku[("KAVE", "ProductCreated")]["origin"] is None
    r = await api.patch("/products/KAVE", json={"minimum_stock": "5", "default_supplier_id": "SUP1"})
    assert r.json()["product"]["minimum_stock"] == "5"


async def test_documents_over_http_and_a_refused_adjustment(api, database):
    r = await api.post("/receipts", json=m.receipt("R-1", {"KAVE": 5}).model_dump(mode="json"))
    assert r.status_code == 201 and r.json()["stock_changes"][0]["physical"] == "5"
    r = await api.post("/adjustments", json=m.adjustment("A-1", {"KAVE": -6}).model_dump(mode="json"))
    assert r.status_code == 409 and "not enough stock" in r.json()["detail"]
    r = await api.post("/transfers", json=m.transfer("T-1", {"KAVE": 2}).model_dump(mode="json"))
    assert r.status_code == 201
    assert (await api.post("/receipts", json={"lines": []})).status_code == 422
    stock = {(s["warehouse_id"], s["sku"]): s for s in (await api.get("/stock")).json()["stock"]}
    assert (stock[("BP1", "KAVE")]["physical"], stock[("BP2", "KAVE")]["free"]) == ("3", "2")
    moves = (await api.get("/stock/BP1/KAVE/movements")).json()["movements"]
    assert [(mv["kind"], mv["quantity"]) for mv in moves] == [("transfer_out", "-2"), ("goods_receipt", "5")]
    assert (await figures(database))[("BP1", "KAVE")] == (D(3), D(0), D(0))
    assert (await api.get("/stock/check")).json() == {"consistent": True, "physical": [], "reserved": []}


async def test_fulfilment_allocation_pick_packing_and_purchase(api, sender, stack, routing, database):
    await api.post("/suppliers", json={"supplier_id": "SUP1", "name": "Kávé Nagyker Kft."})
    await api.post("/products", json=product("KAVE", minimum="2", supplier="SUP1"))
    await api.post("/receipts", json=m.receipt("R-1", {"KAVE": 5, "TEA": 2}).model_dump(mode="json"))
    orders = [m.order("o1", {"KAVE": 2}, minutes=1), m.order("o2", {"KAVE": 2, "TEA": 2}, minutes=2),
              m.order("o3", {"KAVE": 2}, minutes=3), m.order("o4", {"KAVE": 1}, minutes=4)]
    await sender.send(*orders)
    await wait_for(lambda: _reserved(database, ("BP1", "KAVE"), D(7)))
    listed = (await api.get("/fulfilment/orders")).json()["orders"]
    assert [(o["shop_order_id"], o["fulfillable"]) for o in listed] == [
        ("o1", True), ("o2", True), ("o3", False), ("o4", True)]
    assert listed[2]["shortages"] == [{"sku": "KAVE", "needed": "2", "available": "1", "missing": "1"}]
    # Paid first changes the allocation.
    paid = (await api.get("/fulfilment/orders", params={"paid_first": "1"})).json()["orders"]
    assert [o["rank"] for o in paid] == [1, 2, 3, 4]
    selection = {"orders": [{"shop_id": "kavepor", "shop_order_id": o} for o in ("o1", "o2", "o4")]}
    pick = (await api.post("/fulfilment/pick-summary", json=selection)).json()
    assert {p["sku"]: p["quantity"] for p in pick["products"]} == {"KAVE": "5", "TEA": "2"}
    assert [o["order_number"] for o in pick["orders"]] == ["ON-o1", "ON-o2", "ON-o4"]
    pdf = await api.post("/fulfilment/packing-summary", params={"format": "pdf"}, json=selection)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    short = {"orders": [{"shop_id": "kavepor", "shop_order_id": "o3"}]}
    purchase = (await api.post("/fulfilment/purchase-summary", json=short)).json()["products"]
    assert [(p["sku"], p["needed"], p["available"], p["to_purchase"], p["supplier_item_number"]) for p in purchase] == [
        ("KAVE", "2", "0", "2", "SUP-KAVE")]
    unknown = {"orders": [{"shop_id": "kavepor", "shop_order_id": "nincs"}]}
    assert (await api.post("/fulfilment/pick-summary", json=unknown)).status_code == 404
    packed = (await api.post("/fulfilment/packed", json={**selection, "packed_by": "anna"})).json()["packed"]
    assert len(packed) == 3
    events = await read_topic(stack, routing, FULFILMENT, 3)
    assert {e.payload["shop_order_id"] for e in events} == {"o1", "o2", "o4"}


async def test_stock_report_json_and_csv(api, sender, database):
    await api.post("/suppliers", json={"supplier_id": "SUP1", "name": "Kávé Nagyker Kft."})
    await api.post("/warehouses", json={"warehouse_id": "BP1", "name": "Budapest"})
    await api.post("/products", json=product("KAVE", minimum="4", supplier="SUP1"))
    await api.post("/products", json=product("TEA", minimum="1"))
    await api.post("/purchase-orders", json=m.purchase_order("PO-1", {"KAVE": 1}).model_dump(mode="json"))
    await api.post("/receipts", json=m.receipt("R-1", {"KAVE": 3, "TEA": 5}).model_dump(mode="json"))
    await sender.send(m.order("o1", {"KAVE": 5}))
    await wait_for(lambda: _reserved(database, ("BP1", "KAVE"), D(5)))
    rows = (await api.get("/stock/report", params={"suppliers": "1"})).json()["rows"]
    kave = next(r for r in rows if r["sku"] == "KAVE")
    assert (kave["physical"], kave["reserved"], kave["free"], kave["minimum"], kave["incoming"], kave["to_purchase"]) \
        == ("3", "5", "-2", "4", "1", "5")
    assert (kave["default_supplier_id"], kave["supplier_item_number"], kave["supplier_name"]) == (
        "SUP1", "SUP-KAVE", "Kávé Nagyker Kft.")
    only = (await api.get("/stock/report", params={"to_purchase": "1"})).json()["rows"]
    assert [r["sku"] for r in only] == ["KAVE"]
    text = (await api.get("/stock/report.csv", params={"suppliers": "1"})).text
    table = list(csv.DictReader(io.StringIO(text)))
    assert {r["sku"]: r["to_purchase"] for r in table} == {"KAVE": "5", "TEA": "0"}


async def _reserved(database, key, quantity):
    got = (await figures(database)).get(key)
    return got is not None and got[1] == quantity


async def test_cli_talks_to_the_ledger(ledger, capsys):
    from polc.cli import main

    url = ["--ledger-url", f"http://127.0.0.1:{ledger.http.port}"]

    async def polc(*argv: str) -> int:
        return await asyncio.to_thread(main, [*argv[:2], *url, *argv[2:]] if argv[0] in ("stock", "product", "fulfil")
                                       else [argv[0], *url, *argv[1:]])

    assert await polc("product", "create", "KAVE", "--name", "Kávé 250 g", "--price", "2000", "--minimum", "5",
                      "--supplier", "SUP1", "--supplier-item-number", "K-250") == 0
    assert await polc("receipt", "R-1", "KAVE=3", "--warehouse", "BP1", "--supplier", "SUP1") == 0
    assert await polc("adjust", "L-1", "KAVE=2", "--warehouse", "BP1", "--reason", "Leltár", "--count") == 0
    capsys.readouterr()
    assert await polc("stock", "report", "--suppliers", "--csv") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "BP1,KAVE,Kávé 250 g,db,2,0,2,5,0,3,SUP1,,K-250"
    assert await polc("adjust", "A-1", "KAVE=-9", "--warehouse", "BP1", "--reason", "Törött") == 1


async def test_orders_handed_to_the_carrier_are_announced_once(api, sender, stack, routing, database):
    await api.post("/products", json=product("KAVE"))
    await api.post("/receipts", json=m.receipt("R-1", {"KAVE": 5}).model_dump(mode="json"))
    await sender.send(m.order("s1", {"KAVE": 1}, minutes=1), m.order("s2", {"KAVE": 1}, minutes=2))
    await wait_for(lambda: _reserved(database, ("BP1", "KAVE"), D(2)))
    body = {"shipped_by": "anna", "orders": [
        {"shop_id": "kavepor", "shop_order_id": "s1", "carrier": "GLS", "tracking_number": " 1234567890 "},
        {"shop_id": "kavepor", "shop_order_id": "s2"},
        {"shop_id": "kavepor", "shop_order_id": "nincs"}]}
    answer = (await api.post("/fulfilment/shipped", json=body)).json()
    assert {(s["shop_order_id"], s["carrier"], s["tracking_number"]) for s in answer["shipped"]} == {
        ("s1", "GLS", "1234567890"), ("s2", None, None)}
    assert [n["shop_order_id"] for n in answer["not_shipped"]] == ["nincs"]
    again = (await api.post("/fulfilment/shipped", json=body)).json()
    assert again["shipped"] == [] and len(again["not_shipped"]) == 3  # handed over once, announced once
    events = await read_topic(stack, routing, FULFILMENT, 2)
    assert sorted((e.message_type, e.payload["shop_order_id"]) for e in events) == [
        ("OrderShipped", "s1"), ("OrderShipped", "s2")]
    assert {e.key for e in events} == {"kavepor:s1", "kavepor:s2"}
    bad = await api.post("/fulfilment/shipped", json={"orders": [{"shop_id": "kavepor", "shop_order_id": "s1",
                                                                  "carrier": "x" * 101}]})
    assert bad.status_code == 422 and "carrier" in bad.json()["detail"]
