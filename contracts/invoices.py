"""Issued invoices, storno invoices and their e-mails (M2, M6; Áfa tv. 169 §, 170 §).

``InvoiceIssued`` and ``InvoiceCancelled`` travel on ``polc.invoices.v1`` keyed
``shop_id:shop_order_id``, so an order's invoice and its storno stay in order for the ledger,
which turns the reservation into a sale and books the storno back. E-mail outcomes travel on
``polc.invoicing.emails.v1`` keyed by invoice number.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from contracts.base import Currency, Message, Money, Quantity
from contracts.common import LineAmounts, Party, ShopId, ShopRenterId, Sku, Unit, VatKey, WarehouseId
from contracts.orders import PaymentMethod


class InvoiceLine(LineAmounts):
    """One invoice line; amounts in the invoice currency, negated on a storno."""

    line_no: int = Field(ge=1, description="Line number; a storno continues the original's numbering.")
    kind: Literal["product", "service", "coupon"] = Field(description="Product (moves stock), service or coupon discount.")
    sku: Sku | None = Field(default=None, description="Product code; set for product lines.")
    name: str = Field(min_length=1, max_length=255, description="Line text.")
    quantity: Quantity = Field(description="Quantity; negative on a storno.")
    unit: Unit = Field(description="Unit of measure.")
    net_unit_price: Money = Field(description="Net unit price.")
    vat_key: VatKey = Field(description="VAT rate or exemption case of the line.")
    order_line_no: int | None = Field(default=None, description="Line of the order document it was made from.")
    references_line_no: int | None = Field(default=None, description="On a storno: the original invoice line it negates.")


class VatSummaryLine(LineAmounts):
    """Sum of the lines with one VAT rate or exemption case; equals the sum of those lines."""

    vat_key: VatKey = Field(description="VAT rate or exemption case.")


class _InvoiceDocument(Message):
    shop_id: ShopId = Field(description="Shop of the invoiced order.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the invoiced order.")
    order_number: str = Field(min_length=1, description="Back-office order number.")
    invoice_number: str = Field(min_length=1, max_length=50, description='Gapless number in its series, e.g. "KP-2025-000123".')
    series: str = Field(min_length=1, max_length=20, description='Number series, e.g. "KP".')
    issue_date: date = Field(description="Issue date (169 § a).")
    delivery_date: date = Field(description="Date of supply (169 § g).")
    due_date: date = Field(description="Payment due date, from the payment method.")
    payment_method: PaymentMethod = Field(description="Payment method of the order.")
    seller: Party = Field(description="Seller data from settings (169 § c-d).")
    buyer: Party = Field(description="Buyer: name, address, tax number for a domestic company (169 § d-e).")
    currency: Currency = Field(description='Invoice currency, "HUF" in practice.')
    lines: tuple[InvoiceLine, ...] = Field(min_length=1, description="Invoice lines.")
    vat_summary: tuple[VatSummaryLine, ...] = Field(min_length=1, description="One row per VAT rate or exemption case.")
    totals: LineAmounts = Field(description="Invoice totals; equal to the sum of the VAT summary.")
    cash_rounding: Money = Field(description="Adjustment to 0 or 5 forints for cash payments; 0 otherwise.")
    amount_due: Money = Field(description="Gross total plus cash rounding: what the buyer pays.")
    warehouse_id: WarehouseId = Field(description="Warehouse the order's stock was reserved in.")
    appearance: Literal["ELECTRONIC", "PAPER"] = Field(description="How the invoice is delivered (NAV invoiceAppearance).")
    pdf_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the stored PDF; re-sent byte-identical.")
    issued_at: AwareDatetime = Field(description="When the invoice was stored with its number.")


class InvoiceIssued(_InvoiceDocument):
    """An invoice was issued for an order; the ledger turns the order's reservation into a sale."""

    message_type: ClassVar[str] = "InvoiceIssued"

    batch_id: str | None = Field(default=None, description="Invoice batch it belongs to; null for one-click.")


class InvoiceCancelled(_InvoiceDocument):
    """A storno invoice cancelled an issued one; lines are negated and the ledger books stock back."""

    message_type: ClassVar[str] = "InvoiceCancelled"

    original_invoice_number: str = Field(min_length=1, description="Invoice cancelled by this storno.")
    modification_index: int = Field(ge=1, description="Per original invoice: 1 for its first modifying document.")
    reason: str = Field(min_length=1, max_length=500, description="Why the invoice was cancelled.")
    restock: bool = Field(
        default=True,
        description="Book the cancelled products back into stock (from CancelInvoice.restock); false when the "
                    "goods did not come back, e.g. lost in delivery.",
    )


class CancelInvoice(Message):
    """Issue a storno invoice for an issued invoice."""

    message_type: ClassVar[str] = "CancelInvoice"

    invoice_number: str = Field(min_length=1, description="Invoice to cancel.")
    reason: str = Field(min_length=1, max_length=500, description="Why; printed on the storno.")
    restock: bool = Field(default=True, description="Book the products back into stock.")
    requested_by: str = Field(min_length=1, description="User or system that asked.")


class OrderInvoicingFailed(Message):
    """One order could not be invoiced (for example a company buyer without a tax number)."""

    message_type: ClassVar[str] = "OrderInvoicingFailed"

    shop_id: ShopId = Field(description="Shop of the order.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the order.")
    batch_id: str | None = Field(default=None, description="Batch the attempt belonged to; null for one-click.")
    reason: Literal["missing_buyer_data", "order_not_open", "already_invoiced", "invalid_vat", "other"] = Field(
        description="Class of failure."
    )
    detail: str = Field(min_length=1, max_length=2000, description="Explanation for operators.")
    failed_at: AwareDatetime = Field(description="When the attempt failed.")


class InvoiceEmailed(Message):
    """The invoice PDF was accepted by the SMTP server for the buyer."""

    message_type: ClassVar[str] = "InvoiceEmailed"

    invoice_number: str = Field(min_length=1, description="Invoice sent.")
    to: str = Field(min_length=3, description="Recipient address.")
    smtp_message_id: str = Field(min_length=1, description="Message-ID header of the sent mail.")
    pdf_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the attached PDF.")
    batch_id: str | None = Field(default=None, description="E-mail batch it belongs to.")
    attempt: int = Field(ge=1, description="Send attempt number for this invoice.")
    sent_at: AwareDatetime = Field(description="When the server accepted the mail.")


class InvoiceEmailFailed(Message):
    """Sending the invoice failed; it stays retryable and is not marked sent."""

    message_type: ClassVar[str] = "InvoiceEmailFailed"

    invoice_number: str = Field(min_length=1, description="Invoice not sent.")
    to: str | None = Field(default=None, description="Recipient address, if there was one.")
    batch_id: str | None = Field(default=None, description="E-mail batch it belongs to.")
    attempt: int = Field(ge=1, description="Send attempt number for this invoice.")
    error: Literal["no_address", "refused", "connection", "timeout", "other"] = Field(description="Class of failure.")
    detail: str = Field(min_length=1, max_length=2000, description="SMTP reply or error text.")
    will_retry: bool = Field(description="True when the service retries by itself.")
    failed_at: AwareDatetime = Field(description="When the attempt failed.")


__all__ = [
    "CancelInvoice",
    "InvoiceCancelled",
    "InvoiceEmailFailed",
    "InvoiceEmailed",
    "InvoiceIssued",
    "InvoiceLine",
    "OrderInvoicingFailed",
    "VatSummaryLine",
]
