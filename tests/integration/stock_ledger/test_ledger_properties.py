"""Random interleavings of documents on real PostgreSQL (hypothesis).

Each drawn history is split into the streams Kafka keeps in order (one per order key, one per
invoice key, one per warehouse); the streams run concurrently on separate connections, each
message in one transaction with its inbox row and outbox rows, as the runtime handles them.
Some messages are delivered twice. Whatever the interleaving: physical stock equals the sum of
movements, reserved equals the open reservations, no reservation is lost, and each key's
versions strictly grow.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from decimal import Decimal
from uuid import uuid4

import asyncpg
import pytest

pytest.importorskip("hypothesis", reason="hypothesis is a test dependency of the property tests")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from contracts.registry import ALL_TOPICS
from polc.runtime import store as runtime_store
from polc.runtime.db import create_pool
from polc.runtime.errors import is_transient
from polc.runtime.outbox import enqueue
from polc.runtime.routing import Routing
from services.stock_ledger import ledger, reservations
from tests.integration.stock_ledger import messages as m

D = Decimal
SKUS = ("A", "B", "C")
WAREHOUSES = ("BP1", "BP2")
ROUTING = Routing(ALL_TOPICS, "prop.")
TABLES = ("stock", "movements", "reservations", "order_lines", "orders", "invoices", "documents",
          "purchase_order_lines", "purchase_orders", "warehouses", "inbox", "outbox")

quantities = st.dictionaries(st.sampled_from(SKUS), st.integers(1, 4), min_size=1, max_size=3)
order_plan = st.fixed_dictionaries({
    "lines": quantities, "warehouse": st.sampled_from(WAREHOUSES),
    "fate": st.sampled_from(["open", "cancelled", "invoiced", "stornoed"]),
})
history = st.fixed_dictionaries({
    "receipts": st.lists(st.tuples(st.sampled_from(WAREHOUSES), quantities), max_size=4),
    "orders": st.lists(order_plan, min_size=1, max_size=8),
    "duplicates": st.lists(st.integers(0, 40), max_size=6),
    "yields": st.lists(st.integers(0, 3), min_size=4, max_size=4),
})


def streams(plan: dict) -> list[list[tuple[str, object]]]:
    """The drawn history as the ordered streams the broker would deliver."""
    by_warehouse: dict[str, list] = defaultdict(list)
    for i, (wh, lines) in enumerate(plan["receipts"]):
        by_warehouse[wh].append(("receipt", m.receipt(f"R-{i}", lines, warehouse=wh)))
    order_streams, invoice_streams = [], []
    for i, o in enumerate(plan["orders"]):
        order = m.order(f"o{i}", o["lines"], warehouse=o["warehouse"], minutes=i)
        order_streams.append([("order", order)] + ([("cancel", m.cancel(order))] if o["fate"] == "cancelled" else []))
        if o["fate"] in ("invoiced", "stornoed"):
            inv = m.invoice(order, f"SZ-{i}")
            invoice_streams.append([("invoice", inv)] + ([("storno", m.storno(inv, f"ST-{i}"))]
                                                          if o["fate"] == "stornoed" else []))
    flat = [*by_warehouse.values(), *order_streams, *invoice_streams]
    for d in plan["duplicates"]:  # redeliver one message right after itself
        stream = flat[d % len(flat)]
        stream.insert(d % len(stream) + 1, stream[d % len(stream)])
    return flat


USE_CASES = {"receipt": ledger.record_goods_receipt, "order": reservations.reserve_order,
             "cancel": reservations.release_order, "invoice": reservations.sell_invoice,
             "storno": reservations.storno_invoice}


async def handle(pool: asyncpg.Pool, kind: str, message, message_id) -> None:
    """One message as the runtime handles it: inbox, use case and outbox in one transaction."""
    while True:
        try:
            async with pool.acquire() as conn, conn.transaction():
                if await runtime_store.claim_inbox_many(conn, [(message_id, kind, "t")]):
                    events = await USE_CASES[kind](conn, message, str(message_id))
                    await enqueue(conn, events, routing=ROUTING, producer="stock_ledger", schema="stock_ledger")
            return
        except Exception as error:
            if not is_transient(error):
                raise
            await asyncio.sleep(0.001)


async def run_stream(pool: asyncpg.Pool, stream: list, ids: dict, pause: int) -> None:
    for kind, message in stream:
        await handle(pool, kind, message, ids.setdefault(id(message), uuid4()))
        for _ in range(pause):
            await asyncio.sleep(0)


def expected(plan: dict) -> tuple[dict, dict]:
    physical: dict = defaultdict(D)
    reserved: dict = defaultdict(D)
    for wh, lines in plan["receipts"]:
        for sku, q in lines.items():
            physical[(wh, sku)] += q
    for o in plan["orders"]:
        for sku, q in o["lines"].items():
            key = (o["warehouse"], sku)
            if o["fate"] == "open":
                reserved[key] += q
            elif o["fate"] == "invoiced":
                physical[key] -= q
    return physical, reserved


async def check(dsn: str, plan: dict) -> None:
    pool = await create_pool(dsn, schema="stock_ledger", max_size=6)
    try:
        async with pool.acquire() as conn:
            await conn.execute("TRUNCATE " + ", ".join(TABLES) + " CASCADE")
        ids: dict = {}
        flat = streams(plan)
        await asyncio.gather(*(run_stream(pool, s, ids, plan["yields"][i % 4]) for i, s in enumerate(flat)))
        async with pool.acquire() as conn:
            assert await conn.fetch("SELECT * FROM stock WHERE physical <> (SELECT coalesce(sum(quantity), 0)"
                                    " FROM movements mv WHERE mv.warehouse_id = stock.warehouse_id"
                                    " AND mv.sku = stock.sku)") == []
            rows = await conn.fetch("SELECT warehouse_id, sku, physical, reserved, version FROM stock")
            outbox = await conn.fetch("SELECT record_key, body FROM outbox ORDER BY id")
        physical, reserved = expected(plan)
        got_physical = {(r["warehouse_id"], r["sku"]): r["physical"] for r in rows if r["physical"]}
        got_reserved = {(r["warehouse_id"], r["sku"]): r["reserved"] for r in rows if r["reserved"]}
        assert got_physical == {k: v for k, v in physical.items() if v}
        assert got_reserved == {k: v for k, v in reserved.items() if v}
        versions: dict = defaultdict(list)
        for row in outbox:
            versions[row["record_key"]].append(int(bytes(row["body"]).split(b'"version":')[1].split(b",")[0]))
        for key, seen in versions.items():
            assert seen == list(range(1, len(seen) + 1)), key
    finally:
        await pool.close()


def test_random_interleavings_keep_the_ledger_consistent(migrated):
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(history)
    def run(plan):
        asyncio.run(check(migrated, plan))

    run()
