"""Storno: own number, negated lines, InvoiceCancelled for the ledger; the PDF text has every mandatory field."""

from __future__ import annotations

import shutil
import subprocess

import asyncpg
import httpx
import pytest

from contracts.common import OrderRef
from contracts.invoices import CancelInvoice
from contracts.invoicing import InvoiceOrder
from polc.runtime.service import ServiceRuntime
from services.invoicing.app import build
from tests.integration.invoicing.harness import invoicing_settings, make_order, wait_order_known

pytestmark = pytest.mark.broker


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


async def test_storno_negates_and_books_stock_back_and_pdfs_carry_mandatory_fields(make_settings, harness, inbox,
                                                                                   db, tmp_path):
    settings = invoicing_settings(make_settings(), inbox.port, cash_accounting=True)
    order = make_order(7, company=True, payment="BANK_TRANSFER")
    async with ServiceRuntime(build(settings), settings, harness.routing) as rt, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{rt.http.port}") as http:
        await harness.start(["polc.invoices.v1"])
        await harness.publish(order)
        await wait_order_known(http, order)
        await harness.publish(InvoiceOrder(basket_id="default", requested_by="t",
                                           order=OrderRef(shop_id=order.shop_id, shop_order_id=order.shop_order_id)))
        [issued] = await harness.wait_events("InvoiceIssued", 1)
        await harness.publish(CancelInvoice(invoice_number=issued.invoice_number, reason="Vevő elállt <x>",
                                            requested_by="t"))
        [storno] = await harness.wait_events("InvoiceCancelled", 1)
        # A repeated storno request changes nothing.
        await harness.publish(CancelInvoice(invoice_number=issued.invoice_number, reason="again", requested_by="t"))

        assert storno.original_invoice_number == issued.invoice_number
        assert storno.invoice_number.endswith("-000002") and storno.series == issued.series
        products = [l for l in storno.lines if l.kind == "product"]
        assert [(l.sku, l.quantity) for l in products] == [(l.sku, -l.quantity) for l in issued.lines
                                                           if l.kind == "product"]
        assert storno.warehouse_id == issued.warehouse_id and storno.totals.gross == -issued.totals.gross
        assert all(l.references_line_no for l in storno.lines)

        conn = await db()
        try:
            with pytest.raises(asyncpg.PostgresError):
                await conn.execute("UPDATE invoices SET batch_id = 'x' WHERE invoice_number = $1",
                                   issued.invoice_number)
            with pytest.raises(asyncpg.PostgresError):
                await conn.execute("DELETE FROM invoice_pdfs")
            assert await conn.fetchval("SELECT count(*) FROM invoices WHERE kind = 'storno'") == 1
        finally:
            await conn.close()

        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext (poppler-utils) is not installed")
        original = pdf_text((await http.get(f"/invoices/{issued.invoice_number}/pdf")).content, tmp_path)
        for field in (issued.invoice_number, issued.issue_date.isoformat(), issued.delivery_date.isoformat(),
                      issued.due_date.isoformat(), "Polc Teszt Kft.", settings.seller_tax_number, "Őrlőház Kft.",
                      "10597190-2-41", "Váci utca 7.", "Szemes kávé 250 g", "27%", "5%", "db",
                      "Nettó", "ÁFA", "Bruttó", "ÁFA-összesítő", "pénzforgalmi elszámolás", "Banki átutalás",
                      "11700000-00000000", "Számla", "Invoice"):
            assert field in original, field
        cancelled = pdf_text((await http.get(f"/invoices/{storno.invoice_number}/pdf")).content, tmp_path)
        for field in ("Sztornó számla", storno.invoice_number, issued.invoice_number, "Vevő elállt <x>"):
            assert field in cancelled, field
