"""An SMTP outage mid-batch leaves the failed mails retryable, and none is sent twice."""

from __future__ import annotations

import pytest

from contracts.common import OrderRef
from contracts.invoicing import AddOrdersToBasket, EmailInvoices, InvoiceBasket
from polc.runtime.service import ServiceRuntime
from polc.stack.smtp_inbox import SmtpInbox
from services.invoicing.app import build
from tests.integration.invoicing.harness import (
    invoicing_settings,
    make_order,
    pdf_attachment,
    read_mails,
    sha256,
    wait_orders_known,
)
from tests.support.ping import wait_for

pytestmark = [pytest.mark.broker, pytest.mark.slow]
N = 12


async def test_outage_mid_batch_then_retry_sends_each_once(make_settings, harness, inbox, db):
    settings = invoicing_settings(make_settings(), inbox.port, email_max_attempts=2, email_retry_delay_s=0.1)
    orders = [make_order(n) for n in range(1, N + 1)]
    refs = tuple(OrderRef(shop_id=o.shop_id, shop_order_id=o.shop_order_id) for o in orders)
    async with ServiceRuntime(build(settings), settings, harness.routing):
        await harness.start(["polc.invoicing.batches.v1", "polc.invoices.v1", "polc.invoicing.emails.v1"])
        await harness.publish(*orders)
        await wait_orders_known(db, N)
        await harness.publish(AddOrdersToBasket(basket_id="b", orders=refs, requested_by="t"),
                              InvoiceBasket(basket_id="b", batch_id="inv", requested_by="t"))
        issued = await harness.wait_events("InvoiceIssued", N, timeout_s=90)
        by_number = {i.invoice_number: i for i in issued}

        await harness.publish(EmailInvoices(basket_id="b", batch_id="mail-1", invoice_batch_id="inv",
                                            requested_by="t"))
        await wait_for(lambda: _at_least(inbox, 3), timeout_s=60, interval_s=0.01)
        inbox.stop()  # the mail server goes away mid-batch
        [first] = await harness.wait_events("EmailBatchCompleted", 1, lambda e: e.batch_id == "mail-1",
                                            timeout_s=90)
        assert first.failed, "some mails must have failed during the outage"
        assert len(first.sent) + len(first.failed) == N
        failures = harness.of("InvoiceEmailFailed")
        assert {f.error for f in failures} <= {"connection", "timeout"}
        assert any(f.will_retry for f in failures) and any(not f.will_retry for f in failures)

        restarted = SmtpInbox(inbox.folder, port=inbox.port)
        restarted.start()
        try:
            # Asking again sends only the failed ones: the sent ones are skipped, never sent twice.
            await harness.publish(EmailInvoices(basket_id="b", batch_id="mail-2", invoice_batch_id="inv",
                                                requested_by="t"))
            [second] = await harness.wait_events("EmailBatchCompleted", 1, lambda e: e.batch_id == "mail-2",
                                                 timeout_s=90)
            assert set(second.sent) == {f.invoice_number for f in first.failed}
            assert set(second.skipped) == set(first.sent) and not second.failed
            mails = read_mails(inbox.folder)
            numbers = [next(n for n in by_number if n in m["Subject"]) for m in mails]
            assert sorted(numbers) == sorted(by_number)  # every invoice exactly once
            for mail, number in zip(mails, numbers, strict=True):
                assert sha256(pdf_attachment(mail)) == by_number[number].pdf_sha256
        finally:
            restarted.stop()
        inbox.stop = lambda: None  # already stopped; the fixture must not stop it again


async def _at_least(inbox, n):
    return len(read_mails(inbox.folder)) >= n
