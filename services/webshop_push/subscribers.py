"""Thin subscribers: parse, call one use case, return what to publish (nothing, here).

Delivery semantics (the runtime's, the same for each): consumer group
``polc.webshop_push.main``, offsets committed after the transaction commits; the inbox makes a
redelivered message a no-op; a missing shop registry or database trouble is transient and
retried in place; a malformed message is dead-lettered with the reason. Every handler only
records state and pending writes in the message's transaction; the shop pushers write to
the shops afterwards, so a slow shop never holds up the partition.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from contracts.catalog import ProductCreated, ProductPriceChanged
from contracts.fulfilment import OrderPacked, OrderShipped
from contracts.invoices import InvoiceIssued
from contracts.orders import OrderCancelled, OrderReceived
from contracts.stock import StockChanged
from contracts.sync import SyncCompleted
from polc.runtime.consumer import Handler, Incoming
from services.webshop_push import changes, order_events


def handlers(registry: str) -> dict[type, Handler]:
    """The subscriber of each consumed message, reading shops from ``registry``."""

    def bind(use_case: Callable) -> Handler:
        async def handler(conn: asyncpg.Connection, incoming: Incoming) -> list:
            await use_case(conn, incoming.payload, registry=registry, message_id=str(incoming.envelope.message_id))
            return []

        handler.__name__ = f"on_{use_case.__name__}"
        return handler

    return {
        StockChanged: bind(changes.stock_changed),
        ProductCreated: bind(changes.product_created),
        ProductPriceChanged: bind(changes.product_price_changed),
        SyncCompleted: bind(changes.sync_completed),
        OrderReceived: bind(changes.order_received),
        # Order status write-back (docs/status-writeback.md).
        InvoiceIssued: bind(order_events.invoice_issued),
        OrderPacked: bind(order_events.order_packed),
        OrderShipped: bind(order_events.order_shipped),
        OrderCancelled: bind(order_events.order_cancelled),
    }
