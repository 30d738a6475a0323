"""The simulator's raw rows: orders and products served with whatever fields a broken shop sends."""

from __future__ import annotations

import json

import httpx
import pytest

from polc.shoprenter_sim import BackgroundSimulator, ShopSpec


@pytest.fixture(scope="module")
def raw_sim():
    with BackgroundSimulator([ShopSpec(name="raw", rate_limit_per_second=100, seed_orders=0)]) as running:
        yield running


def _api(sim: BackgroundSimulator, path: str) -> httpx.Response:
    creds = sim.credentials("raw")
    return httpx.get(f"{sim.api_base_url('raw')}/{path}", auth=(creds["username"], creds["password"]),
                     headers={"Accept": "application/json"}, timeout=10)


def test_a_raw_order_is_served_with_the_fields_as_set(raw_sim):
    control = f"{raw_sim.base_url}/_control/shops/raw"
    placed = httpx.post(f"{control}/raw-orders", headers={"Content-Type": "application/json"}, content=json.dumps({
        "order": {"lines": [{"sku": "RUBIK-3X3", "quantity": 1}]},
        "set": {"email": 12345, "comment": "bad \udcf5 byte"}, "unset": ["lastname"],
        "line_set": {"stock1": "-3"}, "total_set": {"TOTAL": {"value": "abc"}}, "drop_totals": ["SHIPPING"],
    }), timeout=10)
    assert placed.status_code == 201, placed.text
    response = _api(raw_sim, f"orderExtend/{placed.json()['id']}")
    assert response.status_code == 200
    assert b"\\udcf5" in response.content  # a lone surrogate goes out as a JSON escape, still valid JSON
    order = response.json()
    assert order["email"] == 12345 and "lastname" not in order
    assert order["comment"] == "bad \udcf5 byte"
    assert [line["stock1"] for line in order["orderProducts"]] == ["-3"]
    totals = {t["type"]: t["value"] for t in order["orderTotals"]}
    assert totals["TOTAL"] == "abc" and "SHIPPING" not in totals


def test_a_raw_product_is_served_and_orderable(raw_sim):
    control = f"{raw_sim.base_url}/_control/shops/raw"
    made = httpx.post(f"{control}/raw-products", json={"sku": "RAW-1", "name": "<b>Nyers</b>", "price": 500,
                                                      "set": {"price": "sok"}}, timeout=10)
    assert made.status_code == 201, made.text
    assert httpx.post(f"{control}/raw-products", json={"sku": "RAW-1"}, timeout=10).status_code == 409
    product = _api(raw_sim, "productExtend?sku=RAW-1&full=1").json()["items"][0]
    assert product["price"] == "sok"
    assert product["productDescriptions"][0]["name"] == "<b>Nyers</b>"


def test_ordinary_orders_are_unchanged(raw_sim):
    placed = httpx.post(f"{raw_sim.base_url}/_control/shops/raw/orders",
                        json={"lines": [{"sku": "TOJAS-10", "quantity": 2}]}, timeout=10)
    assert placed.status_code == 201
    response = _api(raw_sim, f"orderExtend/{placed.json()['id']}")
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["orderProducts"][0]["stock1"] == "2"


def test_a_product_can_break_after_it_was_ordered(raw_sim):
    control = f"{raw_sim.base_url}/_control/shops/raw"
    assert httpx.post(f"{control}/raw-products", json={"sku": "RAW-2", "price": 700}, timeout=10).status_code == 201
    assert httpx.post(f"{control}/orders", json={"lines": [{"sku": "RAW-2", "quantity": 1}]},
                      timeout=10).status_code == 201
    changed = httpx.patch(f"{control}/raw-products/RAW-2", json={"set": {"price": "x"}, "unset": ["taxClass"]},
                          timeout=10)
    assert changed.status_code == 200
    product = _api(raw_sim, "productExtend?sku=RAW-2&full=1").json()["items"][0]
    assert product["price"] == "x" and "taxClass" not in product
    assert httpx.patch(f"{control}/raw-products/NOPE", json={}, timeout=10).status_code == 404
