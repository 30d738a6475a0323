"""Allocation, pick and purchase summaries without I/O (M21, M22, M24)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from services.stock_ledger.allocation import Line, OpenOrder, Priority, allocate, pick_summary, purchase_summary

T0 = datetime(2025, 3, 14, tzinfo=UTC)


def order(oid: str, needs: dict[str, int], minutes: int = 0, shop: str = "kavepor", paid: bool = False,
          warehouse: str = "BP1") -> OpenOrder:
    lines = tuple(Line(i, sku, f"Termék {sku}", D(q), "db") for i, (sku, q) in enumerate(needs.items(), start=1))
    return OpenOrder(shop, oid, f"ON-{oid}", warehouse, T0 + timedelta(minutes=minutes), minutes, paid,
                     lines + (Line(99, "SZOLG", "Szállítás", D(1), "db", is_stock_item=False),))


def verdicts(allocation):
    return {v.order.shop_order_id: v.fulfillable for v in allocation.verdicts}


def test_an_order_short_by_one_unit_of_one_product_is_not_fulfillable():
    result = allocate([order("o1", {"A": 2, "B": 3})], {("BP1", "A"): D(2), ("BP1", "B"): D(2)})
    (v,) = result.verdicts
    assert not v.fulfillable
    assert [(s.sku, s.needed, s.available, s.missing) for s in v.shortages] == [("B", D(3), D(2), D(1))]


def test_oldest_first_and_a_fulfillable_order_takes_its_stock_before_the_next():
    orders = [order("late", {"A": 2}, minutes=5), order("early", {"A": 2}, minutes=1),
              order("mid", {"A": 1}, minutes=3)]
    result = allocate(orders, {("BP1", "A"): D(3)})
    assert verdicts(result) == {"early": True, "mid": True, "late": False}
    assert [v.order.shop_order_id for v in result.verdicts] == ["early", "mid", "late"]
    assert result.remaining[("BP1", "A")] == D(0)


def test_a_non_fulfillable_order_takes_nothing_so_later_ones_can_still_be_fulfilled():
    orders = [order("big", {"A": 5}, minutes=0), order("small", {"A": 2}, minutes=1)]
    assert verdicts(allocate(orders, {("BP1", "A"): D(3)})) == {"big": False, "small": True}


def test_paid_first_and_shop_priority_change_the_order_of_judging():
    orders = [order("unpaid", {"A": 1}, minutes=0), order("paid", {"A": 1}, minutes=5, paid=True),
              order("vip", {"A": 1}, minutes=9, shop="teahaz")]
    stock = {("BP1", "A"): D(1)}
    assert verdicts(allocate(orders, stock)) == {"unpaid": True, "paid": False, "vip": False}
    assert verdicts(allocate(orders, stock, Priority(paid_first=True))) == {"unpaid": False, "paid": True, "vip": False}
    assert verdicts(allocate(orders, stock, Priority(shop_order=("teahaz",)))) == {
        "unpaid": False, "paid": False, "vip": True}


def test_stock_of_another_warehouse_does_not_count():
    result = allocate([order("o1", {"A": 1}, warehouse="BP2")], {("BP1", "A"): D(10)})
    assert verdicts(result) == {"o1": False}


def test_any_selection_of_fulfillable_orders_fits_on_the_shelf():
    orders = [order(f"o{i}", {"A": i % 3 + 1, "B": 1}, minutes=i) for i in range(12)]
    stock = {("BP1", "A"): D(13), ("BP1", "B"): D(20)}
    result = allocate(orders, stock)
    chosen = [v for v in result.verdicts if v.fulfillable]
    assert 0 < len(chosen) < 12
    summary = pick_summary(chosen)
    for row in summary["products"]:
        assert row["quantity"] <= stock[(row["warehouse_id"], row["sku"])]


def test_pick_summary_adds_up_to_the_orders_lines():
    result = allocate([order("o1", {"A": 2, "B": 1}), order("o2", {"A": 1}, minutes=1)],
                      {("BP1", "A"): D(5), ("BP1", "B"): D(5)})
    summary = pick_summary(list(result.verdicts))
    totals = {r["sku"]: r["quantity"] for r in summary["products"]}
    assert totals == {"A": D(3), "B": D(1)}
    lines = [l for o in summary["orders"] for l in o["lines"] if l["is_stock_item"]]
    assert sum(l["quantity"] for l in lines) == sum(totals.values())
    assert summary["not_fulfillable"] == []


def test_purchase_summary_counts_what_fulfillable_orders_already_took_and_incoming():
    orders = [order("ok", {"A": 3}), order("short1", {"A": 4, "B": 1}, minutes=1),
              order("short2", {"A": 2}, minutes=2)]
    result = allocate(orders, {("BP1", "A"): D(5), ("BP1", "B"): D(0)})
    assert verdicts(result) == {"ok": True, "short1": False, "short2": True}
    selected = result.select([("kavepor", "short1")])
    rows = {r["sku"]: r for r in purchase_summary(result, selected, {("BP1", "A"): D(1)})}
    # 5 on the shelf: 3 to "ok", 2 to "short2"; short1 needs 4 A (1 incoming) and 1 B.
    assert (rows["A"]["needed"], rows["A"]["available"], rows["A"]["incoming"], rows["A"]["to_purchase"]) == (
        D(4), D(0), D(1), D(3))
    assert (rows["B"]["shortfall"], rows["B"]["to_purchase"]) == (D(1), D(1))
