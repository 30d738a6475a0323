"""Orders and products a shop serves broken never block the orders behind them."""

from __future__ import annotations

import json

import httpx
import pytest

pytestmark = pytest.mark.broker


def raw_order(sim, shop: str, body: dict) -> dict:
    resp = httpx.post(f"{sim.base_url}/_control/shops/{shop}/raw-orders", headers={"Content-Type": "application/json"},
                      content=json.dumps(body), timeout=10)
    assert resp.status_code == 201, resp.text
    return resp.json()


def raw_product(sim, shop: str, body: dict) -> None:
    resp = httpx.post(f"{sim.base_url}/_control/shops/{shop}/raw-products", headers={"Content-Type": "application/json"},
                      content=json.dumps(body), timeout=10)
    assert resp.status_code == 201, resp.text


async def test_unreadable_orders_and_products_wait_in_review_while_the_rest_flow(
        sim, control, shop_names, start_ingest):
    (shop,) = shop_names(1)
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop)
    # Text that is not UTF-8 (lone surrogates) and a control character in the customer's comment.
    odd_text = raw_order(sim, shop, {"order": {"lines": [{"sku": "BAL-ROZE-24", "quantity": 1}],
                                               "comment": "rossz \udcf5 bájt \x07 csengő"}})
    # A product whose SKU holds a NUL byte, which no text column can store.
    raw_product(sim, shop, {"sku": "NUL\x00SKU", "name": "Nullás", "price": 500})
    nul_sku = raw_order(sim, shop, {"order": {"lines": [{"sku": "NUL\x00SKU", "quantity": 1}]}})
    # A product the shop serves with its price in words, after the customer bought it.
    raw_product(sim, shop, {"sku": "RAW-ARU-1", "name": "Nyers áru", "price": 500})
    bad_product = raw_order(sim, shop, {"order": {"lines": [{"sku": "RAW-ARU-1", "quantity": 1}]}})
    changed = httpx.patch(f"{sim.base_url}/_control/shops/{shop}/raw-products/RAW-ARU-1",
                          json={"set": {"price": "ötszáz"}}, timeout=10)
    assert changed.status_code == 200, changed.text
    good = control.place_order(shop, lines=[{"sku": "BAL-ROZE-24", "quantity": 2}])

    await ingest.sync(shop)

    filed = {o["shop_order_id"]: o for o in await ingest.orders(shop)}
    held = {i["shop_order_id"]: i for i in await ingest.review()}
    assert good["id"] in filed
    assert nul_sku["id"] in held and "NUL\ufffdSKU" in held[nul_sku["id"]]["detail"]
    assert held[bad_product["id"]]["reason"] == "malformed_data"
    assert "RAW-ARU-1" in held[bad_product["id"]]["detail"] and "price" in held[bad_product["id"]]["detail"]
    # The odd comment is stored as readable text: imported, or held with a reason, never a failed poll.
    assert odd_text["id"] in filed or odd_text["id"] in held
    status = (await ingest.http.get("/sync")).json()
    assert not any(s.get("last_error") for s in status.get("shops", [])), status


async def test_an_unfinished_checkout_is_skipped_and_listed_and_a_missing_customer_waits(
        sim, control, shop_names, start_ingest):
    (shop,) = shop_names(1)
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop)
    line = {"lines": [{"sku": "BAL-ROZE-24", "quantity": 1}]}
    # No status: ShopRenter's "not completed" order, a checkout the customer has not finished.
    unfinished = raw_order(sim, shop, {"order": line, "set": {"orderStatus": None}})
    # A link to customer 9999, whom the shop does not have.
    orphan = raw_order(sim, shop, {"order": line, "set": {"customer": {
        "href": f"{sim.base_url}/{shop}/api/customers/Y3VzdG9tZXItY3VzdG9tZXJfaWQ9OTk5OQ=="}}})
    good = control.place_order(shop, lines=[{"sku": "BAL-ROZE-24", "quantity": 1}])

    await ingest.sync(shop)

    filed = {o["shop_order_id"] for o in await ingest.orders(shop)}
    held = {i["shop_order_id"]: i for i in await ingest.review()}
    skipped = {i["shop_order_id"]: i for i in (await ingest.http.get("/skipped")).json()["items"]}
    assert good["id"] in filed and unfinished["id"] not in filed and unfinished["id"] not in held
    assert skipped[unfinished["id"]]["reason"] == "unfinished_checkout" and skipped[unfinished["id"]]["detail"]
    assert orphan["id"] not in filed and held[orphan["id"]]["reason"] == "malformed_data"
    assert "does not have" in held[orphan["id"]]["detail"]
    assert set(skipped) == {unfinished["id"]}
