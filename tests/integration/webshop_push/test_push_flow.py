"""Coalescing, versions, safety buffer, reservations and prices, end to end through the simulator."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from contracts.catalog import ProductPriceChanged
from tests.integration.webshop_push.conftest import (
    outbox_messages,
    pending_rows,
    set_push_settings,
    stock_changed,
    stock_writes,
)
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker
SKU = "RUBIK-3X3"


async def test_many_changes_become_few_writes_and_older_versions_never_win(push, registry, sender, control,
                                                                           fresh_shop):
    shop = fresh_shop()
    await registry.add_shop(shop)
    runtime = await push()
    await set_push_settings(runtime, shop, safety_buffer=2)
    await sender.send(*[stock_changed(SKU, v, physical=100 + v) for v in range(1, 41)])
    await wait_for(lambda: _shows(control, shop, SKU, 138))
    # A late, older figure arrives, then a newer one: the older is never written.
    await sender.send(stock_changed(SKU, 5, physical=105), stock_changed(SKU, 41, physical=200))
    await wait_for(lambda: _shows(control, shop, SKU, 198))
    # An order ingested by the ledger reserves 5: free stock falls and the shop agrees.
    await sender.send(stock_changed(SKU, 42, physical=200, reserved=5, kind="reservation", shop_id=shop,
                                    shop_order_id="b3JkZXItb3JkZXJfaWQ9MQ==", document="WP-000001"))
    await wait_for(lambda: _shows(control, shop, SKU, 193))
    written = stock_writes(control, shop, SKU)
    assert written == sorted(written[:-1]) + [Decimal(193)]  # never backwards until the reservation
    # The late version 5 (103 after the buffer) never reaches the shop once 138 was written.
    assert Decimal(103) not in written[written.index(Decimal(138)):]
    assert len(written) < 20  # 42 changes, coalesced
    await wait_for(lambda: _no_pending(runtime))
    pushed = await outbox_messages(runtime, "ShopStockPushed")
    assert pushed[-1]["stock_version"] == 42 and Decimal(pushed[-1]["free"]) == 195
    assert Decimal(pushed[-1]["safety_buffer"]) == 2


async def test_free_stock_is_never_negative_in_the_shop(push, registry, sender, control, fresh_shop):
    shop = fresh_shop()
    await registry.add_shop(shop)
    runtime = await push()
    await set_push_settings(runtime, shop)
    await sender.send(stock_changed("TOK-ASZU5-05", 3, physical=2, reserved=5, kind="reservation"))
    await wait_for(lambda: _shows(control, shop, "TOK-ASZU5-05", 0))


async def test_price_change_reaches_the_shop_and_old_prices_lose(push, registry, sender, control, fresh_shop):
    shop = fresh_shop()
    await registry.add_shop(shop)
    runtime = await push()
    await set_push_settings(runtime, shop)
    now = datetime.now(UTC)
    await sender.send(
        ProductPriceChanged(sku="BAL-ROZE-24", net_price=Decimal("2990"), gross_price=Decimal("3797.3"),
                            price_version=4, changed_at=now),
        ProductPriceChanged(sku="BAL-ROZE-24", net_price=Decimal("2500"), gross_price=Decimal("3175"),
                            price_version=2, changed_at=now))
    await wait_for(lambda: _price_is(control, shop, "BAL-ROZE-24", 2990))
    await wait_for(lambda: _count(runtime, "ShopPricePushed", 1))
    pushed = await outbox_messages(runtime, "ShopPricePushed")
    assert [(p["sku"], Decimal(p["net_price"]), p["price_version"]) for p in pushed] == [
        ("BAL-ROZE-24", 2990, 4)]


async def _shows(control, shop: str, sku: str, value: int) -> bool:
    return control.stock(shop, sku) == Decimal(value)


async def _price_is(control, shop: str, sku: str, value: int) -> bool:
    return Decimal(str(control.product(shop, sku)["price"])) == Decimal(value)


async def _no_pending(runtime) -> bool:
    return not await pending_rows(runtime)


async def _count(runtime, message_type: str, n: int) -> bool:
    return len(await outbox_messages(runtime, message_type)) >= n
