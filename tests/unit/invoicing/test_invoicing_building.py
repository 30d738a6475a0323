"""Invoice and storno building, buyer rules, PDF escaping and mail header safety (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from contracts.common import VatKey
from contracts.examples.orders import ORDER_RECEIVED
from contracts.examples.shared import SELLER
from services.invoicing import mailer
from services.invoicing.building import (
    Terms,
    cancelled_event,
    draft_invoice,
    issued_event,
    prepare_invoice,
    storno_of,
)
from services.invoicing.errors import InvoicingError
from services.invoicing.parties import hungarian_tax_number
from services.invoicing.pdf import render_html

TERMS = Terms(seller=SELLER, due_days={"BANK_TRANSFER": 8}, cash_payment_codes=frozenset({"COD"}))
NOW = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
TODAY = date(2025, 3, 14)


def order(**customer):
    return ORDER_RECEIVED.model_copy(update={"customer": ORDER_RECEIVED.customer.model_copy(
        update={"tax_number": "10597190-2-41", **customer})})


def invoice(o=None, terms=TERMS):
    return draft_invoice(prepare_invoice(o or order(), terms), terms, issued_at=NOW, issue_date=TODAY,
                         invoice_number="KP-2025-000001", series="KP")


def test_invoice_matches_the_contract_example():
    doc = invoice()
    assert [str(s.gross) for s in doc.vat_summary] == ["20580.00", "4990.00"]
    assert (doc.totals.net, doc.totals.vat, doc.totals.gross) == (D("20956.00"), D("4614.00"), D("25570.00"))
    assert doc.cash_rounding == 0 and doc.amount_due == D("25570.00")  # already a multiple of 5
    assert [l.order_line_no for l in doc.lines] == [1, 2, 3, 4, 5, 6]
    assert doc.lines[5].kind == "coupon" and doc.lines[5].gross == D("-1270.00")
    assert doc.buyer.name == "Őrlőház Kft." and doc.buyer.tax_number == "10597190-2-41"
    assert doc.delivery_date == doc.issue_date == TODAY and doc.due_date == TODAY
    assert "Webshop rendelés: SR-172" in doc.notes
    event = issued_event(doc, "a" * 64, "b1")
    assert event.invoice_number == "KP-2025-000001" and event.batch_id == "b1"


def test_due_date_by_payment_method_and_paid_orders():
    transfer = ORDER_RECEIVED.model_copy(update={"payment_method": ORDER_RECEIVED.payment_method.model_copy(
        update={"code": "BANK_TRANSFER"}), "customer": order().customer})
    assert invoice(transfer).due_date == date(2025, 3, 22)
    assert invoice(transfer.model_copy(update={"is_paid": True})).due_date == TODAY


def test_cash_order_amount_due_rounded_to_5():
    line = ORDER_RECEIVED.lines[0].model_copy(update={"gross_unit_price": D("12993")})
    doc = invoice(order().model_copy(update={"lines": (line,)}))
    assert doc.totals.gross == D("12993.00") and doc.cash_rounding == D("2.00") and doc.amount_due == D("12995.00")
    assert doc.totals.vat + doc.totals.net == doc.totals.gross  # VAT and net are never touched


def test_company_buyer_without_tax_number_is_refused():
    with pytest.raises(InvoicingError) as error:
        prepare_invoice(order(tax_number=None), TERMS)
    assert error.value.reason == "missing_buyer_data"
    with pytest.raises(InvoicingError):
        prepare_invoice(order(tax_number="12345678-2-41"), TERMS)  # fails the check digit


def test_private_buyer():
    doc = invoice(order(company=None, tax_number=None,
                        billing_address=ORDER_RECEIVED.customer.billing_address.model_copy(update={"company": None})))
    assert doc.buyer.vat_status == "PRIVATE_PERSON" and doc.buyer.tax_number is None
    assert doc.buyer.name == "Kovács Éva"


def test_exempt_and_reverse_charge_lines_print_their_phrases():
    aam = VatKey(short_name="AAM", category="EXEMPTION", nav_case="AAM", exemption_reason="Alanyi adómentes")
    fad = VatKey(short_name="FAD", category="DOMESTIC_REVERSE_CHARGE", nav_case="FAD")
    lines = (ORDER_RECEIVED.lines[0].model_copy(update={"vat": aam}),
             ORDER_RECEIVED.lines[1].model_copy(update={"vat": fad}))
    doc = invoice(order().model_copy(update={"lines": lines}))
    assert doc.totals.vat == 0
    assert any("Alanyi adómentes" in n for n in doc.notes) and any("fordított adózás" in n for n in doc.notes)


def test_zero_percent_and_foreign_currency_are_refused():
    zero = ORDER_RECEIVED.lines[0].model_copy(update={"vat": VatKey(short_name="0%", category="PERCENTAGE",
                                                                     rate=D("0"))})
    with pytest.raises(InvoicingError) as error:
        prepare_invoice(order().model_copy(update={"lines": (zero,)}), TERMS)
    assert error.value.reason == "invalid_vat"
    with pytest.raises(InvoicingError):
        prepare_invoice(order().model_copy(update={"currency": "EUR"}), TERMS)


def test_storno_negates_every_line_and_refers_to_the_original():
    doc = invoice()
    storno = storno_of(doc, reason="Vevő elállt", issued_at=NOW, issue_date=TODAY,
                       invoice_number="KP-2025-000002", series="KP")
    assert storno.kind == "storno" and storno.original_invoice_number == doc.invoice_number
    assert [l.line_no for l in storno.lines] == [7, 8, 9, 10, 11, 12]
    assert [l.references_line_no for l in storno.lines] == [1, 2, 3, 4, 5, 6]
    for a, b in zip(doc.lines, storno.lines, strict=True):
        assert (b.quantity, b.net, b.vat, b.gross) == (-a.quantity, -a.net, -a.vat, -a.gross)
    assert storno.totals.gross == -doc.totals.gross and storno.amount_due == -doc.amount_due
    assert [s.gross for s in storno.vat_summary] == [-s.gross for s in doc.vat_summary]


def test_storno_carries_restock_to_the_ledger():
    doc = invoice()
    kept = storno_of(doc, reason="Elveszett a szállításban", issued_at=NOW, issue_date=TODAY,
                     invoice_number="KP-2025-000002", series="KP", restock=False)
    assert cancelled_event(kept, "0" * 64).restock is False
    back = storno_of(doc, reason="Vevő elállt", issued_at=NOW, issue_date=TODAY,
                     invoice_number="KP-2025-000003", series="KP")
    assert cancelled_event(back, "0" * 64).restock is True
    assert "restock" not in issued_event(doc, "0" * 64, None).model_dump()


def test_tax_number_check_digit():
    assert hungarian_tax_number("10597190241") == "10597190-2-41"
    assert hungarian_tax_number("12345678-2-41") is None
    assert hungarian_tax_number("10597190-9-41") is None


def test_pdf_html_escapes_customer_text_and_has_every_mandatory_field():
    evil = "<script>alert(1)</script> & <b>Kft</b>"
    doc = invoice(order(company=evil))
    html = render_html(doc)
    assert "<script>" not in html and "&lt;script&gt;" in html
    for text in ("KP-2025-000001", "2025-03-14", "10597190-2-41", SELLER.tax_number, "Váci utca 12.",
                 "ÁFA-összesítő", "27%", "5%"):
        assert text in html


def test_mail_headers_cannot_be_injected():
    doc = invoice(order(company="Evil Kft.\r\nBcc: victim@example.com"))
    message = mailer.build_message(doc, b"%PDF-1.7", sender="szamla@polc.test", to="a@example.hu", attempt=1)
    raw = message.as_bytes()
    assert b"\nBcc:" not in raw and message["To"].addresses[0].addr_spec == "a@example.hu"
    for bad in ("a@example.hu\r\nBcc: x@y.hu", "a@b.hu, c@d.hu", "", None, "no-at-sign"):
        with pytest.raises(mailer.SendFailed) as error:
            mailer.recipient(bad)
        assert error.value.error == "no_address"


def test_an_address_with_accents_before_the_at_is_a_failed_mail_not_a_crash():
    with pytest.raises(mailer.SendFailed) as error:
        mailer.recipient("béla@example.hu")
    assert error.value.error == "no_address" and "accented" in error.value.detail
