"""One thin subscriber per consumed message: take the payload, call one use case, return its events.

Delivery semantics (the runtime's, the same for each): consumer group ``polc.stock_ledger.main``;
the offset is committed after the message's transaction commits; the inbox row, the ledger
writes and the outbox rows commit together, so a redelivered message changes nothing, and a
document number booked before books nothing again. Database and network errors are retried
without limit; a document that breaks a ledger rule (LedgerError) is dead-lettered with the
reason and the partition moves on.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from contracts.base import Message
from polc.runtime.consumer import Incoming
from services.stock_ledger import catalog, ledger, reservations


def _message_id(incoming: Incoming) -> str:
    return str(incoming.envelope.message_id)


async def on_record_goods_receipt(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await ledger.record_goods_receipt(conn, incoming.payload, _message_id(incoming))


async def on_record_goods_receipts(conn: asyncpg.Connection, incoming: Sequence[Incoming]) -> list[list[Message]]:
    return await ledger.record_goods_receipts(conn, [(i.payload, _message_id(i)) for i in incoming])


async def on_record_purchase_order(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await ledger.record_purchase_order(conn, incoming.payload, _message_id(incoming))


async def on_adjust_stock(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await ledger.adjust_stock(conn, incoming.payload, _message_id(incoming))


async def on_transfer_stock(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await ledger.transfer_stock(conn, incoming.payload, _message_id(incoming))


async def on_order_received(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await reservations.reserve_order(conn, incoming.payload, _message_id(incoming))


async def on_orders_received(conn: asyncpg.Connection, incoming: Sequence[Incoming]) -> list[list[Message]]:
    return await reservations.reserve_orders(conn, [(i.payload, _message_id(i)) for i in incoming])


async def on_order_cancelled(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await reservations.release_order(conn, incoming.payload, _message_id(incoming))


async def on_invoice_issued(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await reservations.sell_invoice(conn, incoming.payload, _message_id(incoming))


async def on_invoice_cancelled(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await reservations.storno_invoice(conn, incoming.payload, _message_id(incoming))


async def on_create_product(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await catalog.create_product(conn, incoming.payload)


async def on_change_product_price(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await catalog.change_price(conn, incoming.payload)


async def on_product_discovered(conn: asyncpg.Connection, incoming: Incoming) -> list[Message]:
    return await catalog.discover_product(conn, incoming.payload)
