"""The shop page's order status section against fake service APIs: shows the shop's statuses and
the mapping, saves a choice, asks for the list."""

from __future__ import annotations

import httpx

from tests.unit.backoffice.conftest import anonymous, bo_settings, client, fake  # noqa: F401 - fixtures

STATUSES = {
    "shop_id": "demo1", "list": {"fetched_at": "2025-03-01T10:00:00+00:00", "error": None},
    "statuses": [{"shop_status_id": "st-1", "inner_id": "1", "name": "Függőben", "color": None},
                 {"shop_status_id": "st-9", "inner_id": "9", "name": "Számlázva", "color": None}],
    "status_map": {"invoiced": {"shop_status_id": "st-9", "status_name": "Számlázva"}, "packed": None,
                   "shipped": None, "cancelled": None},
}


def test_the_shop_page_shows_the_statuses_and_the_chosen_mapping(client, fake) -> None:
    fake.overrides[("push", "GET", "/shops/demo1/order-statuses")] = lambda r: httpx.Response(200, json=STATUSES)
    page = client.get("/shops/demo1").text
    assert "Rendelésállapot a webshopban" in page
    assert '<option value="st-9" selected>Számlázva</option>' in page
    assert "(nem íródik semmi)" in page


def test_a_shop_without_a_downloaded_list_offers_the_download(client, fake) -> None:
    page = client.get("/shops/demo1").text
    assert "még nincsenek letöltve" in page and "Nem található" not in page


def test_saving_the_mapping_sends_each_event_and_unmapped_ones_as_null(client, fake) -> None:
    fake.overrides[("push", "PUT", "/shops/demo1/status-map")] = lambda r: httpx.Response(200, json=STATUSES)
    resp = client.post("/shops/demo1/status-map", data={"csrf_token": client.csrf, "status_invoiced": "st-9",
                                                        "status_packed": ""})
    assert resp.status_code == 303 and resp.headers["location"] == "/shops/demo1"
    assert fake.sent("push", "PUT", "/shops/demo1/status-map") == [
        {"invoiced": "st-9", "packed": None, "shipped": None, "cancelled": None}]


def test_downloading_the_list_asks_webshop_push(client, fake) -> None:
    fake.overrides[("push", "POST", "/shops/demo1/order-statuses/refresh")] = lambda r: httpx.Response(
        200, json=STATUSES)
    resp = client.post("/shops/demo1/order-statuses", data={"csrf_token": client.csrf})
    assert resp.status_code == 303
    assert fake.sent("push", "POST", "/shops/demo1/order-statuses/refresh") == [{"wait_s": 20}]
