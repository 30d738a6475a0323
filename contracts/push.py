"""What webshop_push wrote to ShopRenter, or could not (M26-M31; order status write-back).

All travel on ``polc.shops.writes.v1`` keyed by shop, which keeps each shop's write log in
order for the explain view and for ops.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from contracts.base import Currency, Message, Money, Quantity
from contracts.common import ShopId, ShopRenterId, Sku, WarehouseId


class ShopStockPushed(Message):
    """The shop now shows this stock for the SKU (M27, M30)."""

    message_type: ClassVar[str] = "ShopStockPushed"

    shop_id: ShopId = Field(description="Shop written to.")
    sku: Sku = Field(description="Product code.")
    shop_product_id: ShopRenterId = Field(description="ShopRenter id of the product.")
    quantity: Quantity = Field(ge=0, description="Value written: max(0, free - safety buffer).")
    warehouse_id: WarehouseId = Field(description="Warehouse feeding the shop.")
    stock_version: int = Field(ge=1, description="StockChanged version the value came from.")
    free: Quantity = Field(description="Free stock of that version.")
    safety_buffer: Quantity = Field(ge=0, description="Per-shop buffer subtracted.")
    sync_watermark: AwareDatetime | None = Field(
        default=None, description="Ingest watermark the push waited for (the no-oversell fence)."
    )
    pushed_at: AwareDatetime = Field(description="When the shop confirmed the write.")


class ShopPricePushed(Message):
    """The shop now shows this normal net price for the SKU (M31)."""

    message_type: ClassVar[str] = "ShopPricePushed"

    shop_id: ShopId = Field(description="Shop written to.")
    sku: Sku = Field(description="Product code.")
    shop_product_id: ShopRenterId = Field(description="ShopRenter id of the product.")
    net_price: Money = Field(description="Normal net price written.")
    currency: Currency = Field(default="HUF", description="Currency of the price.")
    price_version: int = Field(ge=1, description="ProductPriceChanged version the value came from.")
    pushed_at: AwareDatetime = Field(description="When the shop confirmed the write.")


class ShopProductCreated(Message):
    """webshop_push created a back-office product in the shop with its SKU (M29)."""

    message_type: ClassVar[str] = "ShopProductCreated"

    shop_id: ShopId = Field(description="Shop written to.")
    sku: Sku = Field(description="Product code.")
    shop_product_id: ShopRenterId = Field(description="ShopRenter id the shop gave the new product.")
    created_at: AwareDatetime = Field(description="When the shop confirmed the creation.")


class ShopOrderStatusWritten(Message):
    """webshop_push set a shop order's status (and invoice number) after a back-office event."""

    message_type: ClassVar[str] = "ShopOrderStatusWritten"

    shop_id: ShopId = Field(description="Shop written to.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the order.")
    trigger: Literal["invoiced", "packed", "shipped", "cancelled"] = Field(description="Back-office event mapped.")
    shop_status_id: ShopRenterId = Field(description="ShopRenter order status written.")
    status_name: str = Field(description='Name of that status, e.g. "Számlázva".')
    invoice_number: str | None = Field(default=None, description="Invoice number written to the order, if any.")
    status_changed: bool | None = Field(
        default=None,
        description="True when this write set the status; false when it only wrote the invoice number and the "
                    "order kept the (later) status named here.",
    )
    written_at: AwareDatetime = Field(description="When the shop confirmed the write.")


class ShopWriteFailed(Message):
    """A write to the shop failed for good or needs a person; nothing is skipped silently."""

    message_type: ClassVar[str] = "ShopWriteFailed"

    shop_id: ShopId = Field(description="Shop written to.")
    write: Literal["stock", "price", "create_product", "order_status"] = Field(description="Kind of write.")
    sku: Sku | None = Field(default=None, description="Product code, for product writes.")
    shop_order_id: ShopRenterId | None = Field(default=None, description="ShopRenter order id, for order status writes.")
    error: Literal["sku_not_in_shop", "rejected", "auth", "unavailable", "other"] = Field(
        description="sku_not_in_shop: the shop lacks the SKU and the product is not meant for it."
    )
    http_status: int | None = Field(default=None, description="HTTP status of the last answer, if any.")
    detail: str = Field(min_length=1, max_length=2000, description="Explanation for operators.")
    attempts: int = Field(ge=1, description="Attempts made.")
    will_retry: bool = Field(description="True when the write stays pending and is retried.")
    failed_at: AwareDatetime = Field(description="When the last attempt failed.")


__all__ = ["ShopOrderStatusWritten", "ShopPricePushed", "ShopProductCreated", "ShopStockPushed", "ShopWriteFailed"]
