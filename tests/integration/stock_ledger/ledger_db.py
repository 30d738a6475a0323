"""Reading the ledger's tables directly, to check figures against the broker and the API."""

from __future__ import annotations

from decimal import Decimal

import asyncpg


async def figures(database: str) -> dict[tuple[str, str], tuple[Decimal, Decimal, Decimal]]:
    """(physical, reserved, incoming) per warehouse+SKU straight from the database."""
    conn = await asyncpg.connect(database, server_settings={"search_path": "stock_ledger"})
    try:
        rows = await conn.fetch("SELECT warehouse_id, sku, physical, reserved, incoming FROM stock")
    finally:
        await conn.close()
    return {(r["warehouse_id"], r["sku"]): (r["physical"], r["reserved"], r["incoming"]) for r in rows}


async def scalar(database: str, sql: str, *args):
    conn = await asyncpg.connect(database, server_settings={"search_path": "stock_ledger"})
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def inbox_count(database: str) -> int:
    return await scalar(database, "SELECT count(*) FROM inbox")
