"""What a shop-side status change of an ingested order means for the back office."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contracts.base import Message
from contracts.orders import OrderCancelled, OrderStatus, OrderStatusChanged


@dataclass(frozen=True)
class StoredOrder:
    shop_id: str
    shop_order_id: str
    order_number: str
    warehouse_id: str
    status_id: str
    status_name: str
    is_open: bool


def status_change(stored: StoredOrder, status_id: str, status_name: str, *, cancelled: bool,
                  changed_at: datetime) -> tuple[list[Message], bool]:
    """The events for a new shop status, and whether the order stays open.

    Only open orders produce events: a cancellation releases the reservation (OrderCancelled),
    any other change is reported as OrderStatusChanged. A closed order just records the status.
    """
    if status_id == stored.status_id or not status_id:
        return [], stored.is_open
    if not stored.is_open:
        return [], False
    if cancelled:
        return [OrderCancelled(shop_id=stored.shop_id, shop_order_id=stored.shop_order_id,
                               order_number=stored.order_number, warehouse_id=stored.warehouse_id,
                               source="shop", reason=status_name[:500] or None, cancelled_at=changed_at)], False
    return [OrderStatusChanged(
        shop_id=stored.shop_id, shop_order_id=stored.shop_order_id, order_number=stored.order_number,
        previous_status=OrderStatus(shop_status_id=stored.status_id, name=stored.status_name[:200]),
        status=OrderStatus(shop_status_id=status_id, name=status_name[:200]), changed_at=changed_at)], True


def own_status_keeps_open(is_open: bool, *, cancelled: bool) -> bool:
    """A status polc wrote itself publishes nothing; a cancel status it wrote closes the order,
    whose reservation the back-office cancellation already released."""
    return is_open and not cancelled
