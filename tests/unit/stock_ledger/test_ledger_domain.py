"""Ledger rules without I/O: merging deltas, counts, purchase-order settlement, guards, events, prices."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from contracts.common import VatKey
from services.stock_ledger.domain import (
    Cause, Delta, count_deltas, gross_price, merge, received_against_order, stock_changed, sum_by_sku, violations,
)


def test_merge_sums_per_key_in_key_order_and_drops_zeros():
    merged = merge([
        Delta("BP2", "A", "transfer_in", physical=D(2)),
        Delta("BP1", "B", "reservation_release", reserved=D(-3)),
        Delta("BP1", "B", "sale", physical=D(-3)),
        Delta("BP1", "A", "adjustment", physical=D(1)),
        Delta("BP1", "A", "adjustment", physical=D(-1)),
    ])
    assert [(d.key, d.kind, d.physical, d.reserved) for d in merged] == [
        (("BP1", "B"), "sale", D(-3), D(-3)),
        (("BP2", "A"), "transfer_in", D(2), D(0)),
    ]


def test_sum_by_sku_adds_lines_of_one_sku_and_skips_empty():
    assert sum_by_sku([("A", D(1)), ("B", D(0)), ("A", D("1.5"))]) == {"A": D("2.5")}


def test_count_books_the_difference_to_the_shelf():
    deltas = count_deltas("BP1", {"A": D(7), "B": D(0), "C": D(3)}, {"A": D(10), "B": D(2)})
    assert [(d.sku, d.physical, d.kind) for d in deltas] == [
        ("A", D(-3), "stock_count"), ("B", D(-2), "stock_count"), ("C", D(3), "stock_count")]


def test_receipt_settles_at_most_what_is_outstanding():
    assert received_against_order({"A": D(4), "B": D(9), "C": D(1)}, {"A": D(10), "B": D(6)}) == {
        "A": D(4), "B": D(6)}


def test_violations_only_for_keys_a_command_took_below_zero():
    deltas = [Delta("BP1", "A", "transfer_out", physical=D(-5)), Delta("BP2", "A", "transfer_in", physical=D(5)),
              Delta("BP1", "B", "adjustment", physical=D(1))]
    after = {("BP1", "A"): D(-1), ("BP2", "A"): D(5), ("BP1", "B"): D(-4)}
    assert violations(deltas, after) == ["BP1:A would fall to -1"]


def test_stock_changed_carries_all_four_figures_and_the_cause():
    at = datetime(2025, 3, 14, tzinfo=UTC)
    row = {"warehouse_id": "BP1", "sku": "A", "physical": D(5), "reserved": D(7), "incoming": D(2), "version": 9}
    event = stock_changed(row, Delta("BP1", "A", "reservation", reserved=D(2)),
                          Cause("reservation", "ON-1", "kavepor", "o1", "m1"), at)
    assert (event.physical, event.reserved, event.free, event.incoming, event.version) == (D(5), D(7), D(-2), D(2), 9)
    assert (event.reserved_change, event.physical_change, event.cause.kind, event.cause.shop_order_id) == (
        D(2), D(0), "reservation", "o1")


def test_gross_price_at_the_vat_rate():
    vat27 = VatKey(short_name="27%", category="PERCENTAGE", rate=D("0.27"))
    aam = VatKey(short_name="AAM", category="EXEMPTION", nav_case="AAM")
    assert gross_price(D("1000"), vat27) == D("1270.00")
    assert gross_price(D("99.99"), {"rate": "0.05"}) == D("104.99")
    assert gross_price(D("500"), aam) == D("500.00")
