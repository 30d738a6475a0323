"""Filing orders: a chunk of a page in one transaction, the events with it through the outbox.

:func:`file_chunk` files the planned orders of a chunk with a handful of set-based statements:
customers matched in memory against one read and created in one insert, service items and
methods recorded, one range of numbers taken from the series, the documents inserted, their
review items closed and every OrderReceived written to the outbox, all in the caller's
transaction. Orders that cannot be filed (an ambiguous customer) go to review in the same
transaction and do not hold up the others. Should any order of the chunk turn out filed
already, :class:`ChunkConflict` rolls the chunk back, numbers included, and the caller files
its orders one by one with :func:`file_order`, each in its own transaction.
"""

from __future__ import annotations

import asyncio
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
from services.order_ingest.errors import AlreadyIngested, IngestError, NeedsReview
from services.order_ingest.lifecycle import StoredOrder, own_status_keeps_open, status_change
from services.order_ingest.reference import Reference, ShopProduct
from services.order_ingest.text import clip, match_key, normalise

Enqueue = Callable[[asyncpg.Connection, Sequence[Message]], Awaitable[Any]]
#: Orders turned into rows between two turns of the event loop, so the answer to a page read
#: ahead is taken in meanwhile (its rate-limit lane opens only a window after it was read).
_TURN = 16


class ChunkConflict(IngestError):
    """A chunk cannot be filed as a whole (an order or customer appeared meanwhile); file it order by order."""


async def file_chunk(conn: asyncpg.Connection, enqueue: Enqueue, shop: Any,
                     plans: Sequence[tuple[dict[str, Any], PlannedOrder]],
                     downloaded_customers: dict[str, dict]) -> tuple[list[str], list[tuple[dict[str, Any], NeedsReview]]]:
    """File ``plans`` (raw order, plan) in the caller's transaction, in their order.

    Returns the shop order ids filed and the (raw, problem) pairs held for review.
    """
    shop_id = shop["shop_id"]
    parties = [(p.shop_order_id,
                customers.with_downloaded(p.party, downloaded_customers.get(p.party.shop_customer_id or "")))
               for _, p in plans]
    rows = await store.customers_matching(conn, shop_id, sorted({pt.shop_customer_id for _, pt in parties
                                                                 if pt.shop_customer_id}),
                                          sorted({match_key(pt.name, pt.email) for _, pt in parties}))
    assignment = customers.assign(
        shop_id, parties, [customers.Candidate(r["customer_id"], r["shop_id"], r["shop_customer_id"]) for r in rows],
        {r["customer_id"]: r["match_key"] for r in rows})
    await _store_new_customers(conn, shop_id, assignment.new)
    held = [(raw, assignment.held[p.shop_order_id]) for raw, p in plans if p.shop_order_id in assignment.held]
    party_of = dict(parties)
    good = [p for _, p in plans if p.shop_order_id not in assignment.held]
    events: list[Message] = []
    if good:
        services = {normalise(line.name): (f"SRV-{normalise(line.name)[:60]}", line.name, normalise(line.name),
                                           line.service_kind or "other")
                    for p in good for line in p.lines if line.kind == "service"}
        service_ids = await store.ensure_service_items(conn, list(services.values()))
        await store.ensure_payment_methods(
            conn, list({p.payment_method.code: (p.payment_method.code, p.payment_method.name) for p in good}.values()),
            shop_id)
        await store.ensure_shipping_methods(
            conn, list({p.shipping_method.name: (p.shipping_method.name, p.shipping_method.code)
                        for p in good}.values()), shop_id)
        prefix, first, width = await store.take_numbers(conn, shop["series_id"], len(good))
        rows_out = []
        for offset, plan in enumerate(good):
            if offset % _TURN == _TURN - 1:
                await asyncio.sleep(0)  # let the answer of a page being read ahead in
            found = assignment.by_order[plan.shop_order_id]
            customer_id = found if isinstance(found, str) else found.customer_id
            number = format_number(prefix, first + offset, width)
            event = order_received(plan, shop_id=shop_id, order_number=number,
                                   customer=customers.snapshot(party_of[plan.shop_order_id], customer_id),
                                   warehouse_id=shop["warehouse_id"], service_ids=service_ids)
            events.append(event)
            rows_out.append({"shop_order_id": plan.shop_order_id, "inner_id": plan.inner_id, "order_number": number,
                             "customer_id": customer_id, "status_id": plan.status_id,
                             "status_name": plan.status_name, "is_paid": plan.is_paid,
                             "gross_total": plan.gross_total, "shop_updated_at": plan.updated_at,
                             "document": event.model_dump_json()})
        filed = await store.insert_orders(conn, shop_id, shop["series_id"], shop["warehouse_id"], rows_out)
        if len(filed) != len(rows_out):
            raise ChunkConflict(f"{shop_id}: {len(rows_out) - len(filed)} order(s) of the chunk were filed meanwhile")
        resolved = {r["shop_order_id"]: r for r in
                    await store.resolve_reviews(conn, shop_id, [p.shop_order_id for p in good], "imported")}
        messages: list[Message] = []
        for event in events:
            messages.append(event)
            done = resolved.get(event.shop_order_id)
            if done is not None:
                messages.append(OrderReviewResolved(
                    shop_id=shop_id, shop_order_id=event.shop_order_id, outcome="imported",
                    resolved_by=done["resolved_by"], resolved_at=done["resolved_at"]))
        await enqueue(conn, messages)
    for raw, problem in held:
        await hold_for_review(conn, enqueue, shop_id, raw, problem)
    return [p.shop_order_id for p in good], held


async def _store_new_customers(conn: asyncpg.Connection, shop_id: str, new: list[customers.NewCustomer]) -> None:
    """Create the chunk's new customers; one another poll created meanwhile is used as it is."""
    if not new:
        return
    created = await store.insert_customers(conn, [_customer_values(c.party, c.match_key, c.shop_id) for c in new])
    _attach(new, created, shop_id)
    missing = [c for c in new if c.customer_id is None]
    if missing:
        _attach(missing, await store.customers_matching(
            conn, shop_id, [c.party.shop_customer_id for c in missing if c.shop_id],
            [c.match_key for c in missing if not c.shop_id]), shop_id)
        if any(c.customer_id is None for c in missing):
            raise ChunkConflict(f"{shop_id}: a new customer could not be created or found")


def _attach(new: Sequence[customers.NewCustomer], rows: Sequence[Any], shop_id: str) -> None:
    registered = {r["shop_customer_id"]: r["customer_id"] for r in rows
                  if r["shop_id"] == shop_id and r["shop_customer_id"]}
    guests = {r["match_key"]: r["customer_id"] for r in rows if r["shop_customer_id"] is None}
    for c in new:
        if c.customer_id is None:
            c.customer_id = registered.get(c.party.shop_customer_id) if c.shop_id else guests.get(c.match_key)


def _customer_values(party: Party, key: str, shop_id: str | None) -> dict[str, Any]:
    return {
        "shop_id": shop_id, "shop_customer_id": party.shop_customer_id if shop_id else None,
        "match_key": key, "name": party.name, "email": party.email, "phone": party.phone, "company": party.company,
        "tax_number": party.tax_number, "billing_address": party.billing_address.model_dump_json(),
        "shipping_address": party.shipping_address.model_dump_json() if party.shipping_address else None,
    }


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
        "document": event.model_dump_json(), "is_paid": plan.is_paid})
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
    values = _customer_values(party, key, shop_id if party.shop_customer_id else None)
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
                       status_id: str, status_name: str, ref: Reference, changed_at: datetime,
                       push_schema: str | None = None) -> int:
    """Record a shop-side status of a filed order; the number of events published."""
    row = await store.lock_order(conn, shop_id, shop_order_id)
    if row is None or row["status_id"] == status_id:
        return 0
    if push_schema and await store.written_by_polc(conn, push_schema, shop_id, shop_order_id, status_id):
        # polc wrote this status after a back-office event: recorded, not imported as a shop change.
        is_open = own_status_keeps_open(row["is_open"], cancelled=ref.is_cancel_status(status_name))
        await store.update_order_status(conn, shop_id, shop_order_id, status_id, status_name, is_open)
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
