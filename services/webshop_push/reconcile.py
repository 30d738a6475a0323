"""Reconcile: compare every product's stock and price in a shop with the back office, and fix it.

A run reads the whole shop catalog (200 products a request), lists each difference and,
unless it is a dry run, queues the writes that fix it; they go out through the normal path
(coalesced, fenced, explained).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

import asyncpg

from polc.shoprenter import ShopRenterApi
from services.webshop_push import store
from services.webshop_push.stock import meant_for, shop_quantity


@dataclass(frozen=True)
class ShopProduct:
    sku: str
    product_id: str
    stock: Decimal | None
    price: Decimal | None


@dataclass(frozen=True)
class Difference:
    """One thing the shop shows differently from the back office."""

    sku: str
    field: str  # stock, price, missing_in_shop, unknown_in_back_office
    shop: str | None
    back_office: str | None
    version: int | None = None


def differences(shop_id: str, in_shop: dict[str, ShopProduct], expected: Iterable[Any]) -> list[Difference]:
    """Every difference between the shop's products and the back office's figures for that shop."""
    out: list[Difference] = []
    known: set[str] = set()
    for row in expected:
        sku = row["sku"]
        known.add(sku)
        if row["shop_ids"] is not None and not meant_for(row["shop_ids"], shop_id) and sku not in in_shop:
            continue
        product = in_shop.get(sku)
        if product is None:
            if row["shop_ids"] is not None:  # announced products only: the ledger may know SKUs sold elsewhere
                out.append(Difference(sku, "missing_in_shop", None, "product", 1))
            continue
        if row["free"] is not None:
            want = shop_quantity(row["free"], row["safety_buffer"])
            if product.stock is None or product.stock != want:
                out.append(Difference(sku, "stock", _s(product.stock), _s(want), row["stock_version"]))
        if row["net_price"] is not None and (product.price is None or product.price != row["net_price"]):
            out.append(Difference(sku, "price", _s(product.price), _s(row["net_price"]), max(1, row["price_version"])))
    for sku in sorted(set(in_shop) - known):
        out.append(Difference(sku, "unknown_in_back_office", "product", None))
    return out


def _s(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


class Reconciler:
    """One reconcile run for one shop, run by that shop's pusher (so it shares the shop's pacing)."""

    def __init__(self, pool: asyncpg.Pool, api: ShopRenterApi, shop_id: str, warehouse_id: str) -> None:
        self.pool, self.api, self.shop_id, self.warehouse_id = pool, api, shop_id, warehouse_id

    async def run(self, *, dry_run: bool) -> dict[str, Any]:
        in_shop: dict[str, ShopProduct] = {}
        async for p in self.api.iter_products():
            if p.sku and p.id:
                in_shop[p.sku] = ShopProduct(p.sku, p.id, p.stock1, p.price)
        async with self.pool.acquire() as conn:
            expected = await store.expected_state(conn, self.shop_id, self.warehouse_id)
        found = differences(self.shop_id, in_shop, expected)
        if not dry_run:
            await self._fix(found, in_shop)
        return {"shop_id": self.shop_id, "dry_run": dry_run, "products_in_shop": len(in_shop),
                "differences": [asdict(d) for d in found], "fixed": 0 if dry_run else
                sum(1 for d in found if d.field != "unknown_in_back_office")}

    async def _fix(self, found: list[Difference], in_shop: dict[str, ShopProduct]) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await store.put_sku_ids(conn, self.shop_id, [(p.sku, p.product_id) for p in in_shop.values()])
            for d in found:
                kind = {"stock": "stock", "price": "price", "missing_in_shop": "create"}.get(d.field)
                if kind is None:
                    continue
                reason = {"event": "reconcile", "field": d.field, "shop": d.shop, "back_office": d.back_office}
                await store.enqueue_write(conn, self.shop_id, d.sku, kind, d.version or 1,
                                          self.warehouse_id if kind == "stock" else None, reason)
            await store.notify_pending(conn, [self.shop_id])
