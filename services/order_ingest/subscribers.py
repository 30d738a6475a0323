"""Subscribers of order_ingest: one thin function per consumed message.

Delivery semantics (the runtime's, see docs/runtime.md): consumer group
``polc.order_ingest.main``, offsets committed after the transaction, duplicates skipped by the
inbox, database errors retried without limit, anything else dead-lettered after a few tries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg

from contracts.base import Message
from contracts.invoices import InvoiceCancelled, InvoiceIssued
from contracts.sync import ShopSyncFailed, SyncRequested
from polc.runtime.consumer import Handler, Incoming
from services.order_ingest import store


async def request_sync(conn: asyncpg.Connection, command: SyncRequested) -> list[Message]:
    """Queue a poll of the shop (M20); an unknown shop is answered with ShopSyncFailed at once.

    The poll that answers starts at or after ``not_before`` (its watermark is when it started),
    so its SyncCompleted covers every order placed before that moment. The request is stored
    in the consumer's transaction; the schedulers are woken when that transaction commits.
    """
    if await store.get_shop(conn, command.shop_id) is None:
        return [ShopSyncFailed(shop_id=command.shop_id, request_id=command.request_id, trigger="request",
                               error="other", detail=f"no shop {command.shop_id!r} is configured",
                               failed_at=datetime.now(UTC))]
    await store.add_sync_request(conn, command.request_id, command.shop_id, command.requested_by, command.not_before)
    await store.notify_sync_requested(conn, command.shop_id)
    return []


def make_on_sync_requested(wake: Callable[[], None]) -> Handler:
    """``on_sync_requested``, which also nudges this instance's scheduler."""

    async def on_sync_requested(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
        published = await request_sync(conn, incoming.payload)
        wake()
        return published

    return on_sync_requested


async def on_invoice_issued(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    """An invoiced order is closed: later shop status changes are recorded but publish nothing."""
    invoice: InvoiceIssued = incoming.payload
    await store.mark_invoiced(conn, invoice.shop_id, invoice.shop_order_id, "invoiced", invoice.invoice_number,
                              invoice.issued_at)
    return []


async def on_invoice_cancelled(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    """A storno keeps the order closed (the ledger books its stock back); the invoice is marked cancelled."""
    storno: InvoiceCancelled = incoming.payload
    await store.mark_invoiced(conn, storno.shop_id, storno.shop_order_id, "invoice_cancelled",
                              storno.original_invoice_number, storno.issued_at)
    return []
