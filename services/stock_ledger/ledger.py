"""Use cases of the ledger proper: receipts, purchase orders, adjustments, counts and transfers.

Each takes the open transaction's connection and a command, books it, and returns the
StockChanged events to publish. A document number already booked books nothing again.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from contracts.base import Message
from contracts.stock import AdjustStock, RecordGoodsReceipt, RecordPurchaseOrder, StockChanged, TransferStock
from services.stock_ledger import store
from services.stock_ledger.domain import (
    Cause, Delta, count_deltas, merge, received_against_order, stock_changed, sum_by_sku, violations,
)
from services.stock_ledger.errors import InsufficientStock, LedgerError


async def book(conn: asyncpg.Connection, deltas: Sequence[Delta], cause: Cause, *,
               keep_non_negative: bool = False, claim: str | None = None) -> list[StockChanged]:
    """Apply ``deltas`` as one step and describe every changed warehouse+SKU.

    ``keep_non_negative`` is for commands: taking away stock that is not on the shelf rolls the
    whole document back. Facts (an issued invoice) are booked even if they oversell.
    ``claim`` (a document kind) books the cause's document number first, in the same statement;
    a document booked before books nothing.
    """
    merged = merge(deltas)
    if not merged:
        if claim is not None:
            await store.claim_document(conn, claim, cause.document_id, cause.message_id)
        return []
    rows = await store.apply_deltas(conn, merged, cause, claim)
    if not rows:
        return []
    by_key = {(r["warehouse_id"], r["sku"]): r for r in rows}
    if keep_non_negative:
        broken = violations(merged, {k: r["physical"] for k, r in by_key.items()})
        if broken:
            raise InsufficientStock(f"{cause.kind} {cause.document_id}: not enough stock: " + "; ".join(broken))
    return [stock_changed(by_key[d.key], d, cause, by_key[d.key]["updated_at"]) for d in merged]


async def record_goods_receipt(conn: asyncpg.Connection, cmd: RecordGoodsReceipt,
                               message_id: str | None = None) -> list[Message]:
    """Goods arrived: physical stock rises; a purchase order it fulfils has less incoming."""
    received = sum_by_sku((l.sku, l.quantity) for l in cmd.lines)
    deltas = [Delta(cmd.warehouse_id, sku, "goods_receipt", physical=q) for sku, q in received.items()]
    cause = _receipt_cause(cmd, message_id)
    if not cmd.purchase_order_id:
        return await book(conn, deltas, cause, claim="goods_receipt")
    if not await store.claim_document(conn, "goods_receipt", cmd.receipt_id, message_id):
        return []
    if po := await store.lock_purchase_order(conn, cmd.purchase_order_id):
        settled = received_against_order(received, await store.outstanding_lines(conn, cmd.purchase_order_id))
        await store.add_received(conn, cmd.purchase_order_id, settled)
        deltas += [Delta(po["warehouse_id"], sku, "goods_receipt", incoming=-q) for sku, q in settled.items()]
    return await book(conn, deltas, cause)


async def record_goods_receipts(conn: asyncpg.Connection,
                                receipts: Sequence[tuple[RecordGoodsReceipt, str | None]]) -> list[list[Message]]:
    """:func:`record_goods_receipt` for consecutive receipts, each with its message id; what each
    returns, in order. Receipts without a purchase order are booked together, in one statement."""
    results: list[list[Message]] = []
    plain: list[tuple[RecordGoodsReceipt, str | None]] = []
    for cmd, message_id in receipts:
        if cmd.purchase_order_id:
            results += await _book_plain_receipts(conn, plain)
            plain = []
            results.append(await record_goods_receipt(conn, cmd, message_id))
        else:
            plain.append((cmd, message_id))
    return results + await _book_plain_receipts(conn, plain)


async def _book_plain_receipts(conn: asyncpg.Connection,
                               receipts: Sequence[tuple[RecordGoodsReceipt, str | None]]) -> list[list[Message]]:
    causes: list[Cause] = []
    deltas: list[tuple[int, Delta]] = []
    position: list[int | None] = []  # each receipt's index among causes; None for a repeated number
    seen: set[str] = set()
    for cmd, message_id in receipts:
        if cmd.receipt_id in seen:
            position.append(None)
            continue
        seen.add(cmd.receipt_id)
        position.append(len(causes))
        received = sum_by_sku((l.sku, l.quantity) for l in cmd.lines)
        deltas += [(len(causes), d) for d in merge(
            Delta(cmd.warehouse_id, sku, "goods_receipt", physical=q) for sku, q in received.items())]
        causes.append(_receipt_cause(cmd, message_id))
    events: list[list[Message]] = [[] for _ in causes]
    if causes:
        for row in await store.apply_documents(conn, "goods_receipt", causes, deltas):
            doc, delta = deltas[row["ord"] - 1]
            events[doc].append(stock_changed(row, delta, causes[doc], row["updated_at"]))
    return [events[p] if p is not None else [] for p in position]


def _receipt_cause(cmd: RecordGoodsReceipt, message_id: str | None) -> Cause:
    return Cause("goods_receipt", cmd.receipt_id, message_id=message_id,
                 note=f"supplier {cmd.supplier_id}" + (f", {cmd.supplier_document}" if cmd.supplier_document else ""))


async def record_purchase_order(conn: asyncpg.Connection, cmd: RecordPurchaseOrder,
                                message_id: str | None = None) -> list[Message]:
    """Goods ordered from a supplier count as incoming until received."""
    if not await store.claim_document(conn, "purchase_order", cmd.purchase_order_id, message_id):
        return []
    ordered = sum_by_sku((l.sku, l.quantity) for l in cmd.lines)
    costs = {l.sku: l.net_unit_cost for l in cmd.lines}
    await store.ensure_warehouses(conn, [cmd.warehouse_id])
    await store.insert_purchase_order(conn, cmd.purchase_order_id, cmd.supplier_id, cmd.warehouse_id,
                                      cmd.expected_on, cmd.requested_by,
                                      [(sku, q, costs.get(sku)) for sku, q in ordered.items()])
    deltas = [Delta(cmd.warehouse_id, sku, "purchase_order", incoming=q) for sku, q in ordered.items()]
    return await book(conn, deltas, Cause("purchase_order", cmd.purchase_order_id, message_id=message_id,
                                          note=f"supplier {cmd.supplier_id}"))


async def adjust_stock(conn: asyncpg.Connection, cmd: AdjustStock, message_id: str | None = None) -> list[Message]:
    """A manual correction (signed changes) or a stock count (quantities found on the shelf)."""
    kind = "stock_count" if cmd.mode == "count" else "adjustment"
    cause = Cause(kind, cmd.adjustment_id, message_id=message_id, note=cmd.reason)
    if cmd.mode == "adjustment":
        deltas = [Delta(cmd.warehouse_id, l.sku, "adjustment", physical=l.quantity) for l in cmd.lines]
        return await book(conn, deltas, cause, keep_non_negative=True, claim=kind)
    if not await store.claim_document(conn, kind, cmd.adjustment_id, message_id):
        return []
    counted = {l.sku: l.quantity for l in cmd.lines}
    if len(counted) != len(cmd.lines) or any(q < 0 for q in counted.values()):
        raise LedgerError(f"stock count {cmd.adjustment_id}: each SKU once, with a quantity of at least 0")
    on_shelf = await store.lock_physical(conn, cmd.warehouse_id, list(counted))
    return await book(conn, count_deltas(cmd.warehouse_id, counted, on_shelf), cause)


async def transfer_stock(conn: asyncpg.Connection, cmd: TransferStock, message_id: str | None = None) -> list[Message]:
    """Move stock between warehouses; the source must hold it."""
    if cmd.to_warehouse_id == cmd.warehouse_id:
        raise LedgerError(f"transfer {cmd.transfer_id}: source and destination are the same warehouse")
    moved = sum_by_sku((l.sku, l.quantity) for l in cmd.lines)
    deltas = [Delta(cmd.warehouse_id, sku, "transfer_out", physical=-q) for sku, q in moved.items()]
    deltas += [Delta(cmd.to_warehouse_id, sku, "transfer_in", physical=q) for sku, q in moved.items()]
    cause = Cause("transfer_out", cmd.transfer_id, message_id=message_id,
                  note=f"{cmd.warehouse_id} -> {cmd.to_warehouse_id}")
    return await book(conn, deltas, cause, keep_non_negative=True, claim="transfer")
