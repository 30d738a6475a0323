"""Example invoicing messages: the order invoiced (mixed 27 % and 5 %, a coupon), e-mailed, reported."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from contracts import invoices, invoicing, nav
from contracts.common import LineAmounts, OrderRef
from contracts.examples.shared import (
    BATCH,
    BUYER,
    COD,
    INVOICE_NUMBER,
    ORDER_NUMBER,
    SELLER,
    SHOP,
    SHOP_ORDER_ID,
    VAT_5,
    VAT_27,
    WAREHOUSE,
    at,
)
from contracts.invoices import InvoiceLine, VatSummaryLine
from contracts.invoicing import BatchItemFailure

ORDER = OrderRef(shop_id=SHOP, shop_order_id=SHOP_ORDER_ID)
OTHER = OrderRef(shop_id="teahaz", shop_order_id="b3JkZXItb3JkZXJfaWQ9OTAx")
CENT = D("0.01")
PDF_SHA = "9f2c4e1ab7d35c08e6f41b2a9c7d0e5f38a16b4c2d9e7f0a1b3c5d7e9f0a2b4c"


def _line(no: int, kind: str, name: str, qty: str, unit_net: str, vat, net: str, tax: str, gross: str, **kw) -> InvoiceLine:
    return InvoiceLine(
        line_no=no, kind=kind, name=name, quantity=D(qty), unit="db", net_unit_price=D(unit_net), vat_key=vat,
        net=D(net).quantize(CENT), vat=D(tax).quantize(CENT), gross=D(gross).quantize(CENT), order_line_no=no, **kw,
    )


LINES = (
    _line(1, "product", "Kávéőrlő – kézi, kerámia őrlőművel", "1", "10228.35", VAT_27, "10228", "2762", "12990", sku="KO-1001"),
    _line(2, "product", "Szemes kávé, Etióp Yirgacheffe 250 g", "2", "2748.03", VAT_27, "5496", "1484", "6980", sku="KV-ETI-250"),
    _line(3, "product", "Az eszpresszó kézikönyve (könyv)", "1", "4752.38", VAT_5, "4752", "238", "4990", sku="KONYV-ESP"),
    _line(4, "service", "GLS házhozszállítás", "1", "1173.23", VAT_27, "1173", "317", "1490"),
    _line(5, "service", "Utánvét kezelési díj", "1", "307.09", VAT_27, "307", "83", "390"),
    _line(6, "coupon", "Kupon: TAVASZ1000", "1", "-1000.00", VAT_27, "-1000", "-270", "-1270"),
)
SUMMARY = (
    VatSummaryLine(vat_key=VAT_27, net=D("16204.00"), vat=D("4376.00"), gross=D("20580.00")),
    VatSummaryLine(vat_key=VAT_5, net=D("4752.00"), vat=D("238.00"), gross=D("4990.00")),
)
DOCUMENT = dict(
    shop_id=SHOP, shop_order_id=SHOP_ORDER_ID, order_number=ORDER_NUMBER, series="KPSZ",
    payment_method=COD, seller=SELLER, buyer=BUYER, currency="HUF", warehouse_id=WAREHOUSE,
    appearance="ELECTRONIC", cash_rounding=D("0.00"),
)


def _negate(line: InvoiceLine) -> InvoiceLine:
    return line.model_copy(
        update=dict(
            line_no=line.line_no + 6, quantity=-line.quantity, net=-line.net, vat=-line.vat, gross=-line.gross,
            references_line_no=line.line_no,
        )
    )


EXAMPLES = (
    invoicing.AddOrdersToBasket(basket_id="default", orders=(ORDER, OTHER), requested_by="nagy.zsofia"),
    invoicing.RemoveOrdersFromBasket(basket_id="default", orders=(OTHER,), requested_by="nagy.zsofia"),
    invoicing.InvoiceBasket(basket_id="default", batch_id=BATCH, email_after=True, requested_by="nagy.zsofia"),
    invoicing.InvoiceOrder(basket_id="default", order=ORDER, email=True, requested_by="nagy.zsofia"),
    invoicing.EmailInvoices(
        basket_id="default", batch_id="email-2025-03-14-01", invoice_batch_id=BATCH, requested_by="nagy.zsofia"
    ),
    invoicing.InvoiceBatchCompleted(
        batch_id=BATCH, basket_id="default", invoice_numbers=(INVOICE_NUMBER,),
        failed=(BatchItemFailure(order=OTHER, reason="Céges vevő adószám nélkül: Teaház Zrt."),),
        finished_at=at(15, 0, 40),
    ),
    invoicing.EmailBatchCompleted(
        batch_id="email-2025-03-14-01", sent=(INVOICE_NUMBER,), skipped=(), failed=(), finished_at=at(15, 1, 30)
    ),
    invoices.InvoiceIssued(
        **DOCUMENT, invoice_number=INVOICE_NUMBER, issue_date=date(2025, 3, 14), delivery_date=date(2025, 3, 14),
        due_date=date(2025, 3, 14), lines=LINES, vat_summary=SUMMARY,
        totals=LineAmounts(net=D("20956.00"), vat=D("4614.00"), gross=D("25570.00")), amount_due=D("25570.00"),
        pdf_sha256=PDF_SHA, issued_at=at(15, 0, 12), batch_id=BATCH,
    ),
    invoices.InvoiceCancelled(
        **DOCUMENT, invoice_number="KPSZ-2025-000091", issue_date=date(2025, 3, 17), delivery_date=date(2025, 3, 14),
        due_date=date(2025, 3, 17), lines=tuple(_negate(line) for line in LINES),
        vat_summary=tuple(s.model_copy(update=dict(net=-s.net, vat=-s.vat, gross=-s.gross)) for s in SUMMARY),
        totals=LineAmounts(net=D("-20956.00"), vat=D("-4614.00"), gross=D("-25570.00")), amount_due=D("-25570.00"),
        pdf_sha256=PDF_SHA.replace("9f2c", "1a7e"), issued_at=at(8, 45),
        original_invoice_number=INVOICE_NUMBER, modification_index=1, reason="A vevő elállt a vásárlástól.",
    ),
    invoices.CancelInvoice(invoice_number=INVOICE_NUMBER, reason="A vevő elállt a vásárlástól.", requested_by="nagy.zsofia"),
    invoices.OrderInvoicingFailed(
        shop_id=OTHER.shop_id, shop_order_id=OTHER.shop_order_id, batch_id=BATCH, reason="missing_buyer_data",
        detail="Céges vevő adószám nélkül: Teaház Zrt.", failed_at=at(15, 0, 31),
    ),
    invoices.InvoiceEmailed(
        invoice_number=INVOICE_NUMBER, to="kovacs.eva@example.hu",
        smtp_message_id="<KPSZ-2025-000087.1@kavepor.hu>", pdf_sha256=PDF_SHA, batch_id="email-2025-03-14-01",
        attempt=1, sent_at=at(15, 1, 20),
    ),
    invoices.InvoiceEmailFailed(
        invoice_number=INVOICE_NUMBER, to="kovacs.eva@example.hu", batch_id="email-2025-03-14-01", attempt=1,
        error="connection", detail="421 4.7.0 Túl sok kapcsolat, próbálja később", will_retry=True,
        failed_at=at(15, 1, 5),
    ),
    nav.InvoiceReportedToNav(
        invoice_number=INVOICE_NUMBER, operation="CREATE", transaction_id="4Q3ZRVY0RYJ8B2ZQ", index=1,
        warnings=(nav.NavMessage(severity="WARN", code="INCORRECT_COUNTY_CODE", text="Hibás megyekód."),),
        reported_at=at(15, 3),
    ),
    nav.InvoiceNavReportRejected(
        invoice_number="KPSZ-2025-000088", operation="CREATE", transaction_id="4Q3ZRVY0RYJ8B2ZR",
        errors=(nav.NavMessage(severity="ERROR", code="INVALID_VAT_DATA", text="Érvénytelen ÁFA adat."),),
        rejected_at=at(15, 3),
    ),
)
