"""The invoice PDF: the same document gives the same bytes, each file holds one invoice, every mandatory field."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest

from contracts.examples.orders import ORDER_RECEIVED
from contracts.examples.shared import SELLER
from services.invoicing.building import Terms, draft_invoice, prepare_invoice, storno_of
from services.invoicing.pdf import render_pdf, render_pdfs_json, sha256

TERMS = Terms(seller=SELLER, due_days={"BANK_TRANSFER": 8}, cash_payment_codes=frozenset({"COD"}),
              cash_accounting=True, bank_account="11700000-00000000")
NOW = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
TODAY = date(2025, 3, 14)


def invoice(n: int, **customer):
    order = ORDER_RECEIVED.model_copy(update={"customer": ORDER_RECEIVED.customer.model_copy(
        update={"tax_number": "10597190-2-41", **customer})})
    return draft_invoice(prepare_invoice(order, TERMS), TERMS, issued_at=NOW, issue_date=TODAY,
                         invoice_number=f"KP-2025-{n:06d}", series="KP")


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_same_document_same_bytes_also_when_rendered_in_a_batch():
    first, second = invoice(1), invoice(2, company="Második Kft.")
    alone = render_pdf(first)
    assert alone.startswith(b"%PDF-") and render_pdf(first) == alone
    batch = render_pdfs_json([second.model_dump_json(), first.model_dump_json()])
    assert batch[1] == alone and sha256(batch[1]) == sha256(alone)
    assert batch[0] != alone


def test_pdf_text_has_every_mandatory_field_and_only_its_own_invoice(tmp_path):
    doc = invoice(1, company="Őrlőház <b>Kft.</b>")
    text = pdf_text(render_pdf(doc), tmp_path)
    line = doc.lines[0]
    for field in (doc.invoice_number, doc.issue_date.isoformat(), doc.delivery_date.isoformat(),
                  doc.due_date.isoformat(), SELLER.name, SELLER.tax_number, "Őrlőház <b>Kft.</b>",
                  "10597190-2-41", doc.buyer.address.address_line_1, line.name.split()[0], line.unit, "27%",
                  "Nettó", "ÁFA", "Bruttó", "ÁFA-összesítő", "pénzforgalmi elszámolás", doc.payment_method.name,
                  "11700000-00000000", "Számla", "Invoice", "Fizetendő", f"{doc.invoice_number} – 1/1"):
        assert field in text, field
    assert "KP-2025-000002" not in text


def test_storno_pdf_names_the_original_and_the_reason(tmp_path):
    original = invoice(1)
    storno = storno_of(original, reason="Vevő elállt <x>", issued_at=NOW, issue_date=TODAY,
                       invoice_number="KP-2025-000002", series="KP")
    text = pdf_text(render_pdf(storno), tmp_path)
    for field in ("Sztornó számla", storno.invoice_number, original.invoice_number, "Vevő elállt <x>"):
        assert field in text, field


def test_control_and_non_xml_characters_in_customer_text_are_dropped_not_fatal(tmp_path):
    doc = invoice(1, company="Vez\x01érlő\x0b <b>Kft.</b>\ufffe & Társa")
    text = pdf_text(render_pdf(doc), tmp_path)
    assert "Vezérlő <b>Kft.</b> & Társa" in text
