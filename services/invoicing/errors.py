"""The invoicing service's exception family."""

from __future__ import annotations

from typing import Literal

from polc.runtime.errors import PolcError

FailureReason = Literal["missing_buyer_data", "order_not_open", "already_invoiced", "invalid_vat", "other"]


class InvoicingError(PolcError):
    """An order cannot be invoiced as it is; the reason class goes into OrderInvoicingFailed."""

    def __init__(self, reason: FailureReason, detail: str) -> None:
        super().__init__(detail)
        self.reason: FailureReason = reason
        self.detail = detail


class CannotCancel(PolcError):
    """A storno was asked for an invoice that does not exist or is already cancelled."""
