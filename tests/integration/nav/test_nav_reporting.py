"""NAV reporting end to end: the invoicing service in-process on the real broker and PostgreSQL,
reporting over HTTP to the NAV simulator."""

from __future__ import annotations

import asyncio
import contextlib
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from contracts.common import OrderRef
from contracts.invoices import CancelInvoice
from contracts.invoicing import AddOrdersToBasket, InvoiceBasket, InvoiceOrder
from polc.cli import main as polc_main
from polc.nav_sim.runner import BackgroundNavSimulator
from polc.runtime.service import ServiceRuntime
from services.invoicing.app import build
from services.invoicing.numbering import format_number
from tests.integration.invoicing.harness import invoicing_settings, make_order, wait_orders_known
from tests.integration.nav.sim import nav_settings

pytestmark = [pytest.mark.broker, pytest.mark.slow]

TOPICS = ["polc.nav.reports.v1", "polc.invoices.v1"]
UNUSED_SMTP_PORT = 9  # these tests send no e-mail


@pytest.fixture
def nav():
    with BackgroundNavSimulator() as sim:
        yield sim


def ref(order) -> OrderRef:
    return OrderRef(shop_id=order.shop_id, shop_order_id=order.shop_order_id)


def number(sequence: int) -> str:
    return format_number("KP", datetime.now(ZoneInfo("Europe/Budapest")).year, sequence)


async def cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()

    def run() -> int:
        with contextlib.redirect_stdout(out):
            return polc_main(list(argv))

    return await asyncio.to_thread(run), out.getvalue()


async def test_150_invoices_in_two_calls_one_rejected_then_corrected_and_resent(make_settings, harness, db, nav):
    settings = invoicing_settings(make_settings(), UNUSED_SMTP_PORT, batch_chunk_size=150,
                                  **nav_settings(nav, nav_request_timeout_s=10.0))
    orders = [make_order(n, company=n % 3 == 0, payment="COD" if n % 2 else "BANK_TRANSFER") for n in range(1, 151)]
    bad = number(37)
    nav.control("inject", invoice_number=bad, severity="ERROR", code="INVALID_VAT_DATA",
                message="injected: VAT data does not add up")
    async with ServiceRuntime(build(settings), settings, harness.routing) as rt, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.http.port}") as http:
        await harness.start(TOPICS)
        await harness.publish(*orders)
        await wait_orders_known(db, 150)
        refs = [ref(o) for o in orders]
        await harness.publish(AddOrdersToBasket(basket_id="nav", orders=tuple(refs[:75]), requested_by="t"),
                              AddOrdersToBasket(basket_id="nav", orders=tuple(refs[75:]), requested_by="t"),
                              InvoiceBasket(basket_id="nav", batch_id="nav-batch", requested_by="t"))

        done = await harness.wait_events("InvoiceReportedToNav", 149, timeout_s=120)
        [rejected] = await harness.wait_events("InvoiceNavReportRejected", 1, timeout_s=60)
        assert rejected.invoice_number == bad and rejected.operation == "CREATE"
        assert [(e.code, e.severity) for e in rejected.errors] == [("INVALID_VAT_DATA", "ERROR")]
        assert {e.invoice_number for e in done} == {number(n) for n in range(1, 151)} - {bad}

        # Two manageInvoice calls: 100 + 50, every invoice sent exactly once.
        calls = nav.control("calls")["calls"]
        assert calls["manageInvoice"] == 2
        txs = nav.control("transactions")["transactions"]
        assert [len(t["items"]) for t in txs] == [100, 50]
        assert {e.transaction_id for e in done} == {t["transaction_id"] for t in txs}
        sent = nav.control("invoices")["invoices"]
        assert len(sent) == 150 and {v["submissions"] for v in sent.values()} == {1}

        # The rejection is visible over HTTP and in the CLI.
        status = (await http.get(f"/invoices/{bad}/nav")).json()
        assert status["status"] == "rejected" and status["errors"][0]["code"] == "INVALID_VAT_DATA"
        summary = (await http.get("/nav/reports")).json()["counts"]
        assert summary == {"done": 149, "rejected": 1}
        code, out = await cli("nav", "--url", str(http.base_url), "status")
        assert code == 0 and bad in out and "INVALID_VAT_DATA" in out
        assert (await http.post(f"/invoices/{number(1)}/nav/resend")).status_code == 409  # done stays done

        # Corrected at NAV's side (the injection is used up), re-sent under the same number.
        code, out = await cli("nav", "--url", str(http.base_url), "resend", bad)
        assert code == 0 and "pending" in out
        [again] = await harness.wait_events("InvoiceReportedToNav", 1, where=lambda e: e.invoice_number == bad,
                                            timeout_s=60)
        final = (await http.get(f"/invoices/{bad}/nav")).json()
        assert final["status"] == "done" and final["attempts"] == 2 and final["transaction_id"] == again.transaction_id
        assert [h["status"] for h in final["history"]] == ["rejected", "done"]
        outcomes = nav.control("invoices")["invoices"][bad]["outcomes"]
        assert [o["status"] for o in outcomes] == ["ABORTED", "DONE"]
        assert (await http.get("/nav/reports")).json()["counts"] == {"done": 150}

        conn = await db()
        try:  # no invoice number was reused or skipped
            sequences = [r["sequence"] for r in await conn.fetch("SELECT sequence FROM invoices ORDER BY sequence")]
        finally:
            await conn.close()
        assert sequences == list(range(1, 151))


async def test_lost_answer_recovered_without_a_second_report_and_storno_after_its_original(
        make_settings, harness, db, nav):
    settings = invoicing_settings(make_settings(), UNUSED_SMTP_PORT,
                                  **nav_settings(nav, nav_request_timeout_s=1.0, nav_recover_after_s=1.0))
    orders = [make_order(n) for n in range(1, 4)]
    nav.control("faults", operation="manageInvoice", kind="lost_response", delay_s=4)
    async with ServiceRuntime(build(settings), settings, harness.routing) as rt, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.http.port}") as http:
        await harness.start(TOPICS)
        await harness.publish(*orders)
        await wait_orders_known(db, 3)
        await harness.publish(AddOrdersToBasket(basket_id="b", orders=tuple(ref(o) for o in orders), requested_by="t"),
                              InvoiceBasket(basket_id="b", batch_id="lost", requested_by="t"))

        done = await harness.wait_events("InvoiceReportedToNav", 3, timeout_s=60)
        [tx] = nav.control("transactions")["transactions"]
        assert {e.transaction_id for e in done} == {tx["transaction_id"]}
        calls = nav.control("calls")["calls"]
        assert calls["manageInvoice"] == 1 and calls["queryTransactionList"] >= 1
        assert {v["submissions"] for v in nav.control("invoices")["invoices"].values()} == {1}
        conn = await db()
        try:
            submission = await conn.fetchrow("SELECT status, transaction_id, error FROM nav_submissions")
        finally:
            await conn.close()
        assert submission["transaction_id"] == tx["transaction_id"] and "answer lost" in submission["error"]

        # A storno is reported (STORNO, modificationIndex 1) once its original is DONE at NAV.
        await harness.publish(CancelInvoice(invoice_number=number(2), reason="Vevő elállt", requested_by="t"))
        [storno] = await harness.wait_events("InvoiceReportedToNav", 1, where=lambda e: e.operation == "STORNO",
                                             timeout_s=60)
        assert storno.invoice_number == number(4)
        status = (await http.get(f"/invoices/{number(4)}/nav")).json()
        assert status["status"] == "done" and status["original_invoice_number"] == number(2)
        xml = (await http.get(f"/invoices/{number(4)}/nav/xml")).text
        assert "<originalInvoiceNumber>" + number(2) in xml and "<modificationIndex>1<" in xml


async def test_nav_outage_is_retried_and_one_click_invoices_are_reported(make_settings, harness, db, nav):
    settings = invoicing_settings(make_settings(), UNUSED_SMTP_PORT, **nav_settings(nav))
    nav.control("faults", operation="tokenExchange", kind="unavailable", count=2)
    order = make_order(1, company=True)
    async with ServiceRuntime(build(settings), settings, harness.routing):
        await harness.start(TOPICS)
        await harness.publish(order)
        await wait_orders_known(db, 1)
        await harness.publish(InvoiceOrder(basket_id="default", order=ref(order), requested_by="t"))
        [done] = await harness.wait_events("InvoiceReportedToNav", 1, timeout_s=60)
        assert done.invoice_number == number(1) and done.index == 1
        assert nav.control("calls")["calls"]["tokenExchange"] == 3
        assert nav.control("invoices")["invoices"][number(1)]["submissions"] == 1
        conn = await db()
        try:
            rows = await conn.fetch("SELECT status, error FROM nav_submissions ORDER BY created_at")
        finally:
            await conn.close()
        assert [r["status"] for r in rows] == ["failed", "failed", "closed"]
        assert "503" in rows[0]["error"]
