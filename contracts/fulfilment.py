"""Fulfilment steps recorded in the back office (M22), mapped to shop order statuses.

Travel on ``polc.fulfilment.v1`` keyed ``shop_id:shop_order_id``, published by stock_ledger.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from contracts.base import Message
from contracts.common import ShopId, ShopRenterId, WarehouseId


class OrderPacked(Message):
    """An order was packed from a packing summary."""

    message_type: ClassVar[str] = "OrderPacked"

    shop_id: ShopId = Field(description="Shop of the order.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the order.")
    order_number: str = Field(min_length=1, description="Back-office order number.")
    warehouse_id: WarehouseId = Field(description="Warehouse it was packed in.")
    packed_by: str = Field(min_length=1, description="User who packed it.")
    packed_at: AwareDatetime = Field(description="When it was marked packed.")


class OrderShipped(Message):
    """A packed order was handed to the carrier."""

    message_type: ClassVar[str] = "OrderShipped"

    shop_id: ShopId = Field(description="Shop of the order.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the order.")
    order_number: str = Field(min_length=1, description="Back-office order number.")
    carrier: str | None = Field(default=None, max_length=100, description='Carrier, e.g. "GLS".')
    tracking_number: str | None = Field(default=None, max_length=100, description="Parcel tracking number.")
    shipped_at: AwareDatetime = Field(description="When it was handed over.")


__all__ = ["OrderPacked", "OrderShipped"]
