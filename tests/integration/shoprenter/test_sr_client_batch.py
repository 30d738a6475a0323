"""The Batch API: chunks of at most batch_size, one at a time, failed items reported one by one."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from polc.shoprenter import BatchItemsFailed, BatchRequest, ProductUpdate, ShopRenterApi


async def _products(api: ShopRenterApi) -> dict[str, str]:
    return {p.sku: p.id async for p in api.iter_products()}


async def test_a_failing_item_is_reported_and_the_others_are_applied(connect, control):
    api = ShopRenterApi(connect("batch"))
    ids = await _products(api)
    control.faults("batch", fail_batch_items_matching=[ids["ZSOL-VAZA-25"]])
    try:
        updates = [ProductUpdate(product_id=ids[sku], stock1=Decimal(n), price=Decimal(1000 + n))
                   for n, sku in enumerate(["RUBIK-3X3", "ZSOL-VAZA-25", "TOJAS-10"], start=1)]
        result = await api.update_products(updates)
    finally:
        control.faults("batch")
    assert [(f.index, f.status_code, f.inner_code) for f in result.failures] == [(1, 400, 40005)]
    assert len(result.succeeded) == 2
    assert control.product("batch", "RUBIK-3X3")["stock1"] == "1"
    assert control.product("batch", "TOJAS-10")["price"] == "1003.0000"
    assert control.product("batch", "ZSOL-VAZA-25")["stock1"] == "4"  # unchanged seed stock
    try:
        result.raise_for_failures()
    except BatchItemsFailed as exc:
        assert exc.failures[0].request.path.endswith(ids["ZSOL-VAZA-25"])
    else:
        raise AssertionError("raise_for_failures did not raise")


async def test_item_statuses_are_checked_even_when_the_batch_is_200(connect):
    api = ShopRenterApi(connect("batch"))
    result = await api.run_batch([
        BatchRequest(method="GET", path="taxClasses?page=0&limit=5"),
        BatchRequest(method="GET", path="products/bm8tc3VjaA=="),
        BatchRequest(method="PUT", path="products/bm8tc3VjaA==", data={"stock1": 1}),
    ])
    assert [i.status_code for i in result.items] == [200, 404, 404]
    assert [i.index for i in result.failures] == [1, 2]


async def test_large_runs_are_split_into_sequential_chunks(connect, control):
    client = connect("batch", batch_size=3)
    api = ShopRenterApi(client)
    ids = list((await _products(api)).values())[:7]
    writes_before = len(control.call("GET", "/shops/batch/writes"))
    # Two concurrent runs for the same shop: the shop must never see overlapping batches.
    runs = await asyncio.gather(*(
        api.update_products([ProductUpdate(product_id=i, stock1=Decimal(50 + k)) for i in ids]) for k in range(2)))
    assert all(not r.failures and len(r.items) == 7 for r in runs)
    writes = control.call("GET", "/shops/batch/writes")[writes_before:]
    assert len(writes) == 14 and all(w["via_batch"] for w in writes)
    assert control.stats("batch")["batch_overlaps"] == 0
