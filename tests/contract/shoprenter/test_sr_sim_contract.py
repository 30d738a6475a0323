"""The simulator's payloads have the shapes of the samples quoted in the ShopRenter reference.

Samples come from sr-api-docs fixtures (fixtures/api/*/response/json/*) and docs
(12_acquiring_an_access_token.md, 04_batch.md) as quoted in shared/reference/shoprenter-api.md.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from polc.shoprenter_sim import BackgroundSimulator, ShopSpec

TOKEN_SAMPLE = {"token_type": "Bearer", "expires_in": 3600, "access_token": "<JWT>"}
PAGE_SAMPLE_KEYS = {"href", "page", "pageCount", "limit", "first", "previous", "next", "last", "items"}
ORDER_TOTAL_SAMPLE = {
    "id": "b3JkZXJUb3RhbC1vcmRlcl90b3RhbF9pZD03", "name": "Net partial amount:", "valueText": "2.400 Huf",
    "value": "2400.0000", "sortOrder": "1", "type": "SUB_TOTAL", "key": {}, "description": {},
    "order": {"href": ".../orders/b3JkZXItb3JkZXJfaWQ9Mw=="}}
ORDER_SAMPLE_KEYS = {
    "href", "id", "innerId", "invoiceId", "invoicePrefix", "firstname", "lastname", "phone", "fax", "email",
    "shippingFirstname", "shippingLastname", "shippingCompany", "shippingAddress1", "shippingAddress2",
    "shippingCity", "shippingPostcode", "shippingZoneName", "shippingCountryName", "shippingAddressFormat",
    "shippingMethodName", "shippingMethodTaxRate", "shippingMethodTaxName", "shippingMethodExtension",
    "shippingReceivingPointId", "paymentFirstname", "paymentLastname", "paymentCompany", "paymentAddress1",
    "paymentAddress2", "paymentCity", "paymentPostcode", "paymentZoneName", "paymentCountryName",
    "paymentAddressFormat", "paymentMethodName", "paymentMethodCode", "paymentMethodTaxRate",
    "paymentMethodTaxName", "paymentMethodAfter", "taxNumber", "comment", "total", "value", "couponTaxRate",
    "dateCreated", "dateUpdated", "ip", "pickPackPontShopCode", "loyaltyPointsTaxRate", "customer",
    "customerGroup", "shippingZone", "shippingCountry", "paymentZone", "paymentCountry", "orderStatus",
    "language", "currency", "shippingMode", "orderTotals", "orderProducts", "orderGiftWrappings"}
ORDER_PRODUCT_SAMPLE_KEYS = {
    "href", "id", "name", "sku", "modelNumber", "originalPrice", "price", "total", "taxRate", "stock1", "stock2",
    "subtractStock", "dateCreated", "dateUpdated", "order", "product", "orderProductOptions"}
PRODUCT_SAMPLE_KEYS = {
    "href", "id", "innerId", "sku", "modelNumber", "orderable", "price", "multiplier", "multiplierLock", "stock1",
    "stock2", "stock3", "stock4", "subtractStock", "mainPicture", "status", "availableDate", "quantity",
    "dateCreated", "dateUpdated", "taxClass", "productDescriptions"}
TAX_RATE_SAMPLE_KEYS = {"href", "id", "priority", "rate", "description", "dateCreated", "dateUpdated", "geoZone",
                        "taxClass"}
PAYMENT_MODE_SAMPLE_KEYS = {"href", "id", "innerId", "code", "status", "sortOrder", "geoZone", "orderStatus",
                            "paymentDescription"}
SHIPPING_MODE_SAMPLE_KEYS = {"href", "id", "innerId", "sortOrder", "enabled", "type", "costCalculationBy",
                             "freeShippingFrom", "shippingType", "extension", "taxClass", "geoZone",
                             "shippingModeDescriptions", "shippingLanes"}
COUPON_SAMPLE_KEYS = {"href", "id", "code", "discountType", "percentDiscountValue", "loginRequired", "freeShipping",
                      "fixDiscountValue", "dateStart", "dateEnd", "status", "taxClass"}
DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}|-0001-11-30T00:00:00|0000-00-00.*)$")


@pytest.fixture(scope="module")
def shop() -> Iterator[tuple[BackgroundSimulator, dict[str, str]]]:
    with BackgroundSimulator([ShopSpec(name="contract", rate_limit_per_second=1000)]) as sim:
        creds = sim.credentials("contract")
        token = httpx.post(sim.token_url("contract"), json={
            "grant_type": "client_credentials", "client_id": creds["client_id"],
            "client_secret": creds["client_secret"]}).json()
        yield sim, {"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"}


def _get(shop: tuple[BackgroundSimulator, dict[str, str]], path: str, **params: Any) -> Any:
    sim, headers = shop
    resp = httpx.get(f"{sim.api_base_url('contract')}/{path}", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _first(shop, resource: str) -> dict[str, Any]:
    return _get(shop, resource, full=1, page=0, limit=1)["items"][0]


def _scalars_are_strings(obj: dict[str, Any]) -> None:
    for key, value in obj.items():
        assert not isinstance(value, (int, float, bool)), f"{key} must be a string, got {value!r}"
        if isinstance(value, dict) and "href" in value:
            assert value["href"].startswith("http"), key
        if key.startswith("date") and isinstance(value, str) and value:
            assert DATETIME.match(value), f"{key}={value}"


def test_token_response_has_the_documented_shape():
    with BackgroundSimulator(["tok"]) as sim:
        creds = sim.credentials("tok")
        body = httpx.post(sim.token_url("tok"), json={"grant_type": "client_credentials",
                                                      "client_id": creds["client_id"],
                                                      "client_secret": creds["client_secret"]}).json()
        assert set(body) == set(TOKEN_SAMPLE) and body["token_type"] == "Bearer"
        assert isinstance(body["expires_in"], int) and body["access_token"].count(".") == 2
        bad = httpx.post(sim.token_url("tok"), json={"grant_type": "client_credentials",
                                                     "client_id": creds["client_id"], "client_secret": "x"})
        assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
        missing = httpx.post(sim.token_url("tok"), json={"grant_type": "client_credentials", "client_secret": "x"})
        assert missing.status_code == 400 and missing.json()["error"] == "invalid_request" and "hint" in missing.json()


def test_page_envelope(shop):
    page = _get(shop, "products", page=0, limit=5)
    assert set(page) == PAGE_SAMPLE_KEYS
    assert page["page"] == "0" and page["limit"] == "5" and page["previous"] is None
    assert page["next"]["href"].endswith("page=1&limit=5") and set(page["items"][0]) == {"href"}
    last = _get(shop, "products", page=int(page["pageCount"]) - 1, limit=5)
    assert last["next"] is None


@pytest.mark.parametrize(("resource", "keys"), [
    ("orders", ORDER_SAMPLE_KEYS), ("orderProducts", ORDER_PRODUCT_SAMPLE_KEYS), ("products", PRODUCT_SAMPLE_KEYS),
    ("taxRates", TAX_RATE_SAMPLE_KEYS), ("paymentModes", PAYMENT_MODE_SAMPLE_KEYS),
    ("shippingModeExtend", SHIPPING_MODE_SAMPLE_KEYS), ("coupons", COUPON_SAMPLE_KEYS),
    ("orderTotals", set(ORDER_TOTAL_SAMPLE) | {"href"}),
])
def test_resources_carry_the_sample_fields_encoded_as_strings(shop, resource, keys):
    item = _first(shop, resource)
    assert keys <= set(item), keys - set(item)
    _scalars_are_strings(item)
    decoded = base64.b64decode(item["id"]).decode()
    assert re.match(r"^[a-zA-Z]+-[a-z_]+=\d+$", decoded)
    assert _get(shop, f"{resource}/{item['id']}")["id"] == item["id"]


def test_order_extend_embeds_lines_totals_currency_and_shipping_mode(shop):
    order = _first(shop, "orderExtend")
    assert isinstance(order["orderProducts"], list) and isinstance(order["orderTotals"], list)
    assert order["currency"]["code"] == "HUF" and order["shippingMode"]["innerId"]
    assert order["orderTotals"][-1]["type"] == "TOTAL" and order["orderTotals"][-1]["value"] == order["total"]
    assert order["orderProducts"][0]["stock1"].isdigit()


def test_batch_response_shape_and_error_codes(shop):
    sim, headers = shop
    base = sim.api_base_url("contract")
    resp = httpx.post(f"{base}/batch", headers=headers, json={"data": {"requests": [
        {"method": "GET", "uri": f"{base}/productExtend?full=1&limit=200&page=0"},
        {"method": "POST", "uri": f"{base}/products/bm8tc3VjaA=="},
        {"method": "GET", "uri": f"{base}/category/xyz"}]}})
    assert resp.status_code == 200
    items = resp.json()["requests"]["request"]
    assert [set(i) for i in items] == [{"method", "uri", "response"}] * 3
    assert [i["response"]["header"]["statusCode"] for i in items] == ["200", "400", "404"]
    assert items[1]["response"]["body"]["message"] == "Data parameter not found in POST/PUT!"
    errors = {
        ("products", (("page", 99), ("limit", 5))): (400, 40008),
        ("products", (("foo", 1),)): (400, 40010),
        ("orders", (("updatedAtMin", "2024-01-01"),)): (400, 40009),
        ("products/bm8tc3VjaA==", ()): (404, 40401),
    }
    for (path, params), (status, code) in errors.items():
        r = httpx.get(f"{base}/{path}", params=dict(params), headers=headers)
        assert (r.status_code, r.json()["code"]) == (status, code), path


def test_default_response_is_xml_without_accept_json(shop):
    sim, headers = shop
    r = httpx.get(f"{sim.api_base_url('contract')}/taxClasses", headers={"Authorization": headers["Authorization"]})
    assert r.headers["content-type"].startswith("application/xml")
