"""Booking a polled batch of receipts or orders at once gives what booking them one by one gives
(hypothesis).

The runtime hands consecutive receipts of a batch to ``record_goods_receipts``, which books those
without a purchase order in one statement, and consecutive orders to ``reserve_orders``. Drawn
runs of receipts (repeated receipt numbers, receipts against a purchase order between them, keys
touched by several receipts, keys with stock from before) are booked one by one, then in one
call, on the same starting state; the events (figures, versions, causes), the stock, the
movements and the booked documents must be the same. Orders likewise (repeated orders, non-stock
lines, keys reserved by several orders): the events, stock, orders, lines and reservations.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import asyncpg
import pytest

pytest.importorskip("hypothesis", reason="hypothesis is a test dependency of the property tests")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from services.stock_ledger import ledger, reservations
from tests.integration.stock_ledger import messages as m

TABLES = ("stock", "movements", "documents", "purchase_order_lines", "purchase_orders", "warehouses")

receipt_plan = st.fixed_dictionaries({
    "number": st.integers(0, 6),
    "warehouse": st.sampled_from(("BP1", "BP2")),
    "lines": st.dictionaries(st.sampled_from(("A", "B", "C", "D")), st.integers(1, 5), max_size=3),
    "po": st.booleans(),
})


async def _start(conn: asyncpg.Connection) -> None:
    await conn.execute("TRUNCATE " + ", ".join(TABLES) + " CASCADE")
    await ledger.record_goods_receipt(conn, m.receipt("R-old", {"A": 3, "C": 1}), "m-old")
    await ledger.record_purchase_order(conn, m.purchase_order("PO-1", {"A": 2, "B": 4}), "m-po")


async def _state(conn: asyncpg.Connection, events: list) -> tuple:
    return (
        [[e.model_dump(exclude={"changed_at"}) for e in each] for each in events],
        await conn.fetch("SELECT warehouse_id, sku, physical, reserved, incoming, version FROM stock ORDER BY 1, 2"),
        await conn.fetch("SELECT warehouse_id, sku, quantity, kind, document_id, message_id, note FROM movements"
                         " ORDER BY id"),
        await conn.fetch("SELECT kind, document_id, message_id FROM documents ORDER BY 1, 2"),
        await conn.fetch("SELECT sku, received FROM purchase_order_lines ORDER BY 1"),
    )


async def _compare(dsn: str, plans: list[dict]) -> None:
    receipts = [(m.receipt(f"R-{p['number']}", p["lines"] or {"A": 1}, warehouse=p["warehouse"],
                           po="PO-1" if p["po"] else None), f"m-{i}") for i, p in enumerate(plans)]
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "stock_ledger"})
    try:
        async with conn.transaction():
            await _start(conn)
            one_by_one = [await ledger.record_goods_receipt(conn, cmd, mid) for cmd, mid in receipts]
            expected = await _state(conn, one_by_one)
        async with conn.transaction():
            await _start(conn)
            at_once = await ledger.record_goods_receipts(conn, receipts)
            assert await _state(conn, at_once) == expected
    finally:
        await conn.close()


def test_a_batch_of_receipts_books_what_one_by_one_books(migrated):
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(receipt_plan, min_size=1, max_size=12))
    def run(plans):
        asyncio.run(_compare(migrated, plans))

    run()


async def test_versions_of_a_key_follow_the_receipts_of_a_batch(migrated):
    conn = await asyncpg.connect(migrated, server_settings={"search_path": "stock_ledger"})
    try:
        async with conn.transaction():
            events = await ledger.record_goods_receipts(conn, [
                (m.receipt("R-1", {"A": 1, "B": 2}), "m1"), (m.receipt("R-2", {"A": 5}), "m2"),
                (m.receipt("R-1", {"A": 9}), "m3"), (m.receipt("R-3", {"B": 1, "A": 1}), "m4")])
    finally:
        await conn.close()
    assert [[(e.sku, e.version, e.physical, e.physical_change) for e in each] for each in events] == [
        [("A", 1, Decimal(1), Decimal(1)), ("B", 1, Decimal(2), Decimal(2))],
        [("A", 2, Decimal(6), Decimal(5))],
        [],
        [("A", 3, Decimal(7), Decimal(1)), ("B", 2, Decimal(3), Decimal(1))],
    ]


order_plan = st.fixed_dictionaries({
    "number": st.integers(0, 8),
    "shop": st.sampled_from(("kavepor", "teabolt")),
    "warehouse": st.sampled_from(("BP1", "BP2")),
    "lines": st.dictionaries(st.sampled_from(("A", "B", "C", "S")), st.integers(1, 5), min_size=1, max_size=3),
})


def _order(plan: dict, minutes: int):
    order = m.order(f"o{plan['number']}", plan["lines"], shop=plan["shop"], warehouse=plan["warehouse"],
                    minutes=minutes)
    # Lines of SKU S are not stock items (a voucher); the order says so.
    lines = tuple(l.model_copy(update={"is_stock_item": False}) if getattr(l, "sku", None) == "S" else l
                  for l in order.lines)
    return order.model_copy(update={"lines": lines})


async def _orders_state(conn: asyncpg.Connection, events: list) -> tuple:
    return (
        [[e.model_dump(exclude={"changed_at"}) for e in each] for each in events],
        await conn.fetch("SELECT warehouse_id, sku, physical, reserved, incoming, version FROM stock ORDER BY 1, 2"),
        # seq orders arrivals; a repeated order takes a number one by one but not at once: compare the order
        await conn.fetch("SELECT shop_id, shop_order_id, order_number, warehouse_id, placed_at, status, shipping"
                         " FROM orders ORDER BY seq"),
        await conn.fetch("SELECT * FROM order_lines ORDER BY shop_id, shop_order_id, line_no"),
        await conn.fetch("SELECT * FROM reservations ORDER BY 1, 2, 3, 4"),
    )


async def _compare_orders(dsn: str, plans: list[dict]) -> None:
    orders = [(_order(p, i), f"m-{i}") for i, p in enumerate(plans)]

    async def start() -> None:
        await conn.execute("TRUNCATE stock, movements, documents, reservations, order_lines, orders, warehouses"
                           " RESTART IDENTITY CASCADE")
        await reservations.reserve_order(conn, m.order("old", {"A": 2}), "m-old")
        await ledger.record_goods_receipt(conn, m.receipt("R-old", {"B": 3}, warehouse="BP2"), "m-r")

    conn = await asyncpg.connect(dsn, server_settings={"search_path": "stock_ledger"})
    try:
        async with conn.transaction():
            await start()
            one_by_one = [await reservations.reserve_order(conn, order, mid) for order, mid in orders]
            expected = await _orders_state(conn, one_by_one)
        async with conn.transaction():
            await start()
            at_once = await reservations.reserve_orders(conn, orders)
            assert await _orders_state(conn, at_once) == expected
    finally:
        await conn.close()


def test_a_batch_of_orders_reserves_what_one_by_one_reserves(migrated):
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(order_plan, min_size=1, max_size=12))
    def run(plans):
        asyncio.run(_compare_orders(migrated, plans))

    run()
