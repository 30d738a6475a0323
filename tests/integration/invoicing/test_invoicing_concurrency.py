"""Numbering stays gapless and unique with two instances, concurrent batches and a SIGKILL mid-batch."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest

from contracts.common import OrderRef
from contracts.invoicing import AddOrdersToBasket, InvoiceBasket, InvoiceOrder
from polc.runtime.service import ServiceRuntime
from services.invoicing.app import build
from services.invoicing.numbering import missing_sequences
from tests.integration.invoicing.harness import invoicing_settings, make_order, wait_orders_known
from tests.support.ping import wait_for

pytestmark = [pytest.mark.broker, pytest.mark.slow]

BASKETS, PER_BASKET, ONE_CLICK = 3, 20, 6


def spawn_instance(settings, smtp_port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": settings.database_url.get_secret_value(),
           "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
           "KAFKA_TOPIC_PREFIX": settings.kafka_topic_prefix, "POLC_INVOICING_HTTP_PORT": "0",
           "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "POLC_INVOICING_SERIES": json.dumps(settings.series),
           "POLC_INVOICING_RENDER_PROCESSES": "0", "POLC_INVOICING_WORKER_POLL_INTERVAL_S": "0.2",
           "POLC_INVOICING_BATCH_CHUNK_SIZE": "5"}
    return subprocess.Popen([sys.executable, "-m", "polc.cli", "service", "invoicing"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_gapless_with_two_instances_concurrent_batches_and_sigkill(make_settings, harness, inbox, db):
    settings = invoicing_settings(make_settings(), inbox.port, batch_chunk_size=5)
    total = BASKETS * PER_BASKET + ONE_CLICK
    orders = [make_order(n) for n in range(1, total + 1)]
    refs = [OrderRef(shop_id=o.shop_id, shop_order_id=o.shop_order_id) for o in orders]
    victim = spawn_instance(settings, inbox.port)
    try:
        async with ServiceRuntime(build(settings), settings, harness.routing):
            await harness.start(["polc.invoicing.batches.v1", "polc.invoices.v1"])
            await harness.publish(*orders)
            await wait_orders_known(db, total)
            commands = []
            for b in range(BASKETS):
                chunk = refs[b * PER_BASKET:(b + 1) * PER_BASKET]
                commands += [AddOrdersToBasket(basket_id=f"b{b}", orders=tuple(chunk), requested_by="t"),
                             InvoiceBasket(basket_id=f"b{b}", batch_id=f"batch-{b}", requested_by="t")]
            commands += [InvoiceOrder(basket_id=f"click{i}", order=r, requested_by="t")
                         for i, r in enumerate(refs[BASKETS * PER_BASKET:])]
            await harness.publish(*commands)

            async def some_invoices():
                conn = await db()
                try:
                    return await conn.fetchval("SELECT count(*) FROM invoices") >= 8
                finally:
                    await conn.close()
            await wait_for(some_invoices, timeout_s=60)
            victim.send_signal(signal.SIGKILL)  # mid-batch, whatever it was doing
            victim.wait(timeout=10)

            await harness.wait_events("InvoiceBatchCompleted", BASKETS, timeout_s=120)
            await harness.wait_events("InvoiceIssued", total, timeout_s=120)
            conn = await db()
            try:
                rows = await conn.fetch("SELECT series, year, sequence, shop_order_id FROM invoices")
            finally:
                await conn.close()
            assert len(rows) == total
            assert {r["shop_order_id"] for r in rows} == {o.shop_order_id for o in orders}  # each order once
            assert {(r["series"], r["year"]) for r in rows} == {("KP", rows[0]["year"])}
            sequences = sorted(r["sequence"] for r in rows)
            assert sequences == list(range(1, total + 1)) and missing_sequences(sequences) == []
            completed = harness.of("InvoiceBatchCompleted")
            assert sorted(len(c.invoice_numbers) for c in completed) == [PER_BASKET] * BASKETS
            assert all(not c.failed for c in completed)
    finally:
        if victim.poll() is None:
            victim.kill()
            victim.wait()
        await asyncio.sleep(0)
