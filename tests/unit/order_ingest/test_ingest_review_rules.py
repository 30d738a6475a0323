"""When an order waits in review: amounts that cannot be checked, VAT that cannot be matched,
implausible lines and products, what an invoice needs from the buyer; and hostile text cleaned."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.order_ingest.documents import plan_order
from services.order_ingest.downloads import UnusableProduct, product_from_raw
from services.order_ingest.errors import NeedsReview
from services.order_ingest.text import plain_text
from tests.unit.order_ingest.test_ingest_domain import _raw, _ref


def _held(raw: dict, **ref) -> NeedsReview:
    with pytest.raises(NeedsReview) as held:
        plan_order("kavepor", raw, _ref(**ref))
    return held.value


def _totals(change: dict[str, str | None] | None = None, drop: str | None = None) -> list[dict]:
    rows = [dict(r) for r in _raw()["orderTotals"] if r["type"] != drop]
    for row in rows:
        if change and row["type"] in change:
            row["value"] = change[row["type"]]
    return rows


def test_the_fixture_order_imports():
    assert plan_order("kavepor", _raw(), _ref()).gross_total == Decimal("3110.00")


# --- amounts that cannot be checked against the shop -------------------------------------------

def test_an_order_without_a_total_waits():
    held = _held({k: v for k, v in _raw().items() if k != "total"})
    assert held.reason == "malformed_data" and "no total" in held.detail


def test_an_order_without_a_total_row_waits_instead_of_trusting_its_total():
    held = _held(_raw(orderTotals=_totals(drop="TOTAL")))
    assert held.reason == "malformed_data" and "no TOTAL row" in held.detail


def test_a_negative_total_waits():
    held = _held(_raw(total="-5000.0000"))
    assert held.reason == "malformed_data" and "negative" in held.detail


def test_a_total_that_disagrees_with_the_total_row_waits_with_the_difference():
    held = _held(_raw(total="3000.0000"))
    assert held.reason == "totals_mismatch" and held.difference == Decimal("110.00")


@pytest.mark.parametrize("value", ["1e309", "1000000000000"])
def test_an_overflowing_total_waits(value):
    held = _held(_raw(total=value, orderTotals=_totals({"TOTAL": value})))
    assert held.reason == "malformed_data" and "not an amount" in held.detail


def test_a_tax_row_that_is_text_waits():
    held = _held(_raw(orderTotals=_totals({"TAX": "abc"})))
    assert held.reason == "malformed_data" and "abc" in held.detail


def test_tax_rows_must_state_the_vat_of_the_lines():
    held = _held(_raw(orderTotals=_totals({"TAX": "0.0000"})))  # both TAX rows zeroed: VAT 0 stated, 630 charged
    assert held.reason == "totals_mismatch" and "TAX" in held.detail and held.difference == Decimal("-630.00")
    no_tax = [r for r in _raw()["orderTotals"] if r["type"] != "TAX"]
    assert _held(_raw(orderTotals=no_tax)).reason == "totals_mismatch"


def test_a_negative_tax_row_waits():
    held = _held(_raw(orderTotals=_totals({"TAX": "-9.0000"})))
    assert held.reason == "malformed_data" and "TAX" in held.detail


@pytest.mark.parametrize("currency", [None, {}, {"code": ""}])
def test_an_order_without_a_currency_waits_instead_of_being_taken_for_forints(currency):
    held = _held(_raw(currency=currency))
    assert held.reason == "malformed_data" and "currency" in held.detail


# --- VAT that cannot be matched ----------------------------------------------------------------

FREE_SHIPPING = [
    {"type": "SUB_TOTAL", "name": "Nettó:", "value": "2200.0000", "sortOrder": "1"},
    {"type": "COUPON", "name": "Kupon (NYAR10):", "value": "-220.0000", "sortOrder": "2"},
    {"type": "SHIPPING", "name": "GLS:", "value": "0.0000", "sortOrder": "3"},
    {"type": "TAX", "name": "ÁFA 27%:", "value": "486.0000", "sortOrder": "5"},
    {"type": "TAX", "name": "ÁFA 5%:", "value": "9.0000", "sortOrder": "6"},
    {"type": "TOTAL", "name": "Összesen:", "value": "2475.0000", "sortOrder": "7"}]


@pytest.mark.parametrize("field", ["shippingMethodTaxName", "paymentMethodTaxName"])
def test_an_unknown_fee_vat_name_waits_even_when_the_fee_is_free(field):
    free = _raw(total="2475.0000", orderTotals=FREE_SHIPPING)
    assert plan_order("kavepor", free, _ref()).gross_total == Decimal("2475.00")
    held = _held({**free, field: "ÁFA-X"})
    assert held.reason == "unknown_vat_name" and "'ÁFA-X'" in held.detail


def test_an_empty_fee_vat_name_is_no_claim():
    assert plan_order("kavepor", _raw(paymentMethodTaxName=""), _ref())


# --- implausible lines -------------------------------------------------------------------------

def _line(**change) -> list[dict]:
    lines = [dict(line) for line in _raw()["orderProducts"]]
    lines[1].update(change)
    return lines


def test_a_quantity_above_the_bound_waits_and_the_bound_is_a_setting():
    huge = _raw(orderProducts=_line(stock1="1000000000000"))
    held = _held(huge)
    assert held.reason == "malformed_data" and "above 10000" in held.detail and "max_line_quantity" in held.detail
    # A line total that still says one egg: the quantity does not explain it either.
    twenty = _raw(orderProducts=_line(stock1="20"))
    assert "above 10" in _held(twenty, max_line_quantity=Decimal(10)).detail


def test_a_line_total_that_is_not_price_times_quantity_waits():
    held = _held(_raw(orderProducts=_line(stock1="3")))
    assert held.reason == "malformed_data" and "not its price" in held.detail


def test_a_negative_line_price_waits():
    held = _held(_raw(orderProducts=_line(price="-200.0000", total="-200.0000")))
    assert held.reason == "malformed_data" and "negative price" in held.detail


def _product(name: str = "Tojás", price: str = "200.0000") -> dict:
    return {"id": "p2", "sku": "TOJAS", "price": price, "taxClass": {"href": "http://x/api/taxClasses/t5"},
            "productDescriptions": [{"name": name, "measurementUnit": "db"}]}


def test_a_shop_product_with_a_negative_price_is_not_taken():
    assert product_from_raw(_product(), {"t5": "5%"}).net_price == Decimal("200.0000")
    with pytest.raises(UnusableProduct, match="negative"):
        product_from_raw(_product(price="-10.0000"), {"t5": "5%"})


def test_a_shop_product_without_a_name_is_not_named_by_its_sku():
    with pytest.raises(UnusableProduct, match="no name"):
        product_from_raw(_product(name=""), {"t5": "5%"})


def test_an_unusable_product_holds_its_orders_with_the_reason():
    held = _held(_raw(), unreadable_products={"TOJAS": "the shop's product has no name"})
    assert held.reason == "malformed_data" and "TOJAS" in held.detail and "no name" in held.detail


# --- what an invoice needs from the buyer ------------------------------------------------------

def test_an_order_without_a_billing_address_waits_even_with_a_shipping_address():
    held = _held(_raw(paymentAddress1="", paymentCity="", paymentPostcode="", paymentFirstname="",
                      paymentLastname=""))
    assert held.reason == "malformed_data" and "billing address" in held.detail


def test_an_order_of_a_registered_customer_the_shop_does_not_have_waits():
    linked = _raw(customer={"href": "http://x/api/customers/c9999"})
    assert plan_order("kavepor", linked, _ref()).party.shop_customer_id == "c9999"
    held = _held(linked, missing_customers=frozenset({"c9999"}))
    assert held.reason == "malformed_data" and "c9999" in held.detail


# --- hostile text ------------------------------------------------------------------------------

def test_bidirectional_and_zero_width_characters_are_removed_and_accents_kept():
    assert plain_text("\u202egpj.exe") == "gpj.exe"
    assert plain_text("Kő\u200bvá\u200c\u200drí \u2066Ödön\u2069\ufeff") == "Kővárí Ödön"
    assert plain_text("\u202a\u202b\u202c\u202d\u2067\u2068\u200e\u200f\u2060") == ""
    plan = plan_order("kavepor", _raw(lastname="\u202eKovács", comment="köszönöm 👍\u200b"), _ref())
    assert plan.party.name == "Kovács Anna" and plan.internal_note == "köszönöm 👍"
