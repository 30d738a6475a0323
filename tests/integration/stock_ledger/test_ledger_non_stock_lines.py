"""A product line the order marks as a non-stock item (a gift voucher the shop does not subtract)
is neither reserved nor sold, even when the catalog knows the SKU as a stock item."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import pytest

from polc.runtime.migrations import RUNTIME_MIGRATIONS, migrate
from services.stock_ledger import ledger, reservations, store
from services.stock_ledger.app import Settings, build
from tests.integration.stock_ledger import messages as m


@pytest.fixture
async def conn(database):
    conn = await asyncpg.connect(database, server_settings={"search_path": "stock_ledger,public"})
    await migrate(conn, "stock_ledger", {"runtime": RUNTIME_MIGRATIONS, "stock_ledger": build(Settings()).migrations})
    try:
        yield conn
    finally:
        await conn.close()


async def test_an_invoiced_voucher_line_moves_no_stock(conn):
    async with conn.transaction():
        await ledger.record_goods_receipt(conn, m.receipt("R-1", {"KAVE": 5}), "m1")
    order = m.order("O-1", {"KAVE": 2, "UTALVANY": 1})
    lines = tuple(l.model_copy(update={"is_stock_item": False}) if getattr(l, "sku", None) == "UTALVANY" else l
                  for l in order.lines)
    order = order.model_copy(update={"lines": lines})
    async with conn.transaction():
        await reservations.reserve_order(conn, order, "m2")
    async with conn.transaction():
        await reservations.sell_invoice(conn, m.invoice(order, "SZ-1"), "m3")
    rows = {(r["sku"]): (r["physical"], r["reserved"]) for r in await store.stock_rows(conn, "BP1", None)}
    assert rows["KAVE"] == (Decimal(3), Decimal(0))
    assert rows.get("UTALVANY", (Decimal(0), Decimal(0))) == (Decimal(0), Decimal(0))
