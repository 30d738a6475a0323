"""Paging (0-based, stop on next=null) while orders keep arriving, and the documented filters."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from polc.shoprenter import ShopRenterApi
from polc.shoprenter.models import SHOP_TZ


def _order(sku: str = "RUBIK-3X3", qty: int = 1, **extra):
    return {"lines": [{"sku": sku, "quantity": qty}], **extra}


async def test_pages_are_walked_while_new_orders_arrive(connect, control):
    for _ in range(5):
        control.place_order("page", **_order())
    api = ShopRenterApi(connect("page", page_limit=2))
    existing = {o.inner_id async for o in api.iter_orders()}
    seen: list[int] = []
    placed_during = []
    async for order in api.iter_orders():
        seen.append(order.inner_id)
        if len(placed_during) < 3:  # a shopper orders while we are paging
            placed_during.append(await asyncio.to_thread(control.place_order, "page", **_order()))
    assert len(seen) == len(set(seen)), "no order is yielded twice"
    assert existing <= set(seen), "every order that existed before paging is seen"
    assert seen == sorted(seen)


async def test_inner_id_min_returns_only_newer_orders(connect, control):
    api = ShopRenterApi(connect("filters"))
    first = control.place_order("filters", **_order())
    second = control.place_order("filters", **_order("TOJAS-10", 2))
    newer = [o.inner_id async for o in api.iter_orders(inner_id_min=first["inner_id"] + 1)]
    assert newer == [second["inner_id"]]


async def test_updated_at_min_finds_orders_whose_status_changed(connect, control):
    api = ShopRenterApi(connect("filters"))
    placed = control.place_order("filters", **_order())
    since = datetime.now(SHOP_TZ) - timedelta(seconds=1)
    control.call("PUT", f"/shops/filters/orders/{placed['inner_id']}/status", {"status_inner_id": 5})
    changed = [o async for o in api.iter_orders(updated_at_min=since)]
    assert placed["inner_id"] in {o.inner_id for o in changed}
    target = next(o for o in changed if o.inner_id == placed["inner_id"])
    statuses = await api.list_order_status_descriptions(target.order_status_id)
    assert [s.name for s in statuses] == ["Teljesítve"]


async def test_sku_filter_finds_exactly_one_product(connect):
    api = ShopRenterApi(connect("filters"))
    product = await api.find_product_by_sku("TOK-ASZU5-05")
    assert product is not None and product.sku == "TOK-ASZU5-05"
    assert await api.find_product_by_sku("NO-SUCH-SKU") is None


async def test_order_id_filter_returns_the_orders_lines_and_totals(connect, control):
    api = ShopRenterApi(connect("filters"))
    placed = control.place_order("filters", lines=[{"sku": "PICK-TSZ-500", "quantity": 2},
                                                   {"sku": "KONYV-NEPMESE", "quantity": 1}])
    lines = await api.list_order_products(placed["id"])
    assert sorted((line.sku, line.quantity) for line in lines) == [("KONYV-NEPMESE", 1), ("PICK-TSZ-500", 2)]
    totals = await api.list_order_totals(placed["id"])
    assert [t.value for t in totals if t.type == "TOTAL"][0] == (await api.get_order(placed["id"])).total
