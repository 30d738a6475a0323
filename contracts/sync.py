"""Shop synchronisation: the hand-started sync (M20) and the outcome of every poll (M19).

``SyncRequested`` is also the fence webshop_push uses before pushing stock: it asks for a poll
and waits for a ``SyncCompleted`` with the same ``request_id`` whose watermark covers the moment
it asked, so no shop-side order is overwritten before the ledger has seen it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from contracts.base import Message
from contracts.common import ShopId, ShopRenterId


class SyncRequested(Message):
    """Poll a shop's orders now instead of waiting for the next scheduled run (M20)."""

    message_type: ClassVar[str] = "SyncRequested"

    shop_id: ShopId = Field(description="Shop to poll.")
    request_id: str = Field(min_length=1, max_length=100, description="Caller's id, echoed in SyncCompleted/ShopSyncFailed.")
    requested_by: str = Field(min_length=1, max_length=100, description='Who asked: "cli", "http", "webshop_push", a user.')
    not_before: AwareDatetime | None = Field(
        default=None,
        description="Orders up to this moment must be covered; a poll already covering it may answer at once.",
    )


class SyncCompleted(Message):
    """A poll of one shop finished; every order updated up to ``watermark`` has been ingested."""

    message_type: ClassVar[str] = "SyncCompleted"

    shop_id: ShopId = Field(description="Shop that was polled.")
    request_id: str | None = Field(default=None, description="The SyncRequested request_id answered; null for scheduled runs.")
    trigger: Literal["schedule", "request"] = Field(description="Whether the poll ran on schedule (M19) or on request (M20).")
    started_at: AwareDatetime = Field(description="When the poll started.")
    finished_at: AwareDatetime = Field(description="When the poll finished.")
    watermark: AwareDatetime = Field(description="All shop orders updated before this moment are ingested.")
    orders_received: int = Field(ge=0, description="New orders published as OrderReceived.")
    orders_changed: int = Field(ge=0, description="Status changes and cancellations published.")
    orders_quarantined: int = Field(ge=0, description="Orders put into the review queue.")
    api_requests: int = Field(ge=0, description="ShopRenter API requests spent on the poll.")
    order_ids: tuple[ShopRenterId, ...] | None = Field(
        default=None,
        description="ShopRenter ids of the orders published as OrderReceived by this poll; null when not reported. "
        "webshop_push waits until the ledger has reserved their stock lines before pushing stock (the fence).",
    )


class ShopSyncFailed(Message):
    """A poll of one shop failed; the cursor did not move and the next poll retries."""

    message_type: ClassVar[str] = "ShopSyncFailed"

    shop_id: ShopId = Field(description="Shop that was polled.")
    request_id: str | None = Field(default=None, description="The SyncRequested request_id answered; null for scheduled runs.")
    trigger: Literal["schedule", "request"] = Field(description="Whether the poll ran on schedule or on request.")
    error: Literal["auth", "rate_limited", "unavailable", "bad_response", "other"] = Field(description="Class of failure.")
    detail: str = Field(min_length=1, max_length=2000, description="Explanation for operators, credentials removed.")
    failed_at: AwareDatetime = Field(description="When the poll gave up.")
    last_success_at: AwareDatetime | None = Field(default=None, description="End of the last successful poll of this shop.")


__all__ = ["ShopSyncFailed", "SyncCompleted", "SyncRequested"]
