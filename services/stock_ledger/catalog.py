"""Catalog use cases: products created here or discovered in shops, prices, warehouses, suppliers.

A product created here is announced with ProductCreated so webshop_push creates it in the shops
under this SKU (M29); a changed normal price is announced with ProductPriceChanged (M31). A
product discovered in a shop order (M28) is created for that shop only.
"""

from __future__ import annotations

import asyncpg

from contracts.base import Message
from contracts.catalog import (
    ChangeProductPrice, CreateProduct, ProductCreated, ProductData, ProductDiscovered, ProductPriceChanged,
)
from services.stock_ledger import store
from services.stock_ledger.domain import gross_price
from services.stock_ledger.errors import NotFound


def product_data(row: asyncpg.Record) -> ProductData:
    """Catalog data of a stored product."""
    return ProductData(
        name=row["name"], unit=row["unit"], vat=row["vat"], net_price=row["net_price"], currency=row["currency"],
        is_stock_item=row["is_stock_item"], minimum_stock=row["minimum_stock"],
        default_supplier_id=row["default_supplier_id"], supplier_item_number=row["supplier_item_number"],
        shop_ids=tuple(row["shop_ids"]),
    )


def product_json(row: asyncpg.Record) -> dict:
    """A stored product as the HTTP API shows it."""
    return {"sku": row["sku"], **product_data(row).model_dump(mode="json"), "origin_shop_id": row["origin_shop_id"],
            "price_version": row["price_version"]}


async def create_product(conn: asyncpg.Connection, cmd: CreateProduct) -> list[Message]:
    """Create the product; for a SKU that exists, its data is brought up to date instead."""
    data = cmd.product.model_dump(mode="python")
    data["vat"] = cmd.product.vat.model_dump(mode="json")
    row = await store.insert_product(conn, cmd.sku, data, origin_shop_id=None)
    if row is not None:
        return [ProductCreated(sku=cmd.sku, product=product_data(row), origin=None, created_at=row["created_at"])]
    await store.update_product(conn, cmd.sku, {f: data[f] for f in store.EDITABLE_PRODUCT_FIELDS})
    return await change_price(conn, ChangeProductPrice(sku=cmd.sku, net_price=cmd.product.net_price,
                                                       currency=cmd.product.currency, requested_by=cmd.requested_by))


async def change_price(conn: asyncpg.Connection, cmd: ChangeProductPrice) -> list[Message]:
    """Set the normal net price; an unchanged price publishes nothing."""
    current = await store.lock_product(conn, cmd.sku)
    if current is None:
        raise NotFound(f"no product with SKU {cmd.sku}")
    if current["net_price"] == cmd.net_price and current["currency"] == cmd.currency:
        return []
    row = await store.set_price(conn, cmd.sku, cmd.net_price, cmd.currency)
    return [ProductPriceChanged(
        sku=cmd.sku, net_price=cmd.net_price, gross_price=gross_price(cmd.net_price, row["vat"]),
        previous_net_price=current["net_price"], currency=cmd.currency, price_version=row["price_version"],
        changed_at=row["updated_at"],
    )]


async def discover_product(conn: asyncpg.Connection, found: ProductDiscovered) -> list[Message]:
    """Remember where the shop keeps the product; create it here if the catalog lacks the SKU."""
    await store.record_shop_product(conn, found.shop_id, found.sku, found.shop_product_id, found.discovered_at)
    data = {"name": found.name, "unit": found.unit, "vat": found.vat.model_dump(mode="json"),
            "net_price": found.net_price, "currency": found.currency, "is_stock_item": True, "minimum_stock": None,
            "default_supplier_id": None, "supplier_item_number": None, "shop_ids": (found.shop_id,)}
    row = await store.insert_product(conn, found.sku, data, origin_shop_id=found.shop_id)
    if row is None:
        return []
    return [ProductCreated(sku=found.sku, product=product_data(row), origin=found.shop_id,
                           created_at=row["created_at"])]


async def edit_product(conn: asyncpg.Connection, sku: str, changes: dict) -> asyncpg.Record:
    """Change catalog fields that the shops do not need to hear about (name, minimum, supplier...)."""
    row = await store.update_product(conn, sku, changes)
    if row is None:
        raise NotFound(f"no product with SKU {sku}")
    return row
