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
from contracts.sync import ShopSyncFailed, SyncRequested
from polc.runtime.consumer import Handler, Incoming
from services.order_ingest import store


async def request_sync(conn: asyncpg.Connection, command: SyncRequested) -> list[Message]:
    """Queue a poll of the shop (M20); an unknown shop is answered with ShopSyncFailed at once."""
    if await store.get_shop(conn, command.shop_id) is None:
        return [ShopSyncFailed(shop_id=command.shop_id, request_id=command.request_id, trigger="request",
                               error="other", detail=f"no shop {command.shop_id!r} is configured",
                               failed_at=datetime.now(UTC))]
    await store.add_sync_request(conn, command.request_id, command.shop_id, command.requested_by, command.not_before)
    return []


def make_on_sync_requested(wake: Callable[[], None]) -> Handler:
    """``on_sync_requested``, which also nudges this instance's scheduler."""

    async def on_sync_requested(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
        published = await request_sync(conn, incoming.payload)
        wake()
        return published

    return on_sync_requested
