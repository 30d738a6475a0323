"""NAV Online Számla reporting outcomes, per invoice (and storno).

Travel on ``polc.nav.reports.v1`` keyed by invoice number. Reporting runs after issuing, so
invoicing and e-mail never wait on NAV.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from contracts.base import Message
from contracts.common import Part


class NavMessage(Part):
    """One validation result NAV returned for the invoice."""

    severity: Literal["ERROR", "WARN", "INFO"] = Field(description="NAV validationResultCode.")
    code: str = Field(min_length=1, max_length=200, description="NAV validationErrorCode.")
    text: str = Field(max_length=2000, description="NAV message text.")


class InvoiceReportedToNav(Message):
    """NAV processed the invoice's report to DONE (warnings possible)."""

    message_type: ClassVar[str] = "InvoiceReportedToNav"

    invoice_number: str = Field(min_length=1, description="Invoice or storno reported.")
    operation: Literal["CREATE", "MODIFY", "STORNO"] = Field(description="NAV invoiceOperation.")
    transaction_id: str = Field(min_length=1, description="NAV transactionId of the manageInvoice call.")
    index: int = Field(ge=1, le=100, description="Position of the invoice in that call.")
    warnings: tuple[NavMessage, ...] = Field(default=(), description="WARN and INFO results kept for operators.")
    reported_at: AwareDatetime = Field(description="When the DONE status was read.")


class InvoiceNavReportRejected(Message):
    """NAV rejected the invoice's report (ABORTED or ERROR); it can be corrected and re-sent."""

    message_type: ClassVar[str] = "InvoiceNavReportRejected"

    invoice_number: str = Field(min_length=1, description="Invoice or storno reported.")
    operation: Literal["CREATE", "MODIFY", "STORNO"] = Field(description="NAV invoiceOperation.")
    transaction_id: str | None = Field(default=None, description="NAV transactionId, if the call got one.")
    errors: tuple[NavMessage, ...] = Field(min_length=1, description="Why NAV rejected it.")
    rejected_at: AwareDatetime = Field(description="When the rejection was read.")


__all__ = ["InvoiceNavReportRejected", "InvoiceReportedToNav", "NavMessage"]
