"""Two ledger instances in one consumer group, consuming concurrently, give the figures of one."""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal

import pytest

from polc.runtime.service import ServiceRuntime
from services.stock_ledger.app import build
from tests.integration.stock_ledger import messages as m
from tests.integration.stock_ledger.ledger_db import figures, inbox_count, scalar
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker
D = Decimal


def workload(seed: int):
    rnd = random.Random(seed)
    skus = ["A", "B", "C", "D"]
    receipts = [m.receipt(f"R-{i}", {s: rnd.randint(5, 20) for s in rnd.sample(skus, 3)}, warehouse=wh)
                for i, wh in enumerate(["BP1", "BP2"] * 5)]
    orders = [m.order(f"o{i}", {s: rnd.randint(1, 3) for s in rnd.sample(skus, 2)}, shop=rnd.choice(["kavepor", "teahaz"]),
                      warehouse=rnd.choice(["BP1", "BP2"]), minutes=i) for i in range(60)]
    cancels = [m.cancel(o) for o in orders[::5]]
    invoices = [m.invoice(o, f"SZ-{i}") for i, o in enumerate(orders) if i % 5 and i % 3 == 0]
    expected_physical: dict = defaultdict(D)
    expected_reserved: dict = defaultdict(D)
    for r in receipts:
        for line in r.lines:
            expected_physical[(r.warehouse_id, line.sku)] += line.quantity
    invoiced = {inv.shop_order_id for inv in invoices}
    cancelled = {c.shop_order_id for c in cancels}
    for o in orders:
        for line in o.lines:
            if line.kind != "product":
                continue
            key = (o.warehouse_id, line.sku)
            if o.shop_order_id in invoiced:
                expected_physical[key] -= line.quantity
            elif o.shop_order_id not in cancelled:
                expected_reserved[key] += line.quantity
    return receipts + orders + cancels + invoices, expected_physical, expected_reserved


async def test_two_instances_consuming_concurrently_give_the_figures_of_one(ledger_settings, routing, sender,
                                                                            database):
    messages, physical, reserved = workload(seed=7)
    settings = ledger_settings()
    async with ServiceRuntime(build(settings), settings, routing), \
            ServiceRuntime(build(settings), settings, routing):
        sent = await sender.send(*messages)
        await sender.send(*messages[:20])  # the same documents again under new message ids
        for env in sent[::7]:
            await sender.resend(env)
        await wait_for(lambda: _inbox_at_least(database, len(sent) + 20), timeout_s=90)
        got = await figures(database)
    assert {k: v[0] for k, v in got.items() if v[0]} == {k: v for k, v in physical.items() if v}
    assert {k: v[1] for k, v in got.items() if v[1]} == {k: v for k, v in reserved.items() if v}
    assert await scalar(database, "SELECT count(*) FROM dead_letters") == 0
    mismatched = await scalar(database, "SELECT count(*) FROM stock s WHERE physical <> (SELECT coalesce(sum(quantity),"
                                        " 0) FROM movements mv WHERE (mv.warehouse_id, mv.sku) = (s.warehouse_id, s.sku))")
    assert mismatched == 0
    # Versions: one per StockChanged of the key, 1..n without gaps or repeats.
    gaps = await scalar(database, "SELECT count(*) FROM (SELECT record_key, count(*) AS n FROM outbox"
                                  " WHERE message_type = 'StockChanged' GROUP BY 1) o JOIN stock s"
                                  " ON o.record_key = s.warehouse_id || ':' || s.sku WHERE o.n <> s.version")
    assert gaps == 0


async def _inbox_at_least(database, n):
    return await inbox_count(database) >= n
