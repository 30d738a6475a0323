"""The no-oversell fence: when a shop's stock may be written.

A shop decrements its own stock the moment a customer orders. Until the ledger has reserved
that order, the ledger's free stock is too high for that shop, and writing it would undo the
shop's decrement. So before writing stock decided at moment ``t0``:

1. order_ingest must have completed a poll of the shop whose watermark is at or after ``t0``
   (every order placed before ``t0`` is then ingested), and
2. for each order that poll reports (``SyncCompleted.order_ids``), the ledger must have
   reserved every stock line, as seen in StockChanged causes this service consumed.

Only then is the value read from the ledger figures and written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class FenceState:
    """Whether the fence is open, and if not what it waits for."""

    open: bool
    watermark: datetime | None
    waiting_for: str


def check(not_before: datetime, syncs: Sequence[Any], orders: Sequence[Any]) -> FenceState:
    """``syncs``: covering polls (watermark, order_ids), earliest first; ``orders``: state of their orders.

    ``orders`` rows carry ``shop_order_id``, ``stock_skus`` (None while OrderReceived has not
    arrived) and ``reserved_skus``.
    """
    if not syncs:
        return FenceState(False, None, f"an order poll with watermark at or after {not_before.isoformat()}")
    watermark = syncs[0]["watermark"]
    for order in orders:
        if order["stock_skus"] is None:
            return FenceState(False, watermark, f"OrderReceived of shop order {order['shop_order_id']}")
        missing = set(order["stock_skus"]) - set(order["reserved_skus"] or ())
        if missing:
            return FenceState(False, watermark, f"the ledger's reservation of order {order['shop_order_id']} "
                                                f"({', '.join(sorted(missing))})")
    return FenceState(True, watermark, "")


def orders_to_check(syncs: Sequence[Any], recent_order_ids: Sequence[str]) -> list[str]:
    """Order ids of the first covering poll and of the polls shortly before it."""
    if not syncs:
        return []
    return sorted(set(syncs[0]["order_ids"] or ()) | set(recent_order_ids))
