"""Filing one order: each in its own transaction, the events with it through the outbox.

An order document, its number, customer, service items and OrderReceived commit together;
so do a review item and its OrderQuarantined, and a status change and its event. A second
filing of the same shop order finds the row taken and rolls back, number included.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg

from contracts.base import Message
from contracts.catalog import ProductDiscovered
from contracts.orders import OrderQuarantined, OrderReviewResolved
from services.order_ingest import customers, store
from services.order_ingest.documents import Party, PlannedOrder, order_received
from services.order_ingest.errors import AlreadyIngested, NeedsReview
from services.order_ingest.lifecycle import StoredOrder, status_change
from services.order_ingest.reference import Reference, ShopProduct
from services.order_ingest.text import clip, match_key, normalise

Enqueue = Callable[[asyncpg.Connection, Sequence[Message]], Awaitable[Any]]


def format_number(prefix: str, value: int, width: int) -> str:
    return f"{prefix}{value:0{width}d}"


async def file_order(conn: asyncpg.Connection, enqueue: Enqueue, shop: Any, plan: PlannedOrder,
                     downloaded_customer: dict | None) -> str:
    """File ``plan`` as an order document in the caller's transaction; its order number."""
    party = customers.with_downloaded(plan.party, downloaded_customer)
    customer_id = await match_customer(conn, shop["shop_id"], party)
    service_ids = await store.ensure_service_items(conn, [
        (f"SRV-{normalise(line.name)[:60]}", line.name, normalise(line.name), line.service_kind or "other")
        for line in plan.lines if line.kind == "service"])
    await store.ensure_payment_method(conn, plan.payment_method.code, plan.payment_method.name, shop["shop_id"])
    await store.ensure_shipping_method(conn, plan.shipping_method.name, plan.shipping_method.code, shop["shop_id"])
    prefix, value, width = await store.take_number(conn, shop["series_id"])
    number = format_number(prefix, value, width)
    event = order_received(plan, shop_id=shop["shop_id"], order_number=number,
                           customer=customers.snapshot(party, customer_id), warehouse_id=shop["warehouse_id"],
                           service_ids=service_ids)
    filed = await store.insert_order(conn, {
        "shop_id": shop["shop_id"], "shop_order_id": plan.shop_order_id, "inner_id": plan.inner_id,
        "order_number": number, "series_id": shop["series_id"], "customer_id": customer_id,
        "warehouse_id": shop["warehouse_id"], "status_id": plan.status_id, "status_name": plan.status_name,
        "is_open": True, "gross_total": plan.gross_total, "shop_updated_at": plan.updated_at,
        "document": event.model_dump_json()})
    if not filed:
        raise AlreadyIngested(f"{shop['shop_id']}/{plan.shop_order_id}")
    messages: list[Message] = [event]
    resolved = await store.resolve_review(conn, shop["shop_id"], plan.shop_order_id, "imported", None, None)
    if resolved is not None:
        messages.append(OrderReviewResolved(
            shop_id=shop["shop_id"], shop_order_id=plan.shop_order_id, outcome="imported",
            resolved_by=resolved["resolved_by"], resolved_at=resolved["resolved_at"]))
    await enqueue(conn, messages)
    return number


async def match_customer(conn: asyncpg.Connection, shop_id: str, party: Party) -> str:
    """The back-office customer of ``party``, created when new (M7-M9)."""
    key = match_key(party.name, party.email)
    if party.shop_customer_id:
        found = await store.customer_by_shop_id(conn, shop_id, party.shop_customer_id)
        if found:
            return found
    else:
        rows = await store.customers_by_match_key(conn, key)
        found = customers.choose_for_guest([customers.Candidate(r["customer_id"], r["shop_id"], r["shop_customer_id"])
                                            for r in rows])
        if found:
            return found
    values = {
        "shop_id": shop_id if party.shop_customer_id else None, "shop_customer_id": party.shop_customer_id,
        "match_key": key, "name": party.name, "email": party.email, "phone": party.phone, "company": party.company,
        "tax_number": party.tax_number, "billing_address": party.billing_address.model_dump_json(),
        "shipping_address": party.shipping_address.model_dump_json() if party.shipping_address else None,
    }
    created = await store.insert_customer(conn, values)
    if created:
        return created
    # A concurrent order of the same customer created them first: use that one.
    return await match_customer(conn, shop_id, party)


async def hold_for_review(conn: asyncpg.Connection, enqueue: Enqueue, shop_id: str, raw: dict[str, Any],
                          problem: NeedsReview) -> bool:
    """Keep the order in review with its reason and raw data; True when newly announced."""
    shop_order_id = str(raw.get("id") or "")
    inner = raw.get("innerId")
    code = str(inner) if inner not in (None, "", {}) else None
    announce = await store.upsert_review(conn, {
        "shop_id": shop_id, "shop_order_id": shop_order_id, "inner_id": int(inner) if code and code.isdigit() else None,
        "shop_order_code": code, "reason": problem.reason, "detail": clip(problem.detail, 2000),
        "difference": problem.difference, "raw": json.dumps(raw, default=str)})
    if announce:
        await enqueue(conn, [OrderQuarantined(
            shop_id=shop_id, shop_order_id=shop_order_id, shop_order_code=code, reason=problem.reason,
            detail=clip(problem.detail, 2000), difference=problem.difference, raw=raw,
            quarantined_at=datetime.now(UTC))])
    return announce


async def apply_status(conn: asyncpg.Connection, enqueue: Enqueue, shop_id: str, shop_order_id: str,
                       status_id: str, status_name: str, ref: Reference, changed_at: datetime) -> int:
    """Record a shop-side status of a filed order; the number of events published."""
    row = await store.lock_order(conn, shop_id, shop_order_id)
    if row is None or row["status_id"] == status_id:
        return 0
    stored = StoredOrder(**{k: row[k] for k in row.keys()})
    events, is_open = status_change(stored, status_id, status_name, cancelled=ref.is_cancel_status(status_name),
                                    changed_at=changed_at)
    await store.update_order_status(conn, shop_id, shop_order_id, status_id, status_name, is_open)
    await enqueue(conn, events)
    return len(events)


async def record_products(conn: asyncpg.Connection, enqueue: Enqueue, shop_id: str,
                          found: Sequence[ShopProduct], vat_keys: dict) -> None:
    """Remember downloaded products and announce each once its VAT key is known (M10, M28)."""
    await store.insert_shop_products(conn, [
        (shop_id, p.sku, p.shop_product_id, p.name, p.unit, p.vat_short_name, p.net_price, p.is_stock_item)
        for p in found])
    now = datetime.now(UTC)
    await enqueue(conn, [
        ProductDiscovered(sku=r["sku"], shop_id=shop_id, shop_product_id=r["shop_product_id"], name=r["name"],
                          unit=r["unit"], vat=vat_keys[r["vat_short_name"]], net_price=r["net_price"],
                          discovered_at=now)
        for r in await store.claim_unannounced_products(conn, shop_id) if r["vat_short_name"] in vat_keys])
