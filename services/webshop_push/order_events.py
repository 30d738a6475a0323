"""Use cases for back-office events of shop orders: queue the status (and invoice number) write.

Each records what the event led to (for the explain view) and, when the shop maps the event to
a status and the order does not show it or a later one yet, merges it into the order's one
pending write. The shop's pusher sends it; nothing here calls a shop.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from contracts.fulfilment import OrderPacked, OrderShipped
from contracts.invoices import InvoiceIssued
from contracts.orders import OrderCancelled
from services.webshop_push import store
from services.webshop_push.order_status import ShopStatus, Target, decide, merge


async def invoice_issued(conn: asyncpg.Connection, msg: InvoiceIssued, *, registry: str, message_id: str) -> None:
    """An invoice was issued: the order gets the invoiced status and the invoice number."""
    reason = {"event": "InvoiceIssued", "message_id": message_id, "invoice_number": msg.invoice_number,
              "at": msg.issued_at.isoformat()}
    await order_event(conn, msg.shop_id, msg.shop_order_id, "invoiced", reason, message_id,
                      invoice_number=msg.invoice_number)


async def order_packed(conn: asyncpg.Connection, msg: OrderPacked, *, registry: str, message_id: str) -> None:
    """The order was packed."""
    reason = {"event": "OrderPacked", "message_id": message_id, "by": msg.packed_by, "at": msg.packed_at.isoformat()}
    await order_event(conn, msg.shop_id, msg.shop_order_id, "packed", reason, message_id)


async def order_shipped(conn: asyncpg.Connection, msg: OrderShipped, *, registry: str, message_id: str) -> None:
    """The order was handed to the carrier."""
    reason = {"event": "OrderShipped", "message_id": message_id, "carrier": msg.carrier,
              "tracking_number": msg.tracking_number, "at": msg.shipped_at.isoformat()}
    await order_event(conn, msg.shop_id, msg.shop_order_id, "shipped", reason, message_id)


async def order_cancelled(conn: asyncpg.Connection, msg: OrderCancelled, *, registry: str, message_id: str) -> None:
    """A back-office cancellation is written; one the shop made itself only closes the order to writes."""
    reason = {"event": "OrderCancelled", "message_id": message_id, "source": msg.source, "reason": msg.reason,
              "at": msg.cancelled_at.isoformat()}
    if msg.source == "shop":
        await store.lock_shop_order(conn, msg.shop_id, msg.shop_order_id)
        await store.record_shop_cancel(conn, msg.shop_id, msg.shop_order_id, msg.reason, reason)
        await store.log_order_status_event(conn, msg.shop_id, msg.shop_order_id, "cancelled", message_id, None,
                                           "cancelled_in_shop", "the shop cancelled the order itself")
        return
    await order_event(conn, msg.shop_id, msg.shop_order_id, "cancelled", reason, message_id)


async def order_event(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, trigger: str,
                      reason: dict[str, Any], message_id: str, *, invoice_number: str | None = None) -> str:
    """Decide and queue the write one event asks for; returns the outcome."""
    await store.lock_shop_order(conn, shop_id, shop_order_id)
    row = await store.status_mapping(conn, shop_id, trigger)
    mapping = ShopStatus(row["shop_status_id"], row["status_name"]) if row else None
    written, pending = await store.order_status_state(conn, shop_id, shop_order_id)
    decision = decide(trigger, mapping, invoice_number, _target(written), _target(pending))
    if decision.queue is not None:
        target = merge(_target(pending), decision.queue)
        await store.put_order_status_pending(conn, shop_id, shop_order_id, target.trigger, target.rank,
                                             target.shop_status_id, target.status_name, target.invoice_number, reason)
        await store.notify_pending(conn, [shop_id])
    await store.log_order_status_event(conn, shop_id, shop_order_id, trigger, message_id, invoice_number,
                                       decision.outcome, decision.detail or None)
    return decision.outcome


def _target(row: Any) -> Target | None:
    if row is None:
        return None
    return Target(trigger=row["trigger"], rank=row["rank"], shop_status_id=row["shop_status_id"],
                  status_name=row["status_name"], invoice_number=row["invoice_number"])
