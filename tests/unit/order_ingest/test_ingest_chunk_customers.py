"""Matching the customers of a whole chunk of orders in memory, as if filed one after the other."""

from __future__ import annotations

import pytest

from contracts.common import Address
from services.order_ingest.customers import Candidate, NewCustomer, assign
from services.order_ingest.documents import Party
from services.order_ingest.reference import Reference
from services.order_ingest.text import match_key

HOME = Address(name="Kiss Anna", postcode="1052", city="Budapest", address_line_1="Váci utca 1.", country_code="HU")


def party(name: str = "Kiss Anna", email: str = "anna@example.hu", shop_customer_id: str | None = None) -> Party:
    return Party(shop_customer_id=shop_customer_id, name=name, email=email, phone=None, company=None,
                 tax_number=None, billing_address=HOME, shipping_address=None)


def test_a_new_guest_twice_in_one_chunk_is_one_new_customer_matched_case_and_spaces_ignored():
    out = assign("s1", [("o1", party()), ("o2", party(name=" kiss  ANNA ", email="Anna@Example.hu "))], [], {})
    assert len(out.new) == 1 and out.by_order["o1"] is out.by_order["o2"] is out.new[0]
    assert not out.held


def test_same_name_different_email_are_two_customers():
    out = assign("s1", [("o1", party()), ("o2", party(email="anna.kiss@example.hu"))], [], {})
    assert len(out.new) == 2 and out.by_order["o1"] is not out.by_order["o2"]


def test_registered_customers_by_shop_id_stored_or_created_once():
    stored = Candidate("C000007", "s1", "cust-7")
    out = assign("s1", [("o1", party(shop_customer_id="cust-7")), ("o2", party(shop_customer_id="cust-9")),
                        ("o3", party(shop_customer_id="cust-9"))], [stored], {"C000007": match_key("Kiss Anna", "anna@example.hu")})
    assert out.by_order["o1"] == "C000007"
    assert isinstance(out.by_order["o2"], NewCustomer) and out.by_order["o2"] is out.by_order["o3"]
    assert out.by_order["o2"].shop_id == "s1" and len(out.new) == 1


def test_a_guest_after_a_registered_customer_created_earlier_in_the_chunk_is_that_customer():
    out = assign("s1", [("o1", party(shop_customer_id="cust-9")), ("o2", party())], [], {})
    assert out.by_order["o2"] is out.by_order["o1"] and len(out.new) == 1


def test_an_ambiguous_guest_is_held_and_the_others_still_assigned():
    key = match_key("Kiss Anna", "anna@example.hu")
    stored = [Candidate("C000001", "s1", "cust-1"), Candidate("C000002", "s2", "cust-2")]
    out = assign("s1", [("o1", party()), ("o2", party(name="Nagy Béla", email="bela@example.hu"))], stored,
                 {"C000001": key, "C000002": key})
    assert out.held["o1"].reason == "ambiguous_customer" and "C000001" in out.held["o1"].detail
    assert "o1" not in out.by_order and isinstance(out.by_order["o2"], NewCustomer)


def test_a_stored_guest_wins_over_registered_customers():
    key = match_key("Kiss Anna", "anna@example.hu")
    stored = [Candidate("C000001", "s1", "cust-1"), Candidate("C000003", None, None)]
    out = assign("s1", [("o1", party())], stored, {"C000001": key, "C000003": key})
    assert out.by_order["o1"] == "C000003" and not out.new


@pytest.mark.parametrize(("status", "paid"), [("Fizetve", True), ("  fizetve ", True), ("Függőben", False)])
def test_paid_status_names_say_whether_an_order_is_paid(status, paid):
    ref = Reference(vat_keys={}, paid_status_names=frozenset({"fizetve"}))
    assert ref.is_paid_status(status) is paid
