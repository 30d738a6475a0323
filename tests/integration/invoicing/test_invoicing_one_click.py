"""One click (M2): an ingested order is invoiced, rendered, published and e-mailed with its PDF."""

from __future__ import annotations

import httpx
import pytest

from contracts.invoicing import InvoiceOrder
from polc.runtime.service import ServiceRuntime
from services.invoicing.app import build
from tests.integration.invoicing.harness import (
    invoicing_settings,
    make_order,
    pdf_attachment,
    read_mails,
    sha256,
    wait_order_known,
)
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker

EVENT_TOPICS = ["polc.invoices.v1", "polc.invoicing.emails.v1", "polc.invoicing.batches.v1"]


async def test_one_click_invoice_and_email(make_settings, harness, inbox, db):
    settings = invoicing_settings(make_settings(), inbox.port)
    order = make_order(1, company=True, name="Kovács <b>Éva</b>\r\nBcc: victim@example.com")
    async with ServiceRuntime(build(settings), settings, harness.routing) as rt, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.http.port}") as http:
        await harness.start(EVENT_TOPICS)
        await harness.publish(order)
        await wait_order_known(http, order)
        await harness.publish(InvoiceOrder(basket_id="default", order=order_ref(order), email=True,
                                           requested_by="test"))

        [issued] = await harness.wait_events("InvoiceIssued", 1)
        assert issued.invoice_number == "KP-" + str(issued.issue_date.year) + "-000001"
        assert issued.buyer.tax_number == "10597190-2-41" and issued.buyer.vat_status == "DOMESTIC"
        assert sum(s.gross for s in issued.vat_summary) == issued.totals.gross == sum(l.gross for l in issued.lines)
        assert issued.amount_due % 5 == 0  # COD is cash: rounded to 0 or 5

        [emailed] = await harness.wait_events("InvoiceEmailed", 1)
        assert emailed.invoice_number == issued.invoice_number and emailed.pdf_sha256 == issued.pdf_sha256
        mails = await wait_for(lambda: _mails(inbox, 1))
        [mail] = mails
        assert mail["To"].addresses[0].addr_spec == "vevo1@example.hu"
        assert "Bcc" not in mail and len(mail["To"].addresses) == 1  # no header injection
        assert issued.invoice_number in mail["Subject"]
        attached = pdf_attachment(mail)
        assert sha256(attached) == issued.pdf_sha256

        pdf = await http.get(f"/invoices/{issued.invoice_number}/pdf")
        assert pdf.status_code == 200 and pdf.content == attached
        info = (await http.get(f"/invoices/{issued.invoice_number}")).json()
        assert info["email_status"] == "sent" and info["pdf_sha256"] == issued.pdf_sha256

        # Clicking again does not invoice the order twice.
        await harness.publish(InvoiceOrder(basket_id="default", order=order_ref(order), email=True,
                                           requested_by="test"))
        [failed] = await harness.wait_events("OrderInvoicingFailed", 1)
        assert failed.reason == "already_invoiced"
        conn = await db()
        try:
            assert await conn.fetchval("SELECT count(*) FROM invoices") == 1
        finally:
            await conn.close()
        assert len(read_mails(inbox.folder)) == 1


def order_ref(order):
    from contracts.common import OrderRef

    return OrderRef(shop_id=order.shop_id, shop_order_id=order.shop_order_id)


async def _mails(inbox, n):
    mails = read_mails(inbox.folder)
    return mails if len(mails) >= n else None
