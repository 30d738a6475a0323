"""Pure rules of order_ingest: cursor, customer matching, totals, line planning, text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.common import VatKey
from services.order_ingest.cursor import Cursor, advance, plan_poll
from services.order_ingest.customers import Candidate, choose_for_guest
from services.order_ingest.documents import plan_order
from services.order_ingest.errors import NeedsReview
from services.order_ingest.lifecycle import StoredOrder, status_change
from services.order_ingest.reference import Reference, ShopProduct
from services.order_ingest.text import match_key, plain_text
from services.order_ingest.totals import check_total, recompute

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
VAT = {"27%": VatKey(short_name="27%", category="PERCENTAGE", rate=Decimal("0.27")),
       "5%": VatKey(short_name="5%", category="PERCENTAGE", rate=Decimal("0.05"))}


# --- cursor ---------------------------------------------------------------------------------

def test_first_poll_starts_at_the_first_sync_date_then_overlaps_the_newest_seen():
    first = plan_poll(Cursor(), first_sync_from=T0, overlap=timedelta(minutes=10))
    assert first.updated_at_min == T0 and first.gap_inner_id_min is None
    later = plan_poll(Cursor(updated_watermark=T0 + timedelta(hours=1)), first_sync_from=T0,
                      overlap=timedelta(minutes=10))
    assert later.updated_at_min == T0 + timedelta(minutes=50)


def test_same_second_orders_are_read_again_and_the_watermark_never_goes_back():
    cursor, _ = advance(Cursor(), [(1, T0), (2, T0)], max_gap_polls=3)
    assert cursor.updated_watermark == T0 and cursor.max_inner_id == 2
    again, _ = advance(cursor, [(2, T0 - timedelta(seconds=5))], max_gap_polls=3)
    assert again.updated_watermark == T0
    plan = plan_poll(again, first_sync_from=T0 - timedelta(days=1), overlap=timedelta(0))
    assert plan.updated_at_min == T0  # inclusive bound: orders of the same second come again


def test_missing_inner_ids_become_gaps_until_they_appear_or_are_given_up():
    cursor, _ = advance(Cursor(), [(10, T0)], max_gap_polls=2)
    cursor, given_up = advance(cursor, [(11, T0), (14, T0)], max_gap_polls=2)
    assert cursor.gaps == {12: 0, 13: 0} and not given_up
    plan = plan_poll(cursor, first_sync_from=T0, overlap=timedelta(0))
    assert (plan.gap_inner_id_min, plan.gap_inner_id_max) == (12, 13)
    cursor, given_up = advance(cursor, [(12, T0)], max_gap_polls=2)
    assert cursor.gaps == {13: 1}
    cursor, given_up = advance(cursor, [], max_gap_polls=2)
    assert given_up == [13] and cursor.gaps == {}


def test_no_gaps_are_invented_on_the_first_poll():
    cursor, _ = advance(Cursor(), [(500, T0)], max_gap_polls=2)
    assert cursor.gaps == {} and cursor.max_inner_id == 500


# --- customers --------------------------------------------------------------------------------

def test_guest_match_key_ignores_case_and_surrounding_spaces():
    assert match_key(" Kiss  Bence ", "Kiss.Bence@Example.HU ") == match_key("kiss bence", "kiss.bence@example.hu")
    assert match_key("Kiss Bence", "a@b.hu") != match_key("Kiss Bence", "c@d.hu")


def test_guest_prefers_a_guest_customer_then_a_single_registered_one():
    assert choose_for_guest([]) is None
    assert choose_for_guest([Candidate("C1", "s", "r1"), Candidate("C2", None, None)]) == "C2"
    assert choose_for_guest([Candidate("C1", "s", "r1")]) == "C1"
    with pytest.raises(NeedsReview) as held:
        choose_for_guest([Candidate("C1", "s", "r1"), Candidate("C3", "t", "r9")])
    assert held.value.reason == "ambiguous_customer"


# --- totals -----------------------------------------------------------------------------------

def test_totals_round_vat_per_key_and_explain_a_difference():
    computed = recompute([("27%", Decimal("0.27"), Decimal("1000.00")), ("5%", Decimal("0.05"), Decimal("999.99"))],
                         "HUF")
    assert computed.gross == Decimal("2319.99")  # 270 + 50 (49.9995 rounded to whole forints)
    ok, difference, _ = check_total(computed, Decimal("2320.00"), Decimal("1.00"))
    assert ok and difference == Decimal("0.01")
    ok, difference, detail = check_total(computed, Decimal("2420.00"), Decimal("1.00"))
    assert not ok and difference == Decimal("100.01") and "100.01" in detail and "27%" in detail


# --- line planning -------------------------------------------------------------------------------

def _raw(**overrides) -> dict:
    order = {
        "id": "b3JkZXItb3JkZXJfaWQ9MQ==", "innerId": "1", "invoiceId": "0", "firstname": "Anna", "lastname": "Kovács",
        "email": " Kovacs.Anna@Example.hu ", "phone": "+3630", "comment": "<p>Köszönöm</p>",
        "total": "3110.0000", "dateCreated": "2026-03-01T13:00:00", "dateUpdated": "2026-03-01T13:00:00",
        "paymentFirstname": "Anna", "paymentLastname": "Kovács", "paymentAddress1": "Fő u. 1.", "paymentCity": "Pécs",
        "paymentPostcode": "7621", "paymentCountryName": "Magyarország", "paymentCompany": "",
        "shippingFirstname": "Anna", "shippingLastname": "Kovács", "shippingAddress1": "Fő u. 1.",
        "shippingCity": "Pécs", "shippingPostcode": "7621", "shippingCountryName": "Magyarország",
        "shippingMethodName": "GLS", "shippingMethodTaxRate": "27.0000", "shippingMethodTaxName": "27%",
        "paymentMethodName": "Utánvétel", "paymentMethodCode": "COD", "paymentMethodTaxRate": "27.0000",
        "orderStatus": {"href": "http://x/api/orderStatuses/c1"}, "customer": None,
        "currency": {"code": "HUF"}, "coupon": {"code": "NYAR10"},
        "orderProducts": [
            {"name": "Szalámi <i>500 g</i>", "sku": "PICK", "price": "1000.0000", "grossPrice": "1270.0000",
             "total": "2000.0000", "taxRate": "27.0000", "stock1": "2", "stock2": "0", "stock3": "0", "stock4": "0"},
            {"name": "Tojás", "sku": "TOJAS", "price": "200.0000", "total": "200.0000", "taxRate": "5.0000",
             "stock1": "1"}],
        "orderTotals": [
            {"type": "SUB_TOTAL", "name": "Nettó:", "value": "2200.0000", "sortOrder": "1"},
            {"type": "COUPON", "name": "Kupon (NYAR10):", "value": "-220.0000", "sortOrder": "2"},
            {"type": "SHIPPING", "name": "GLS:", "value": "500.0000", "sortOrder": "3"},
            {"type": "LOYALTYPOINTS_TO_GET", "name": "Pontok:", "value": "22.0000", "sortOrder": "4"},
            {"type": "TAX", "name": "ÁFA 27%:", "value": "621.0000", "sortOrder": "5"},
            {"type": "TAX", "name": "ÁFA 5%:", "value": "9.0000", "sortOrder": "6"},
            {"type": "TOTAL", "name": "Összesen:", "value": "3110.0000", "sortOrder": "7"}],
    }
    order.update(overrides)
    return order


def _ref(**overrides) -> Reference:
    products = {"PICK": ShopProduct("PICK", "p1", "Szalámi", "db", "27%", Decimal(1000), True),
                "TOJAS": ShopProduct("TOJAS", "p2", "Tojás", "db", "5%", Decimal(200), True)}
    values = dict(vat_keys=dict(VAT), products=products, statuses={"c1": "Függőben"},
                  cancel_status_names=frozenset({"visszavonva"}))
    values.update(overrides)
    return Reference(**values)


def test_an_order_becomes_product_coupon_and_service_lines_with_their_vat():
    plan = plan_order("kavepor", _raw(), _ref())
    kinds = [(ln.kind, ln.vat.short_name, ln.net_amount) for ln in plan.lines]
    assert kinds == [("product", "27%", Decimal("2000.00")), ("product", "5%", Decimal("200.00")),
                     ("coupon", "27%", Decimal("-200.00")), ("coupon", "5%", Decimal("-20.00")),
                     ("service", "27%", Decimal("500.00"))]
    assert plan.lines[0].name == "Szalámi 500 g" and plan.lines[0].quantity == 2
    assert plan.lines[4].service_kind == "shipping_fee" and plan.lines[4].name == "GLS"
    assert plan.totals.gross == Decimal("3110.00") and plan.gross_total == Decimal("3110.00")
    assert plan.party.email == "kovacs.anna@example.hu" and plan.party.name == "Kovács Anna"
    assert plan.party.shipping_address is None  # same as billing
    assert plan.internal_note == "Köszönöm" and "1" in plan.header_note
    assert plan.status_name == "Függőben" and not plan.cancelled


@pytest.mark.parametrize(("change", "reason"), [
    ({"orderTotals": [{"type": "TOTAL", "name": "Ö", "value": "9999.0000"}]}, "totals_mismatch"),
    ({"email": "no-at-sign"}, "malformed_data"),
    ({"orderProducts": []}, "malformed_data"),
    ({"total": "not a number"}, "malformed_data"),
])
def test_orders_that_cannot_be_imported_say_why(change, reason):
    with pytest.raises(NeedsReview) as held:
        plan_order("kavepor", _raw(**change), _ref())
    assert held.value.reason == reason


def test_unknown_vat_name_and_unknown_service_are_review_reasons():
    with pytest.raises(NeedsReview) as held:
        plan_order("kavepor", _raw(), _ref(vat_keys={"27%": VAT["27%"]}))
    assert held.value.reason == "unknown_vat_name" and "5%" in held.value.detail
    totals = _raw()["orderTotals"] + [{"type": "LOYALTYPOINTS_TO_USE", "name": "Beváltott pontok:", "value": "-10"}]
    with pytest.raises(NeedsReview) as held:
        plan_order("kavepor", _raw(orderTotals=totals), _ref())
    assert held.value.reason == "unknown_service" and "Beváltott pontok" in held.value.detail


def test_a_status_change_of_an_open_order_is_published_and_a_cancellation_closes_it():
    stored = StoredOrder("s", "o1", "W-1", "BP1", "c1", "Függőben", True)
    events, still_open = status_change(stored, "c2", "Szállítás alatt", cancelled=False, changed_at=T0)
    assert [e.message_type for e in events] == ["OrderStatusChanged"] and still_open
    events, still_open = status_change(stored, "c7", "Visszavonva", cancelled=True, changed_at=T0)
    assert [e.message_type for e in events] == ["OrderCancelled"] and not still_open
    assert status_change(stored, "c1", "Függőben", cancelled=False, changed_at=T0) == ([], True)
    closed = StoredOrder("s", "o1", "W-1", "BP1", "c1", "Függőben", False)
    assert status_change(closed, "c7", "Visszavonva", cancelled=True, changed_at=T0) == ([], False)


def test_plain_text_drops_tags_and_scripts_and_decodes_entities():
    assert plain_text("<b>Tokaji</b> &amp; <script>x()</script>bor<br>2024") == "Tokaji & bor\n2024"
    assert plain_text(None) == ""
