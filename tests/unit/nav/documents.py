"""Invoices of every kind polc issues, built by the invoicing service's own functions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from contracts.common import Address, VatKey
from contracts.examples.orders import ORDER_RECEIVED
from contracts.examples.shared import SELLER
from contracts.orders import PaymentMethod
from services.invoicing.building import InvoiceDocument, Terms, draft_invoice, prepare_invoice, storno_of

TERMS = Terms(seller=SELLER, due_days={"BANK_TRANSFER": 8}, cash_payment_codes=frozenset({"COD"}),
              bank_account="11773016-11111018")
NOW = datetime(2025, 3, 14, 10, 0, tzinfo=UTC)
TODAY = date(2025, 3, 14)
VAT_18 = VatKey(short_name="18%", category="PERCENTAGE", rate=D("0.18"))
AAM = VatKey(short_name="AAM", category="EXEMPTION", nav_case="AAM",
             exemption_reason="Alanyi adómentes, Áfa tv. XIII. fejezet")
TAM = VatKey(short_name="TAM", category="EXEMPTION", nav_case="TAM", exemption_reason="Mentes ÁFA tv. 85.§ (1) i)")
KBAET = VatKey(short_name="KBAET", category="EXEMPTION", nav_case="KBAET", exemption_reason="Áfa tv. 89. §")


def _order(*, company: bool = True, lines=None, payment: str = "COD", address: Address | None = None,
           tax_number: str | None = "10597190-2-41"):
    customer = ORDER_RECEIVED.customer.model_copy(update={
        "company": "Őrlőház Kft." if company else None,
        "tax_number": tax_number if company else None,
        "billing_address": (address or ORDER_RECEIVED.customer.billing_address).model_copy(
            update={"company": None} if not company else {}),
    })
    return ORDER_RECEIVED.model_copy(update={
        "customer": customer, "lines": lines or ORDER_RECEIVED.lines,
        "payment_method": PaymentMethod(code=payment, name=payment.title()),
    })


def _issue(order, number: str = "KP-2025-000001") -> InvoiceDocument:
    return draft_invoice(prepare_invoice(order, TERMS), TERMS, issued_at=NOW, issue_date=TODAY,
                         invoice_number=number, series="KP")


def _rekeyed(key: VatKey, *, price: str | None = None):
    return tuple(line.model_copy(update={"vat": key, **({"gross_unit_price": D(price)} if price else {})})
                 for line in ORDER_RECEIVED.lines)


def private_buyer() -> InvoiceDocument:
    return _issue(_order(company=False, payment="BANK_TRANSFER"))


def domestic_company() -> InvoiceDocument:
    return _issue(_order(payment="BANK_TRANSFER"))


def mixed_vat() -> InvoiceDocument:
    lines = list(ORDER_RECEIVED.lines)
    lines[1] = lines[1].model_copy(update={"vat": VAT_18})
    lines[4] = lines[4].model_copy(update={"vat": TAM})
    return _issue(_order(lines=tuple(lines), payment="CARD"))


def aam() -> InvoiceDocument:
    return _issue(_order(company=False, lines=_rekeyed(AAM)))


def coupon_discounts() -> InvoiceDocument:
    extra = ORDER_RECEIVED.lines[5].model_copy(update={"line_no": 7, "name": "Kupon: HUSEG5", "coupon_code": "HUSEG5",
                                                       "vat": ORDER_RECEIVED.lines[2].vat,
                                                       "gross_unit_price": D("-250.00")})
    return _issue(_order(lines=(*ORDER_RECEIVED.lines, extra)))


def cash_rounding() -> InvoiceDocument:
    line = ORDER_RECEIVED.lines[0].model_copy(update={"gross_unit_price": D("12993")})
    doc = _issue(_order(company=False, lines=(line,), payment="COD"))
    assert doc.cash_rounding != 0
    return doc


def foreign_company() -> InvoiceDocument:
    address = Address(name="Kaffee GmbH", company="Kaffee GmbH", postcode="1010", city="Wien",
                      address_line_1="Graben 1", country_code="AT")
    return _issue(_order(lines=_rekeyed(KBAET), address=address, tax_number="ATU12345678", payment="BANK_TRANSFER"))


def storno(original: InvoiceDocument | None = None) -> InvoiceDocument:
    return storno_of(original or domestic_company(), reason="A vevő elállt", issued_at=NOW, issue_date=TODAY,
                     invoice_number="KP-2025-000002", series="KP")


ALL = {
    "private_buyer": private_buyer, "domestic_company": domestic_company, "mixed_vat": mixed_vat, "aam": aam,
    "coupon_discounts": coupon_discounts, "cash_rounding": cash_rounding, "foreign_company": foreign_company,
    "storno": storno, "storno_of_private": lambda: storno(private_buyer()),
}
