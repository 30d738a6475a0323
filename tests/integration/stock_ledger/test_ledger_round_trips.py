"""Statements each use case sends to PostgreSQL, since every round trip costs throughput.

A receipt and an order are booked in one statement whatever their number of lines; an invoice
in four (claim with the catalog lookup, order lock, order close, booking); a cancellation in
three. The figures must still be exact, and a document sent again books nothing.
"""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest

from services.stock_ledger import ledger, reservations
from services.stock_ledger.app import Settings, build
from polc.runtime.migrations import RUNTIME_MIGRATIONS, migrate
from tests.integration.stock_ledger import messages as m

D = Decimal


class CountingConnection(asyncpg.Connection):
    """Counts the statements sent (each is one round trip)."""

    statements = 0

    async def _execute(self, *args, **kwargs):
        CountingConnection.statements += 1
        return await super()._execute(*args, **kwargs)

    async def execute(self, query: str, *args, **kwargs):
        if not args:  # sent as a simple query, not through _execute
            CountingConnection.statements += 1
        return await super().execute(query, *args, **kwargs)


@pytest.fixture
async def conn(database):
    conn = await asyncpg.connect(database, connection_class=CountingConnection,
                                 server_settings={"search_path": "stock_ledger,public"})
    await migrate(conn, "stock_ledger", {"runtime": RUNTIME_MIGRATIONS, "stock_ledger": build(Settings()).migrations})
    try:
        yield conn
    finally:
        await conn.close()


async def run(conn, use_case, message, message_id: str) -> tuple[int, list]:
    async with conn.transaction():
        before = CountingConnection.statements
        events = await use_case(conn, message, message_id)
        return CountingConnection.statements - before, events


async def test_documents_book_in_few_statements_with_exact_figures(conn):
    skus = [f"SKU-{i:02d}" for i in range(30)]
    statements, events = await run(conn, ledger.record_goods_receipt, m.receipt("R-1", {s: 10 for s in skus}), "m1")
    assert statements == 1 and len(events) == 30
    assert await run(conn, ledger.record_goods_receipt, m.receipt("R-1", {s: 10 for s in skus}), "m2") == (1, [])

    order = m.order("o1", {"SKU-00": 2, "SKU-01": 3})
    statements, events = await run(conn, reservations.reserve_order, order, "m3")
    assert statements == 1
    assert [(e.sku, e.reserved_change, e.reserved, e.physical, e.version) for e in events] == [
        ("SKU-00", D(2), D(2), D(10), 2), ("SKU-01", D(3), D(3), D(10), 2)]
    assert await run(conn, reservations.reserve_order, order, "m4") == (1, [])

    statements, events = await run(conn, reservations.sell_invoice, m.invoice(order, "SZ-1"), "m5")
    assert statements == 4
    assert [(e.sku, e.cause.kind, e.physical, e.reserved, e.version) for e in events] == [
        ("SKU-00", "sale", D(8), D(0), 3), ("SKU-01", "sale", D(7), D(0), 3)]

    other = m.order("o2", {"SKU-02": 4})
    await run(conn, reservations.reserve_order, other, "m6")
    statements, events = await run(conn, reservations.release_order, m.cancel(other), "m7")
    assert statements == 3
    assert [(e.sku, e.reserved_change, e.reserved) for e in events] == [("SKU-02", D(-4), D(0))]

    figures = await conn.fetch("SELECT count(*) AS keys, sum(physical) AS physical, sum(reserved) AS reserved,"
                               " sum(version) AS versions FROM stock")
    assert dict(figures[0]) == {"keys": 30, "physical": D(295), "reserved": D(0), "versions": 30 + 2 + 2 + 2}
