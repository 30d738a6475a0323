"""Use cases run for each consumed message: record the back office's change, queue the shop writes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from contracts.catalog import ProductCreated, ProductPriceChanged
from contracts.orders import OrderReceived
from contracts.stock import StockChanged
from contracts.sync import SyncCompleted
from services.webshop_push import store
from services.webshop_push.errors import RegistryUnavailable

T = TypeVar("T")


async def _with_registry(call: Callable[[], Awaitable[T]]) -> T:
    try:
        return await call()
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError) as error:
        raise RegistryUnavailable(f"the shop registry is not there yet: {error}") from error


async def stock_changed(conn: asyncpg.Connection, msg: StockChanged, *, registry: str, message_id: str) -> None:
    """Keep the newest figures of warehouse+SKU and queue a stock write for each shop it feeds."""
    cause = msg.cause.model_dump(mode="json")
    if msg.cause.shop_id and msg.cause.shop_order_id:
        await store.record_reservation(conn, msg.cause.shop_id, msg.cause.shop_order_id, msg.sku, msg.version)
    newer = await store.upsert_stock_level(conn, msg.warehouse_id, msg.sku, msg.version, msg.physical, msg.reserved,
                                           msg.free, cause, msg.changed_at)
    if not newer:
        return
    reason = {"event": "StockChanged", "message_id": message_id, "version": msg.version, "cause": cause,
              "changed_at": msg.changed_at.isoformat()}
    shops = await _with_registry(lambda: store.enqueue_stock_writes(
        conn, registry, msg.warehouse_id, msg.sku, msg.version, reason))
    await store.notify_pending(conn, shops)


async def product_created(conn: asyncpg.Connection, msg: ProductCreated, *, registry: str, message_id: str) -> None:
    """Remember the product and queue its creation in every shop it is meant for."""
    p = msg.product
    await store.upsert_product(conn, msg.sku, p.name, p.vat.short_name, p.net_price, p.currency, p.shop_ids, p.is_stock_item,
                               msg.created_at)
    reason = {"event": "ProductCreated", "message_id": message_id, "origin": msg.origin,
              "created_at": msg.created_at.isoformat()}
    shops = await _with_registry(lambda: store.enqueue_product_writes(
        conn, registry, msg.sku, "create", 1, p.shop_ids, reason))
    await store.notify_pending(conn, shops)


async def product_price_changed(conn: asyncpg.Connection, msg: ProductPriceChanged, *, registry: str,
                                message_id: str) -> None:
    """Keep the newest price and queue a price write for the shops the product is meant for and
    every other shop that holds the SKU (a product discovered in one shop is sold in others too)."""
    if not await store.upsert_price(conn, msg.sku, msg.net_price, msg.currency, msg.price_version):
        return
    product = await store.get_product(conn, msg.sku)
    shop_ids = product["shop_ids"]
    if shop_ids:  # empty or none: every shop already
        shop_ids = sorted(set(shop_ids) | set(await store.shops_holding(conn, msg.sku)))
    reason = {"event": "ProductPriceChanged", "message_id": message_id, "version": msg.price_version,
              "previous_net_price": str(msg.previous_net_price) if msg.previous_net_price is not None else None,
              "changed_at": msg.changed_at.isoformat()}
    shops = await _with_registry(lambda: store.enqueue_product_writes(
        conn, registry, msg.sku, "price", msg.price_version, shop_ids, reason))
    await store.notify_pending(conn, shops)


async def sync_completed(conn: asyncpg.Connection, msg: SyncCompleted, *, registry: str, message_id: str) -> None:
    """Remember the shop's ingest watermark: waiting stock pushes may pass the fence."""
    await store.record_sync(conn, msg.shop_id, msg.request_id, msg.watermark, msg.finished_at, msg.order_ids)
    await store.notify_pending(conn, [msg.shop_id])


async def order_received(conn: asyncpg.Connection, msg: OrderReceived, *, registry: str, message_id: str) -> None:
    """Remember which SKUs of a shop order the ledger must reserve before that shop's stock is written."""
    skus = [line.sku for line in msg.lines if line.kind == "product" and line.is_stock_item]
    await store.record_shop_order(conn, msg.shop_id, msg.shop_order_id, skus)
