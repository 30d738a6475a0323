"""Ledger figures reach every shop fed by the warehouse: the real broker, PostgreSQL and simulator."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.webshop_push.conftest import (
    outbox_messages,
    set_push_settings,
    start_push,
    stock_changed,
)
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker


async def test_receipt_reaches_every_shop_fed_by_the_warehouse(push_settings, routing, registry, sender, control,
                                                               fresh_shop):
    shop_a, shop_b, other = fresh_shop(), fresh_shop(), fresh_shop()
    await registry.add_shop(shop_a)
    await registry.add_shop(shop_b)
    await registry.add_shop(other, warehouse_id="DEBRECEN")
    push = await start_push(push_settings(), routing)
    try:
        for shop in (shop_a, shop_b, other):
            await set_push_settings(push, shop)
        before_other = control.stock(other, "PICK-TSZ-500")
        await sender.send(stock_changed("PICK-TSZ-500", 7, physical=55, reserved=3))
        await wait_for(lambda: _stock_is(control, shop_a, "PICK-TSZ-500", 52), timeout_s=30)
        await wait_for(lambda: _stock_is(control, shop_b, "PICK-TSZ-500", 52), timeout_s=30)
        assert control.stock(other, "PICK-TSZ-500") == before_other
        await wait_for(lambda: _count(push, "ShopStockPushed", 2))
        pushed = await outbox_messages(push, "ShopStockPushed")
        assert {(m["shop_id"], Decimal(m["quantity"]), m["stock_version"]) for m in pushed} == {
            (shop_a, 52, 7), (shop_b, 52, 7)}
    finally:
        await push.__aexit__(None, None, None)


async def _stock_is(control, shop: str, sku: str, value: int) -> bool:
    return control.stock(shop, sku) == Decimal(value)


async def _count(runtime, message_type: str, n: int) -> bool:
    return len(await outbox_messages(runtime, message_type)) >= n
