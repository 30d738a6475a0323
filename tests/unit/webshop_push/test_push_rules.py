"""Pure rules of webshop_push: free stock, versions, coalescing, batch planning, fence, reconcile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from services.webshop_push import coalescing, fence
from services.webshop_push.coalescing import Change
from services.webshop_push.reconcile import ShopProduct, differences
from services.webshop_push.stock import free_stock, is_newer, meant_for, shop_quantity

D = Decimal


def test_shop_quantity_is_free_minus_buffer_never_negative():
    assert shop_quantity(D(10)) == 10
    assert shop_quantity(D(10), D(3)) == 7
    assert shop_quantity(D(2), D(3)) == 0
    assert shop_quantity(D(-4)) == 0
    assert free_stock(D(5), D(8)) == -3
    with pytest.raises(ValueError):
        shop_quantity(D(1), D(-1))


def test_versions_only_grow():
    assert is_newer(2, None) and is_newer(3, 2)
    assert not is_newer(2, 2) and not is_newer(1, 2)


def test_meant_for_empty_means_every_shop():
    assert meant_for((), "a") and meant_for(None, "a") and meant_for(("a", "b"), "a")
    assert not meant_for(("b",), "a")


def test_coalesce_keeps_the_newest_version_whatever_the_arrival_order():
    changes = [Change("s", "X", "stock", v) for v in (1, 5, 3, 9, 2)] + [Change("s", "X", "price", 1),
                                                                         Change("t", "X", "stock", 4)]
    latest = coalescing.coalesce(changes)
    assert latest[("s", "X", "stock")].version == 9
    assert latest[("s", "X", "price")].version == 1
    assert latest[("t", "X", "stock")].version == 4
    assert len(latest) == 3


def row(sku, kind, *, version=1, pid="P", free=D(5), price=D(100), buffer=D(0), solo=False):
    return {"sku": sku, "kind": kind, "version": version, "shop_product_id": pid, "free": free, "net_price": price,
            "safety_buffer": buffer, "solo": solo, "attempts": 0}


def test_plan_merges_stock_and_price_of_a_sku_into_one_write():
    plan = coalescing.plan([row("A", "stock", free=D(7), buffer=D(2)), row("A", "price", price=D(990)),
                            row("B", "stock", pid="Q", free=D(-1))])
    assert [(w.sku, w.stock, w.price) for w in plan.writes] == [("A", 5, 990), ("B", 0, None)]
    assert plan.writes[0].body() == {"price": 990, "stock1": 5}
    assert [p.kind for p in plan.writes[0].parts] == ["stock", "price"]


def test_plan_cuts_at_the_batch_size_and_sets_aside_unknown_ids_creates_and_solos():
    rows = [row(f"S{i:03}", "stock") for i in range(250)]
    rows += [row("NEW", "create"), row("GONE", "stock", pid=None), row("BAD", "stock", solo=True),
             row("NOPRICE", "price", price=None)]
    plan = coalescing.plan(rows, batch_size=200)
    assert len(plan.writes) == 200 and all(not w.solo for w in plan.writes)
    assert [w.sku for w in plan.solo] == ["BAD"]
    assert [p.sku for p in plan.creates] == ["NEW"]
    assert [p.sku for p in plan.unknown_ids] == ["GONE"]
    assert [p.sku for p in plan.nothing_to_do] == ["NOPRICE"]


T0 = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)


def test_fence_waits_for_a_covering_poll():
    state = fence.check(T0, [], [])
    assert not state.open and "watermark" in state.waiting_for
    older = [{"watermark": T0 - timedelta(seconds=1), "order_ids": []}]
    assert not fence.orders_to_check([], [])
    assert fence.check(T0, [], []).watermark is None
    assert fence.check(T0, [{"watermark": T0, "order_ids": []}], []).open
    assert older  # a poll before t0 is never passed to check (store filters by watermark)


def test_fence_waits_for_order_received_and_the_ledger_reservation():
    syncs = [{"watermark": T0, "order_ids": ["o1"]}]
    assert fence.orders_to_check(syncs, ["o0"]) == ["o0", "o1"]
    unknown = fence.check(T0, syncs, [{"shop_order_id": "o1", "stock_skus": None, "reserved_skus": []}])
    assert not unknown.open and "OrderReceived" in unknown.waiting_for
    half = fence.check(T0, syncs, [{"shop_order_id": "o1", "stock_skus": ["A", "B"], "reserved_skus": ["A"]}])
    assert not half.open and "B" in half.waiting_for
    done = fence.check(T0, syncs, [{"shop_order_id": "o1", "stock_skus": ["A", "B"], "reserved_skus": ["B", "A"]}])
    assert done.open and done.watermark == T0
    services_only = fence.check(T0, syncs, [{"shop_order_id": "o1", "stock_skus": [], "reserved_skus": []}])
    assert services_only.open


def test_reconcile_lists_every_difference():
    in_shop = {"A": ShopProduct("A", "pa", D(5), D(100)), "B": ShopProduct("B", "pb", D(3), D(50)),
               "X": ShopProduct("X", "px", D(1), D(1))}
    expected = [
        {"sku": "A", "free": D(7), "safety_buffer": D(2), "stock_version": 4, "net_price": D(100), "price_version": 1,
         "shop_ids": []},
        {"sku": "B", "free": D(9), "safety_buffer": D(0), "stock_version": 2, "net_price": D(55), "price_version": 3,
         "shop_ids": None},
        {"sku": "C", "free": D(1), "safety_buffer": D(0), "stock_version": 1, "net_price": D(10), "price_version": 1,
         "shop_ids": ["s"]},
        {"sku": "D", "free": D(1), "safety_buffer": D(0), "stock_version": 1, "net_price": None, "price_version": 0,
         "shop_ids": ["other"]},
    ]
    found = {(d.sku, d.field): (d.shop, d.back_office) for d in differences("s", in_shop, expected)}
    assert found == {("B", "stock"): ("3", "9"), ("B", "price"): ("50", "55"), ("C", "missing_in_shop"): (None, "product"),
                     ("X", "unknown_in_back_office"): ("product", None)}
