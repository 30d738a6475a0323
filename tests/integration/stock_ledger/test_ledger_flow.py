"""Receipts, sales, adjustments, transfers and reservations through the real broker and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.stock_ledger import messages as m
from tests.integration.stock_ledger.ledger_db import figures, inbox_count, scalar
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker
D = Decimal


async def test_receipt_reaches_ledger_and_stock_changed_reaches_broker(ledger, sender, changes, database):
    await sender.send(m.receipt("R-1", {"KAVE": 10, "BOGRE": 3}))
    await wait_for(lambda: _has(changes, 2))
    kave = changes.for_key("BP1", "KAVE")[-1]
    assert (kave.physical, kave.reserved, kave.free, kave.incoming, kave.version) == (D(10), D(0), D(10), D(0), 1)
    assert kave.cause.kind == "goods_receipt" and kave.cause.document_id == "R-1"
    assert (await figures(database))[("BP1", "BOGRE")] == (D(3), D(0), D(0))


async def test_order_reserves_invoice_sells_cancel_releases_storno_returns(ledger, sender, changes, database):
    await sender.send(m.receipt("R-1", {"KAVE": 10}))
    o1, o2 = m.order("o1", {"KAVE": 3}), m.order("o2", {"KAVE": 2}, minutes=1)
    await sender.send(o1, o2)
    await wait_for(lambda: _figure(database, ("BP1", "KAVE"), (D(10), D(5), D(0))))
    inv = m.invoice(o1, "SZ-1")
    await sender.send(inv, m.cancel(o2))
    await wait_for(lambda: _figure(database, ("BP1", "KAVE"), (D(7), D(0), D(0))))
    await sender.send(m.storno(inv, "SZ-2"))
    await wait_for(lambda: _figure(database, ("BP1", "KAVE"), (D(10), D(0), D(0))))
    await wait_for(lambda: _has(changes, 6))
    kinds = [e.cause.kind for e in changes.for_key("BP1", "KAVE")]
    assert sorted(kinds) == sorted(["goods_receipt", "reservation", "reservation", "sale", "reservation_release",
                                    "storno"])
    sale = next(e for e in changes.events if e.cause.kind == "sale")
    assert (sale.physical_change, sale.reserved_change) == (D(-3), D(-3))
    assert sale.cause.shop_order_id == "o1"
    assert await scalar(database, "SELECT sum(quantity) FROM movements WHERE sku = 'KAVE'") == D(10)


async def test_adjustment_count_and_transfer_give_exact_figures(ledger, sender, changes, database):
    await sender.send(m.receipt("R-1", {"KAVE": 10, "TEA": 4}))
    await sender.send(m.adjustment("A-1", {"KAVE": -2}), m.adjustment("C-1", {"TEA": 7}, mode="count"),
                      m.transfer("T-1", {"KAVE": 5}))
    await wait_for(lambda: _figure(database, ("BP2", "KAVE"), (D(5), D(0), D(0))))
    got = await figures(database)
    assert got[("BP1", "KAVE")] == (D(3), D(0), D(0))
    assert got[("BP1", "TEA")] == (D(7), D(0), D(0))
    # A transfer of more than the source holds is refused as a whole and dead-lettered.
    await sender.send(m.transfer("T-2", {"KAVE": 4, "TEA": 1}))
    await wait_for(lambda: scalar(database, "SELECT count(*) FROM dead_letters"))
    assert (await figures(database))[("BP1", "TEA")] == (D(7), D(0), D(0))
    reason = await scalar(database, "SELECT reason FROM dead_letters")
    assert "not enough stock" in reason


async def test_purchase_order_is_incoming_until_received(ledger, sender, database):
    await sender.send(m.purchase_order("PO-1", {"KAVE": 10}))
    await wait_for(lambda: _figure(database, ("BP1", "KAVE"), (D(0), D(0), D(10))))
    await sender.send(m.receipt("R-1", {"KAVE": 4}, po="PO-1"))
    await wait_for(lambda: _figure(database, ("BP1", "KAVE"), (D(4), D(0), D(6))))
    await sender.send(m.receipt("R-2", {"KAVE": 9}, po="PO-1"))
    await wait_for(lambda: _figure(database, ("BP1", "KAVE"), (D(13), D(0), D(0))))


async def test_redelivered_and_duplicated_messages_change_nothing(ledger, sender, changes, database):
    o1 = m.order("o1", {"KAVE": 2})
    inv = m.invoice(o1, "SZ-1")
    documents = [m.receipt("R-1", {"KAVE": 10}), m.purchase_order("PO-1", {"KAVE": 5}),
                 m.adjustment("A-1", {"KAVE": -1}), m.transfer("T-1", {"KAVE": 1}), o1]
    sent = await sender.send(*documents)
    await wait_for(lambda: _inbox(database, len(sent)))
    sent += await sender.send(inv)
    await wait_for(lambda: _inbox(database, len(sent)))
    sent += await sender.send(m.storno(inv, "SZ-2"))
    await wait_for(lambda: _inbox(database, len(sent)))
    before = await figures(database)
    # The same envelopes again (broker redelivery) and the same documents under new message ids.
    for env in sent:
        await sender.resend(env)
    again = await sender.send(*documents, inv, m.storno(inv, "SZ-2"))
    await wait_for(lambda: _inbox(database, len(sent) + len(again)))
    assert await figures(database) == before
    assert before[("BP1", "KAVE")] == (D(10 - 1 - 1), D(0), D(5))
    await wait_for(lambda: _has(changes, 8))
    assert len(changes.events) == 8  # receipt, PO, adjustment, 2x transfer, reserve, sale, storno


async def test_versions_never_go_backwards_per_key(ledger, sender, changes, database):
    orders = [m.order(f"o{i}", {"KAVE": 1, "TEA": 1}, minutes=i) for i in range(20)]
    await sender.send(m.receipt("R-1", {"KAVE": 50, "TEA": 50}), *orders)
    await wait_for(lambda: _figure(database, ("BP1", "TEA"), (D(50), D(20), D(0))))
    await sender.send(*(m.invoice(o, f"SZ-{i}") for i, o in enumerate(orders[:10])))
    await wait_for(lambda: _figure(database, ("BP1", "TEA"), (D(40), D(10), D(0))))
    await wait_for(lambda: _has(changes, 2 + 20 * 2 + 10 * 2))
    for key in (("BP1", "KAVE"), ("BP1", "TEA")):
        versions = [e.version for e in changes.for_key(*key)]
        assert versions == sorted(versions) and len(set(versions)) == len(versions)
        assert versions[-1] == 31
        last = changes.for_key(*key)[-1]
        assert (last.physical, last.reserved, last.free) == (D(40), D(10), D(30))


async def _figure(database, key, expected):
    return (await figures(database)).get(key) == expected


async def _inbox(database, n):
    return await inbox_count(database) >= n


async def _has(changes, n):
    return len(changes.events) >= n


async def test_storno_without_restock_leaves_stock_off_the_shelf(ledger, sender, changes, database):
    await sender.send(m.receipt("R-1", {"KAVE": 10}))
    o1 = m.order("o1", {"KAVE": 3})
    await sender.send(o1)
    await wait_for(lambda: _figure(database, ("BP1", "KAVE"), (D(10), D(3), D(0))))
    inv = m.invoice(o1, "SZ-1")
    await sender.send(inv)
    await wait_for(lambda: _figure(database, ("BP1", "KAVE"), (D(7), D(0), D(0))))
    # The goods did not come back (lost in delivery): the storno cancels the invoice, not the sale of stock.
    await sender.send(m.storno(inv, "SZ-2").model_copy(update={"restock": False}))
    await wait_for(lambda: _storno_seen(database))
    assert (await figures(database))[("BP1", "KAVE")] == (D(7), D(0), D(0))
    assert [e.cause.kind for e in changes.events if e.cause.kind == "storno"] == []


async def _storno_seen(database):
    return await scalar(database, "SELECT count(*) FROM invoices WHERE invoice_number = 'SZ-2'")
