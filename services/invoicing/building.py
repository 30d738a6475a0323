"""Building an invoice from an order document, and a storno from an invoice. Pure functions.

An :class:`InvoiceDocument` is everything printed on the invoice; it is fixed once it has its
number and is stored unchanged. The PDF is rendered from it, and the published events carry it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, Field

from contracts.base import Currency, Money
from contracts.common import LineAmounts, Part, Party
from contracts.invoices import InvoiceCancelled, InvoiceIssued, InvoiceLine, VatSummaryLine
from contracts.orders import OrderReceived, PaymentMethod
from services.invoicing import amounts
from services.invoicing.amounts import InvalidVat, Keyed
from services.invoicing.errors import InvoicingError
from services.invoicing.parties import buyer_from

PHRASE_REVERSE_CHARGE = "fordított adózás"
PHRASE_CASH_ACCOUNTING = "pénzforgalmi elszámolás"


@dataclass(frozen=True)
class Terms:
    """Seller and commercial settings that shape every invoice."""

    seller: Party
    due_days: dict[str, int] = field(default_factory=dict)
    cash_payment_codes: frozenset[str] = frozenset()
    cash_accounting: bool = False
    appearance: Literal["ELECTRONIC", "PAPER"] = "ELECTRONIC"
    bank_account: str | None = None


class InvoiceDocument(Part):
    """The content of an issued invoice or storno, as stored and printed."""

    kind: Literal["invoice", "storno"] = Field(description="Invoice or storno invoice.")
    invoice_number: str = Field(description="Number in its series.")
    series: str = Field(description="Number series.")
    shop_id: str
    shop_order_id: str
    order_number: str
    shop_order_code: str | None = None
    issue_date: date
    delivery_date: date
    due_date: date
    payment_method: PaymentMethod
    seller: Party
    buyer: Party
    currency: Currency
    lines: tuple[InvoiceLine, ...]
    vat_summary: tuple[VatSummaryLine, ...]
    totals: LineAmounts
    cash_rounding: Money
    amount_due: Money
    warehouse_id: str
    appearance: Literal["ELECTRONIC", "PAPER"]
    notes: tuple[str, ...] = Field(default=(), description="Statutory phrases and remarks printed on the invoice.")
    bank_account: str | None = None
    issued_at: AwareDatetime
    original_invoice_number: str | None = None
    modification_index: int | None = None
    reason: str | None = None
    restock: bool = Field(default=True, description="A storno books the products back into stock.")

    @property
    def is_cash(self) -> bool:
        return self.cash_rounding != 0


_EVENT_EXCLUDE = {"kind", "shop_order_code", "notes", "bank_account", "original_invoice_number",
                  "modification_index", "reason", "restock"}


def issued_event(doc: InvoiceDocument, pdf_sha256: str, batch_id: str | None) -> InvoiceIssued:
    return InvoiceIssued(**doc.model_dump(exclude=_EVENT_EXCLUDE), pdf_sha256=pdf_sha256, batch_id=batch_id)


def cancelled_event(doc: InvoiceDocument, pdf_sha256: str) -> InvoiceCancelled:
    return InvoiceCancelled(**doc.model_dump(exclude=_EVENT_EXCLUDE), pdf_sha256=pdf_sha256,
                            original_invoice_number=doc.original_invoice_number,
                            modification_index=doc.modification_index, reason=doc.reason,
                            restock=doc.restock)


def invoice_lines(order: OrderReceived) -> tuple[InvoiceLine, ...]:
    """One invoice line per order line, amounts by the one rounding rule in ``amounts``."""
    lines = []
    for no, ol in enumerate(order.lines, start=1):
        try:
            amounts.check_vat_key(ol.vat)
        except InvalidVat as error:
            raise InvoicingError("invalid_vat", f"order line {ol.line_no}: {error}") from error
        sums = amounts.line_amounts(ol.gross_unit_price, ol.quantity, ol.vat, order.currency)
        lines.append(InvoiceLine(
            line_no=no, kind=ol.kind, sku=getattr(ol, "sku", None), name=ol.name, quantity=ol.quantity,
            unit=ol.unit, net_unit_price=amounts.net_unit_price(ol.gross_unit_price, ol.vat), vat_key=ol.vat,
            order_line_no=ol.line_no, **sums.model_dump(),
        ))
    return tuple(lines)


def notes_for(lines: tuple[InvoiceLine, ...], terms: Terms, header_note: str | None) -> tuple[str, ...]:
    """Statutory phrases (169 § h, m, n) and the order reference (M16)."""
    notes: list[str] = []
    for key in dict.fromkeys(line.vat_key for line in lines):
        if key.category == "DOMESTIC_REVERSE_CHARGE":
            notes.append(f"{key.short_name}: {PHRASE_REVERSE_CHARGE} (reverse charge)")
        elif key.category != "PERCENTAGE":
            reason = key.exemption_reason or f"{key.nav_case}"
            notes.append(f"{key.short_name}: {reason}")
    if terms.cash_accounting:
        notes.append(PHRASE_CASH_ACCOUNTING)
    if header_note:
        notes.append(header_note)
    return tuple(notes)


@dataclass(frozen=True)
class Prepared:
    """An order checked and computed, waiting only for its number and dates."""

    order: OrderReceived
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    summary: tuple[VatSummaryLine, ...]
    totals: LineAmounts
    cash_rounding: Decimal


def prepare_invoice(order: OrderReceived, terms: Terms) -> Prepared:
    """Check and compute the invoice of ``order``; raises InvoicingError when it cannot be lawful."""
    if order.currency != "HUF":
        raise InvoicingError("other", f"order currency {order.currency}: only HUF invoices are issued "
                                      "(the HUF VAT of a foreign-currency invoice needs an Áfa tv. 80 § rate)")
    buyer = buyer_from(order.customer)
    lines = invoice_lines(order)
    if buyer.vat_status != "DOMESTIC" and any(l.vat_key.category == "DOMESTIC_REVERSE_CHARGE" for l in lines):
        raise InvoicingError("invalid_vat", "domestic reverse charge needs a domestic taxable buyer with a tax number")
    summary = amounts.vat_summary(Keyed(l.vat_key, l) for l in lines)
    totals = amounts.add(summary)
    is_cash = order.payment_method.code.upper() in terms.cash_payment_codes
    return Prepared(order, buyer, lines, summary, totals, amounts.cash_rounding(totals.gross, order.currency, is_cash))


def draft_invoice(prepared: Prepared, terms: Terms, *, issued_at: datetime, issue_date: date,
                  invoice_number: str, series: str) -> InvoiceDocument:
    """The numbered invoice of a prepared order."""
    order = prepared.order
    due = issue_date if order.is_paid else issue_date + timedelta(days=terms.due_days.get(order.payment_method.code, 0))
    return InvoiceDocument(
        kind="invoice", invoice_number=invoice_number, series=series, shop_id=order.shop_id,
        shop_order_id=order.shop_order_id, order_number=order.order_number, shop_order_code=order.shop_order_code,
        issue_date=issue_date, delivery_date=issue_date, due_date=due, payment_method=order.payment_method,
        seller=terms.seller, buyer=prepared.buyer, currency=order.currency, lines=prepared.lines,
        vat_summary=prepared.summary, totals=prepared.totals, cash_rounding=prepared.cash_rounding,
        amount_due=prepared.totals.gross + prepared.cash_rounding, warehouse_id=order.warehouse_id,
        appearance=terms.appearance, notes=notes_for(prepared.lines, terms, order.header_note),
        bank_account=terms.bank_account, issued_at=issued_at,
    )


def negate_line(line: InvoiceLine, offset: int) -> InvoiceLine:
    return line.model_copy(update={
        "line_no": line.line_no + offset, "quantity": -line.quantity + 0, "references_line_no": line.line_no,
        "order_line_no": line.order_line_no, **amounts.negate(line).model_dump(),
    })


def storno_of(original: InvoiceDocument, *, reason: str, issued_at: datetime, issue_date: date,
              invoice_number: str, series: str, modification_index: int = 1, restock: bool = True) -> InvoiceDocument:
    """The storno of ``original``: own number, negated lines referring to the original's lines."""
    offset = max(line.line_no for line in original.lines)
    lines = tuple(negate_line(line, offset) for line in original.lines)
    summary = amounts.vat_summary(Keyed(l.vat_key, l) for l in lines)
    totals = amounts.add(summary)
    return original.model_copy(update={
        "kind": "storno", "invoice_number": invoice_number, "series": series, "issue_date": issue_date,
        "due_date": issue_date, "lines": lines, "vat_summary": summary, "totals": totals,
        "cash_rounding": -original.cash_rounding + 0, "amount_due": totals.gross - original.cash_rounding,
        "issued_at": issued_at, "original_invoice_number": original.invoice_number,
        "modification_index": modification_index, "reason": reason, "restock": restock,
        "notes": (*original.notes, f"Sztornó: {original.invoice_number} számla érvénytelenítése / "
                                   f"cancels invoice {original.invoice_number}"),
    })
