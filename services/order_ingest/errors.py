"""The order_ingest exception family."""

from __future__ import annotations

from decimal import Decimal

from polc.runtime.errors import PolcError


class IngestError(PolcError):
    """Base of the errors order_ingest raises on purpose."""


class NeedsReview(IngestError):
    """An order cannot be imported as it is; it waits in the review queue with this reason."""

    def __init__(self, reason: str, detail: str, difference: Decimal | None = None) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.difference = difference


class AlreadyIngested(IngestError):
    """Another poll filed this order first; the transaction is rolled back, nothing is lost."""


class UnknownShop(IngestError):
    """No shop with that id is configured."""
