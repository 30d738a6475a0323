"""Back-office products appear in the shops they are meant for, once, with their SKU; others are reported."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from contracts.catalog import ProductCreated, ProductData
from contracts.common import VatKey
from tests.integration.webshop_push.conftest import outbox_messages, pending_rows, set_push_settings, stock_changed
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker


def created(sku: str, *, shop_ids: tuple[str, ...] = (), price: str = "4990") -> ProductCreated:
    return ProductCreated(sku=sku, created_at=datetime.now(UTC), product=ProductData(
        name="Szegedi paprikás szalámi, 400 g", unit="db", vat=VatKey(short_name="27%", category="PERCENTAGE", rate=Decimal("0.27")), net_price=Decimal(price), shop_ids=shop_ids))


async def test_created_product_appears_once_with_its_sku_and_stock(push, registry, sender, control, fresh_shop):
    shop, elsewhere = fresh_shop(), fresh_shop()
    await registry.add_shop(shop)
    await registry.add_shop(elsewhere)
    runtime = await push()
    await set_push_settings(runtime, shop)
    await set_push_settings(runtime, elsewhere)
    sku = "SZEG-SZAL-400"
    await sender.send(stock_changed(sku, 1, physical=12))
    await sender.send(created(sku, shop_ids=(shop,)), created(sku, shop_ids=(shop,)))
    await wait_for(lambda: _product_with(control, shop, sku, stock=12, price=4990))
    await wait_for(lambda: _no_pending(runtime, shop))
    # Announced again (a replay from another producer): still one product.
    await sender.send(created(sku, shop_ids=(shop,)))
    await wait_for(lambda: _count(runtime, "ShopProductCreated", 1))
    products = [w for w in control.writes(shop) if w["method"] == "POST" and w["path"].rstrip("/").split("/")[-2:-1] == ["products"]]
    assert len(products) == 1
    async with runtime.pool.acquire() as conn:
        ids = await conn.fetch("SELECT * FROM sku_map WHERE sku = $1", sku)
    assert [(r["shop_id"], r["shop_product_id"]) for r in ids] == [(shop, control.product(shop, sku)["id"])]
    # Not meant for the other shop: its stock change is reported, not silently dropped.
    await wait_for(lambda: _failed(runtime, elsewhere, sku))
    assert not control.has_product(elsewhere, sku)
    made = await outbox_messages(runtime, "ShopProductCreated")
    assert [(m["shop_id"], m["sku"]) for m in made] == [(shop, sku)]


async def test_shop_set_never_to_create_reports_the_missing_sku(push, registry, sender, control, fresh_shop):
    shop = fresh_shop()
    await registry.add_shop(shop)
    runtime = await push()
    await set_push_settings(runtime, shop, create_missing="never")
    await sender.send(stock_changed("NINCS-ILYEN-1", 2, physical=4))
    await wait_for(lambda: _failed(runtime, shop, "NINCS-ILYEN-1"))
    rows = [r for r in await pending_rows(runtime) if r["sku"] == "NINCS-ILYEN-1"]
    assert [(r["kind"], r["state"]) for r in rows] == [("stock", "missing")]


async def _product_with(control, shop: str, sku: str, *, stock: int, price: int) -> bool:
    if not control.has_product(shop, sku):
        return False
    p = control.product(shop, sku)
    return Decimal(str(p["stock1"])) == stock and Decimal(str(p["price"])) == price


async def _no_pending(runtime, shop: str) -> bool:
    return not [r for r in await pending_rows(runtime) if r["shop_id"] == shop]


async def _count(runtime, message_type: str, n: int) -> bool:
    return len(await outbox_messages(runtime, message_type)) >= n


async def _failed(runtime, shop: str, sku: str) -> bool:
    return any(m["shop_id"] == shop and m["sku"] == sku and m["error"] == "sku_not_in_shop"
               for m in await outbox_messages(runtime, "ShopWriteFailed"))
