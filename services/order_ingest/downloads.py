"""Reading a shop: orders, statuses, tax classes, new products and customers.

Products and customers an order needs are fetched together through the Batch API (one
request for up to 200 of them), so a page of 200 orders costs a handful of requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from pydantic import ValidationError

from polc.shoprenter import BatchRequest, ShopRenterClient, ShopRenterNotFound, run_batch
from polc.shoprenter.api import shop_time
from polc.shoprenter.models import Product, id_from_href
from services.order_ingest.reference import ShopProduct
from services.order_ingest.text import clip, plain_text, storable


async def iter_changed_orders(client: ShopRenterClient, since: datetime) -> AsyncIterator[dict[str, Any]]:
    """Every order (with lines and totals) updated at or after ``since``, by ascending innerId."""
    async for item in client.iter_collection("orderExtend", {"updatedAtMin": shop_time(since)}):
        yield item


async def iter_orders_from(client: ShopRenterClient, inner_id_min: int, inner_id_max: int) -> AsyncIterator[dict[str, Any]]:
    """Orders numbered ``inner_id_min``..``inner_id_max``, whatever their timestamps."""
    async for item in client.iter_collection("orderExtend", {"innerIdMin": inner_id_min}):
        if _inner(item) > inner_id_max:
            return
        yield item


def _inner(item: dict[str, Any]) -> int:
    try:
        return int(str(item.get("innerId") or 0))
    except ValueError:
        return 0


async def statuses(client: ShopRenterClient) -> dict[str, str]:
    """Order status id -> name (the first description's)."""
    names: dict[str, str] = {}
    for item in await client.get_all("orderStatusDescriptions"):
        link = item.get("orderStatus")
        status_id = id_from_href(link.get("href") if isinstance(link, dict) else None)
        if status_id and status_id not in names:
            names[status_id] = plain_text(str(item.get("name") or ""))
    return names


async def tax_classes(client: ShopRenterClient) -> dict[str, str]:
    """Tax class id -> name, the VAT short name of the shop (M13)."""
    return {str(item["id"]): plain_text(str(item.get("name") or "")) for item in await client.get_all("taxClasses")
            if item.get("id")}


async def get_many(client: ShopRenterClient, paths: list[str]) -> list[tuple[int, Any]]:
    """GET each path; (status, body) in order. One path is a plain call, several one batch."""
    if not paths:
        return []
    if len(paths) == 1:
        try:
            return [(200, await client.get(paths[0]))]
        except ShopRenterNotFound:
            return [(404, None)]
    result = await run_batch(client, [BatchRequest(method="GET", path=p) for p in paths])
    return [(item.status_code, item.body) for item in result.items]


async def products(client: ShopRenterClient, skus: list[str], tax_names: dict[str, str],
                   unreadable: dict[str, str] | None = None) -> dict[str, ShopProduct]:
    """The shop's data of each SKU that still exists there (M10). A product whose data cannot
    be read is left out and its reason put in ``unreadable``, so only its orders wait in review."""
    paths = [f"productExtend?{urlencode({'sku': sku, 'full': 1, 'limit': 1})}" for sku in skus]
    found: dict[str, ShopProduct] = {}
    for sku, (status, body) in zip(skus, await get_many(client, paths), strict=True):
        items = body.get("items") if isinstance(body, dict) else None
        items = [items] if isinstance(items, dict) else (items or [])
        raw = next((i for i in items if isinstance(i, dict) and storable(i.get("sku")) == sku), None)
        if status >= 300 or raw is None:
            continue
        try:
            found[sku] = product_from_raw(storable(raw), tax_names)
        except ValidationError as error:
            if unreadable is not None:
                unreadable[sku] = clip("; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                                                 for e in error.errors(include_url=False)), 500)
        except UnusableProduct as problem:
            if unreadable is not None:
                unreadable[sku] = clip(str(problem), 500)
    return found


class UnusableProduct(ValueError):
    """The shop's product data reads, but cannot become a catalog product as it is."""


def product_from_raw(raw: dict[str, Any], tax_names: dict[str, str]) -> ShopProduct:
    """The shop's product as the catalog would take it; UnusableProduct when its data is implausible.

    A product without a name is not taken with its SKU as name: an invoice names the goods it is
    for (Áfa tv. 169 § f), and an article code is not their name. A negative price is no price.
    """
    product = Product.model_validate(raw)
    descriptions = raw.get("productDescriptions")
    descriptions = descriptions if isinstance(descriptions, list) else []
    name = next((plain_text(str(d.get("name"))) for d in descriptions if isinstance(d, dict) and d.get("name")), "")
    unit = next((plain_text(str(d.get("measurementUnit"))) for d in descriptions
                 if isinstance(d, dict) and isinstance(d.get("measurementUnit"), str) and d.get("measurementUnit")), "")
    if not name:
        raise UnusableProduct("the shop's product has no name (an invoice line names the goods, Áfa tv. 169 § f; "
                              "its SKU is not a name)")
    if product.price is not None and (product.price < 0 or not product.price.is_finite()):
        raise UnusableProduct(f"the shop's product price {product.price} is not a price (negative or not finite)")
    return ShopProduct(
        sku=product.sku or "", shop_product_id=product.id, name=clip(name, 255),
        unit=clip(unit or "db", 20), vat_short_name=tax_names.get(product.tax_class_id or "", ""),
        net_price=product.price or Decimal(0), is_stock_item=product.subtract_stock is not False,
    )


async def customers(client: ShopRenterClient, ids: list[str],
                    missing: set[str] | None = None) -> dict[str, dict[str, Any]]:
    """Registered customers' own records (M7), by ShopRenter id. Ids the shop answers "not found"
    for are added to ``missing``; a record that could not be read for another reason (a failed
    batch item) is only left out."""
    paths = [f"customers/{quote(i, safe='=')}" for i in ids]
    found = {}
    for i, (status, body) in zip(ids, await get_many(client, paths), strict=True):
        if status < 300 and isinstance(body, dict):
            found[i] = body
        elif status == 404 and missing is not None:
            missing.add(i)
    return found


async def orders_by_id(client: ShopRenterClient, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Orders (extended) by their ShopRenter ids, for the review queue's retries."""
    paths = [f"orderExtend/{quote(i, safe='=')}" for i in ids]
    return {i: body for i, (status, body) in zip(ids, await get_many(client, paths), strict=True)
            if status < 300 and isinstance(body, dict)}
