"""Basket (M6, M23): 200 orders invoiced as one batch and e-mailed, each mail once with its PDF."""

from __future__ import annotations

import httpx
import pytest

from contracts.common import OrderRef
from contracts.invoicing import AddOrdersToBasket, EmailInvoices, InvoiceBasket, RemoveOrdersFromBasket
from polc.runtime.service import ServiceRuntime
from services.invoicing.app import build
from services.invoicing.numbering import missing_sequences, parse_number
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

EVENT_TOPICS = ["polc.invoices.v1", "polc.invoicing.emails.v1", "polc.invoicing.batches.v1"]
N = 200
# Bounded but generous: rendering 200 PDFs on two shared, busy cores can take minutes. Nothing here
# asserts how fast it goes; the benchmark measures that.
LONG_S = 900


def ref(order) -> OrderRef:
    return OrderRef(shop_id=order.shop_id, shop_order_id=order.shop_order_id)


async def test_basket_of_200_invoiced_and_emailed_once(make_settings, harness, inbox, db):
    settings = invoicing_settings(make_settings(), inbox.port, render_processes=2)
    orders = [make_order(n) for n in range(1, N + 1)]
    # One order that cannot be invoiced lawfully: a company buyer without a tax number.
    bad = make_order(N + 1, company=True).model_copy(deep=True)
    bad = bad.model_copy(update={"customer": bad.customer.model_copy(update={"tax_number": None})})
    removed = make_order(N + 2)
    async with ServiceRuntime(build(settings), settings, harness.routing) as rt, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.http.port}") as http:
        await harness.start(EVENT_TOPICS)
        await harness.publish(*orders, bad, removed)
        await wait_orders_known(db, N + 2, timeout_s=LONG_S)
        everything = [ref(o) for o in (*orders, bad, removed)]
        await harness.publish(AddOrdersToBasket(basket_id="b1", orders=tuple(everything[:100]), requested_by="t"),
                              AddOrdersToBasket(basket_id="b1", orders=tuple(everything[100:]), requested_by="t"),
                              RemoveOrdersFromBasket(basket_id="b1", orders=(ref(removed),), requested_by="t"))
        # Through HTTP: invoicing the basket is a command on the same ordered stream.
        answer = await http.post("/baskets/b1/invoice", json={"batch_id": "batch-1", "email_after": True})
        assert answer.status_code == 202

        [done] = await harness.wait_events("InvoiceBatchCompleted", 1, timeout_s=LONG_S)
        assert len(done.invoice_numbers) == N
        assert [f.order for f in done.failed] == [ref(bad)]
        assert done.failed[0].reason.startswith("missing_buyer_data")
        parsed = [parse_number(n) for n in done.invoice_numbers]
        assert {p.series for p in parsed} == {"KP"}
        assert missing_sequences([p.sequence for p in parsed]) == [] and len(set(parsed)) == N

        issued = await harness.wait_events("InvoiceIssued", N, timeout_s=LONG_S)
        by_number = {i.invoice_number: i for i in issued}
        assert {i.shop_order_id for i in issued} == {o.shop_order_id for o in orders}
        [mail_done] = await harness.wait_events("EmailBatchCompleted", 1, timeout_s=LONG_S)
        assert len(mail_done.sent) == N and not mail_done.failed

        mails = read_mails(inbox.folder)
        assert len(mails) == N
        subjects = {}
        for mail in mails:
            number = next(n for n in by_number if n in mail["Subject"])
            subjects[number] = subjects.get(number, 0) + 1
            assert sha256(pdf_attachment(mail)) == by_number[number].pdf_sha256
            assert mail["To"].addresses[0].addr_spec == by_number[number].buyer.email
        assert set(subjects.values()) == {1} and len(subjects) == N

        basket = (await http.get("/baskets/b1")).json()["orders"]
        assert [(o["shop_id"], o["shop_order_id"]) for o in basket] == [(bad.shop_id, bad.shop_order_id)]
        progress = (await http.get("/batches/batch-1")).json()
        assert progress["items"] == {"done": N, "failed": 1} and progress["emails"] == {"sent": N}

        # E-mailing the batch again sends nothing twice; asking for a re-send sends byte-identical PDFs.
        await harness.publish(EmailInvoices(basket_id="b1", batch_id="mail-again", invoice_batch_id="batch-1",
                                            requested_by="t"))
        await harness.wait_events("EmailBatchCompleted", 1, lambda e: e.batch_id == "mail-again", timeout_s=LONG_S)
        [again] = harness.of("EmailBatchCompleted", lambda e: e.batch_id == "mail-again")
        assert again.sent == () and len(again.skipped) == N
        first = done.invoice_numbers[0]
        await harness.publish(EmailInvoices(basket_id="b1", batch_id="resend-1", invoice_numbers=(first,),
                                            resend=True, requested_by="t"))
        await harness.wait_events("EmailBatchCompleted", 1, lambda e: e.batch_id == "resend-1", timeout_s=LONG_S)
        resent = await wait_for(lambda: _mails(inbox, N + 1), timeout_s=LONG_S)
        copies = [m for m in resent if first in m["Subject"]]
        assert len(copies) == 2 and pdf_attachment(copies[0]) == pdf_attachment(copies[1])


async def _mails(inbox, n):
    mails = read_mails(inbox.folder)
    return mails if len(mails) >= n else None
