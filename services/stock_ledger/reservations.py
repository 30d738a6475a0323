"""Use cases driven by orders and invoices: reserve (M3, M5), release, sell and book stornos back.

An order reserves its stock lines in the warehouse the order names (the shop's configured
warehouse, M5). Its invoice turns the reservation into a sale; its cancellation releases it;
a storno invoice books the sold goods back. The order row is locked first, so an order's
invoice and cancellation never interleave, whichever ledger instance handles them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import asyncpg

from contracts.base import Message
from contracts.invoices import InvoiceCancelled, InvoiceIssued, InvoiceLine
from contracts.orders import OrderCancelled, OrderReceived
from services.stock_ledger import store
from services.stock_ledger.domain import Cause, Delta, stock_changed, sum_by_sku
from services.stock_ledger.ledger import book


def _order_header(order: OrderReceived) -> dict:
    c = order.customer
    ship_to = c.shipping_address or c.billing_address
    return {
        "shop_id": order.shop_id, "shop_order_id": order.shop_order_id, "order_number": order.order_number,
        "shop_order_code": order.shop_order_code, "warehouse_id": order.warehouse_id,
        "placed_at": order.placed_at, "is_paid": order.is_paid, "customer_name": c.name,
        "customer_email": c.email,
        "shipping": {"method": order.shipping_method.name, "pickup_point_id": order.shipping_method.pickup_point_id,
                     "address": ship_to.model_dump(mode="json"), "payment": order.payment_method.name},
    }


async def reserve_order(conn: asyncpg.Connection, order: OrderReceived, message_id: str | None = None) -> list[Message]:
    """File a new order and reserve its stock lines; an order seen before reserves nothing."""
    rows = await store.reserve_order(conn, _order_header(order), _product_line_rows(order))
    cause = _reservation_cause(order, message_id)
    return [stock_changed(r, Delta(r["warehouse_id"], r["sku"], "reservation", reserved=r["reserved_change"]),
                          cause, r["updated_at"]) for r in rows]


async def reserve_orders(conn: asyncpg.Connection,
                         orders: Sequence[tuple[OrderReceived, str | None]]) -> list[list[Message]]:
    """:func:`reserve_order` for consecutive orders, each with its message id, in one statement;
    what each returns, in order (an order repeated within them reserves once)."""
    filed: list[tuple[dict, list[dict]]] = []
    causes: list[Cause] = []
    position: list[int | None] = []  # each order's index among those filed; None for a repeat
    seen: set[tuple[str, str]] = set()
    for order, message_id in orders:
        if (order.shop_id, order.shop_order_id) in seen:
            position.append(None)
            continue
        seen.add((order.shop_id, order.shop_order_id))
        position.append(len(filed))
        filed.append((_order_header(order), _product_line_rows(order)))
        causes.append(_reservation_cause(order, message_id))
    events: list[list[Message]] = [[] for _ in filed]
    for r in await store.reserve_orders(conn, filed) if filed else []:
        doc = r["doc"] - 1
        events[doc].append(stock_changed(r, Delta(r["warehouse_id"], r["sku"], "reservation",
                                                  reserved=r["reserved_change"]), causes[doc], r["updated_at"]))
    return [events[p] if p is not None else [] for p in position]


def _product_line_rows(order: OrderReceived) -> list[dict]:
    return [{"line_no": l.line_no, "sku": l.sku, "name": l.name, "quantity": l.quantity, "unit": l.unit,
             "is_stock_item": l.is_stock_item} for l in order.lines if l.kind == "product"]


def _reservation_cause(order: OrderReceived, message_id: str | None) -> Cause:
    return Cause("reservation", order.order_number, order.shop_id, order.shop_order_id, message_id)


async def release_order(conn: asyncpg.Connection, cancel: OrderCancelled, message_id: str | None = None) -> list[Message]:
    """A cancelled open order gives its reservation back."""
    order = await _lock_or_file(conn, cancel.shop_id, cancel.shop_order_id, cancel.order_number,
                                cancel.warehouse_id, "cancelled")
    if order is None or order["status"] != "open":
        return []
    deltas = await _close(conn, cancel.shop_id, cancel.shop_order_id, "cancelled")
    return await book(conn, deltas, Cause("reservation_release", cancel.order_number, cancel.shop_id,
                                          cancel.shop_order_id, message_id, cancel.reason))


async def sell_invoice(conn: asyncpg.Connection, invoice: InvoiceIssued, message_id: str | None = None) -> list[Message]:
    """An issued invoice takes its products off the shelf and ends the order's reservation."""
    products = _product_lines(invoice.lines)
    claimed, non_stock = await store.claim_invoice(conn, invoice.invoice_number, "invoice", invoice.shop_id,
                                                   invoice.shop_order_id, invoice.warehouse_id,
                                                   {l.sku for l in products})
    if not claimed:
        return []
    order = await _lock_or_file(conn, invoice.shop_id, invoice.shop_order_id, invoice.order_number,
                                invoice.warehouse_id, "invoiced")
    deltas: list[Delta] = []
    if order is not None:
        deltas += await _close(conn, invoice.shop_id, invoice.shop_order_id, "invoiced")
        non_stock |= set(order["non_stock_skus"])
    sold = _stock_quantities(products, non_stock)
    deltas += [Delta(invoice.warehouse_id, sku, "sale", physical=-q) for sku, q in sold.items()]
    return await book(conn, deltas, Cause("sale", invoice.invoice_number, invoice.shop_id, invoice.shop_order_id,
                                          message_id))


async def storno_invoice(conn: asyncpg.Connection, storno: InvoiceCancelled, message_id: str | None = None) -> list[Message]:
    """A storno invoice books the invoiced products back onto the shelf, unless it says they did not come back."""
    products = _product_lines(storno.lines) if storno.restock else []
    claimed, non_stock = await store.claim_invoice(conn, storno.invoice_number, "storno", storno.shop_id,
                                                   storno.shop_order_id, storno.warehouse_id,
                                                   {l.sku for l in products})
    if not claimed:
        return []
    order = await _lock_or_file(conn, storno.shop_id, storno.shop_order_id, storno.order_number,
                                storno.warehouse_id, "invoice_cancelled")
    deltas: list[Delta] = []
    if order is not None:
        deltas += await _close(conn, storno.shop_id, storno.shop_order_id, "invoice_cancelled")
        non_stock |= set(order["non_stock_skus"])
    returned = _stock_quantities(products, non_stock)
    deltas += [Delta(storno.warehouse_id, sku, "storno", physical=q) for sku, q in returned.items()]
    return await book(conn, deltas, Cause("storno", storno.invoice_number, storno.shop_id, storno.shop_order_id,
                                          message_id, storno.reason))


async def _lock_or_file(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, order_number: str,
                        warehouse_id: str, closed_status: str) -> asyncpg.Record | None:
    """The locked order row; None when the order was unknown and is now filed as closed."""
    while True:
        order = await store.lock_order(conn, shop_id, shop_order_id)
        if order is not None:
            return order
        if await store.insert_closed_order(conn, shop_id, shop_order_id, order_number, warehouse_id, closed_status):
            return None


async def _close(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, status: str) -> list[Delta]:
    """Set a locked order's status and release its reservation."""
    released = await store.close_order(conn, shop_id, shop_order_id, status)
    return [Delta(r["warehouse_id"], r["sku"], "reservation_release", reserved=-r["quantity"]) for r in released]


def _product_lines(lines: tuple[InvoiceLine, ...]) -> list[InvoiceLine]:
    return [l for l in lines if l.kind == "product" and l.sku]


def _stock_quantities(products: list[InvoiceLine], non_stock: set[str]) -> dict[str, Decimal]:
    """Quantities per SKU of an invoice's stock products (a storno's negated lines count the same)."""
    return sum_by_sku((l.sku, abs(l.quantity)) for l in products if l.sku not in non_stock)
