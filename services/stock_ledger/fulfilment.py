"""Reading open orders and stock for fulfilment, and marking orders packed and shipped (M21, M22, M24)."""

from __future__ import annotations

from collections.abc import Sequence
import asyncpg

from contracts.fulfilment import OrderPacked, OrderShipped
from services.stock_ledger import store
from services.stock_ledger.allocation import Allocation, Line, OpenOrder, Priority, Ref, allocate


async def open_orders(conn: asyncpg.Connection) -> list[OpenOrder]:
    """Every open, not yet invoiced order with its product lines."""
    lines: dict[Ref, list[Line]] = {}
    for r in await store.open_order_lines(conn):
        lines.setdefault((r["shop_id"], r["shop_order_id"]), []).append(
            Line(r["line_no"], r["sku"], r["name"], r["quantity"], r["unit"], r["is_stock_item"]))
    return [
        OpenOrder(r["shop_id"], r["shop_order_id"], r["order_number"], r["warehouse_id"], r["placed_at"], r["seq"],
                  r["is_paid"], tuple(lines.get((r["shop_id"], r["shop_order_id"]), ())),
                  details={"shop_order_code": r["shop_order_code"], "customer_name": r["customer_name"],
                           "shipping": r["shipping"], "packed": r["packed_at"] is not None})
        for r in await store.open_orders(conn)
    ]


async def current_allocation(conn: asyncpg.Connection, priority: Priority) -> tuple[Allocation, dict]:
    """The allocation of all open orders against current stock, and incoming per warehouse+SKU.

    Read in one repeatable-read snapshot so orders and stock agree with each other.
    """
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        orders = await open_orders(conn)
        stock = await store.stock_rows(conn)
    physical = {(r["warehouse_id"], r["sku"]): r["physical"] for r in stock}
    incoming = {(r["warehouse_id"], r["sku"]): r["incoming"] for r in stock}
    return allocate(orders, physical, priority), incoming


async def mark_packed(conn: asyncpg.Connection, refs: Sequence[Ref], packed_by: str) -> list[OrderPacked]:
    """Mark open orders packed and announce each once."""
    rows = await store.mark_packed(conn, refs, packed_by)
    return [OrderPacked(shop_id=r["shop_id"], shop_order_id=r["shop_order_id"], order_number=r["order_number"],
                        warehouse_id=r["warehouse_id"], packed_by=packed_by, packed_at=r["packed_at"])
            for r in rows]


async def mark_shipped(conn: asyncpg.Connection, parcels: Sequence[tuple[str, str, str | None, str | None]],
                       shipped_by: str) -> list[OrderShipped]:
    """Mark orders handed to the carrier and announce each once (the shop's status follows)."""
    rows = await store.mark_shipped(conn, parcels, shipped_by)
    return [OrderShipped(shop_id=r["shop_id"], shop_order_id=r["shop_order_id"], order_number=r["order_number"],
                         carrier=r["carrier"], tracking_number=r["tracking_number"], shipped_at=r["shipped_at"])
            for r in rows]
