"""Orders downloaded from ShopRenter (M1, M4, M7-M18) and what happens to them in the shop.

order_ingest publishes these on ``polc.orders.v1`` (and review events on
``polc.orders.review.v1``), keyed ``shop_id:shop_order_id`` so one order's events stay in order.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AwareDatetime, Field

from contracts.base import Currency, Message, Money, Quantity
from contracts.common import Customer, Part, ShopId, ShopRenterId, Sku, Unit, VatKey, WarehouseId


class _LineBase(Part):
    line_no: int = Field(ge=1, description="Position of the line on the order document, from 1.")
    name: str = Field(min_length=1, max_length=255, description="Line text as shown in the shop, HTML removed.")
    quantity: Quantity = Field(description="Ordered quantity; 1 for service and coupon lines.")
    unit: Unit = Field(description='Unit of measure, e.g. "db".')
    net_unit_price: Money = Field(description="Net unit price in the order currency; negative for discounts.")
    gross_unit_price: Money = Field(description="Gross unit price in the order currency; negative for discounts.")
    vat: VatKey = Field(description="VAT key matched by the shop's VAT short name (M13).")
    net_amount: Money = Field(description="Net line total as computed by the shop.")
    gross_amount: Money = Field(description="Gross line total as computed by the shop.")


class ProductLine(_LineBase):
    """A stock product, matched by SKU (M11); the ledger reserves its quantity (M3)."""

    kind: Literal["product"] = Field(default="product", description="Line kind: a stock product.")
    sku: Sku = Field(description="Product code the line was matched on.")
    shop_product_id: ShopRenterId | None = Field(
        default=None, description="ShopRenter id of the product, when the shop still has it."
    )
    is_stock_item: bool = Field(default=True, description="False for catalog items that are not kept in stock.")


class ServiceLine(_LineBase):
    """A non-stock line such as a shipping or payment fee, matched by name (M12)."""

    kind: Literal["service"] = Field(default="service", description="Line kind: a non-stock service.")
    service_kind: Literal["shipping_fee", "payment_fee", "other"] = Field(description="What the service is for.")
    service_id: str = Field(min_length=1, description="Back-office service item the line was matched to by name.")


class CouponLine(_LineBase):
    """A coupon discount downloaded from the shop (M18), with its own VAT key."""

    kind: Literal["coupon"] = Field(default="coupon", description="Line kind: a coupon discount (negative amounts).")
    coupon_code: str = Field(min_length=1, max_length=64, description="Coupon code the customer used.")


OrderLine = Annotated[ProductLine | ServiceLine | CouponLine, Field(discriminator="kind")]


class PaymentMethod(Part):
    """Payment method as downloaded from the shop (M14)."""

    code: str = Field(min_length=1, max_length=64, description='ShopRenter paymentMethodCode, e.g. "COD", "BANK_TRANSFER".')
    name: str = Field(min_length=1, max_length=200, description='Name shown to the customer, e.g. "Utánvét".')


class ShippingMethod(Part):
    """Shipping method as downloaded from the shop (M15)."""

    code: str | None = Field(default=None, max_length=64, description='Shipping extension, e.g. "GLSPARCELPOINT"; null if none.')
    name: str = Field(min_length=1, max_length=200, description='Name shown to the customer, e.g. "GLS házhozszállítás".')
    pickup_point_id: str | None = Field(default=None, max_length=100, description="Chosen parcel point, if any.")


class ShopTotal(Part):
    """One row of the shop's order totals, kept as the shop computed it."""

    type: str = Field(min_length=1, max_length=40, description='ShopRenter total type, e.g. "SUB_TOTAL", "SHIPPING", "TOTAL".')
    name: str = Field(max_length=200, description="Label of the row in the shop.")
    value: Money = Field(description="Amount of the row in the order currency.")


class OrderStatus(Part):
    """An order status in the shop."""

    shop_status_id: ShopRenterId = Field(description="ShopRenter id of the order status.")
    name: str = Field(max_length=200, description='Status name in the shop\'s language, e.g. "Függőben".')


class OrderReceived(Message):
    """A shop order was ingested and filed as an order document in the back office (M1)."""

    message_type: ClassVar[str] = "OrderReceived"

    shop_id: ShopId = Field(description="Shop the order came from.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the order.")
    shop_order_code: str = Field(min_length=1, max_length=64, description="Order code shown to the customer in the shop.")
    shop_inner_id: int = Field(ge=1, description="ShopRenter numeric innerId, used for gap detection.")
    order_number: str = Field(min_length=1, max_length=64, description="Back-office order number in the shop's series (M4).")
    placed_at: AwareDatetime = Field(description="When the customer placed the order in the shop.")
    status: OrderStatus = Field(description="Shop status at ingest time.")
    customer: Customer = Field(description="Ordering customer, matched or newly created (M7-M9).")
    lines: tuple[OrderLine, ...] = Field(min_length=1, description="Product, service and coupon lines in shop order.")
    payment_method: PaymentMethod = Field(description="Payment method (M14).")
    shipping_method: ShippingMethod = Field(description="Shipping method (M15).")
    is_paid: bool = Field(default=False, description="True when the shop reports the order as paid (online payment done).")
    header_note: str = Field(max_length=1000, description="Header note of the order document; holds the shop order code (M16).")
    internal_note: str | None = Field(
        default=None, max_length=5000, description="Internal note: the customer's order comment as plain text (M17)."
    )
    currency: Currency = Field(description='Order currency, e.g. "HUF".')
    net_total: Money = Field(description="Net total of the lines.")
    vat_total: Money = Field(description="VAT total of the lines.")
    gross_total: Money = Field(description="The shop's TOTAL; equals the lines' gross sum within the stated tolerance.")
    shop_totals: tuple[ShopTotal, ...] = Field(description="Order totals exactly as the shop listed them.")
    warehouse_id: WarehouseId = Field(description="Warehouse the order's stock lines reserve from (M5).")


class OrderStatusChanged(Message):
    """The shop changed the status of an ingested, still open order."""

    message_type: ClassVar[str] = "OrderStatusChanged"

    shop_id: ShopId = Field(description="Shop the order came from.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the order.")
    order_number: str = Field(min_length=1, description="Back-office order number.")
    previous_status: OrderStatus = Field(description="Status before the change, as last seen.")
    status: OrderStatus = Field(description="New status in the shop.")
    changed_at: AwareDatetime = Field(description="When the shop recorded the change (its updatedAt).")


class OrderCancelled(Message):
    """An open order was cancelled; its reservation is to be released."""

    message_type: ClassVar[str] = "OrderCancelled"

    shop_id: ShopId = Field(description="Shop the order came from.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the order.")
    order_number: str = Field(min_length=1, description="Back-office order number.")
    warehouse_id: WarehouseId = Field(description="Warehouse whose reservation is released.")
    source: Literal["shop", "back_office"] = Field(description="Whether the shop or a back-office user cancelled it.")
    reason: str | None = Field(default=None, max_length=500, description="Status name or operator's reason.")
    cancelled_at: AwareDatetime = Field(description="When the cancellation happened.")


ReviewReason = Literal[
    "unknown_vat_name",
    "ambiguous_customer",
    "unknown_service",
    "malformed_data",
    "totals_mismatch",
    "unknown_product",
    "other",
]


class OrderQuarantined(Message):
    """An order could not be imported and waits in the review queue with its reason and raw data."""

    message_type: ClassVar[str] = "OrderQuarantined"

    shop_id: ShopId = Field(description="Shop the order came from.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the order.")
    shop_order_code: str | None = Field(default=None, description="Order code shown in the shop, when readable.")
    reason: ReviewReason = Field(description="Why the order is held.")
    detail: str = Field(min_length=1, max_length=2000, description="Explanation for operators, e.g. the totals difference.")
    difference: Money | None = Field(
        default=None, description="For totals_mismatch: shop TOTAL minus recomputed gross total."
    )
    raw: dict[str, Any] = Field(description="The order as downloaded from ShopRenter, for diagnosis.")
    quarantined_at: AwareDatetime = Field(description="When the order entered the review queue.")


class OrderReviewResolved(Message):
    """A held order left the review queue: imported after the cause was fixed, or dismissed."""

    message_type: ClassVar[str] = "OrderReviewResolved"

    shop_id: ShopId = Field(description="Shop the order came from.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the order.")
    outcome: Literal["imported", "dismissed"] = Field(description="imported: OrderReceived follows; dismissed: never imported.")
    resolved_by: str = Field(min_length=1, description='"auto" when retried automatically, otherwise the operator.')
    note: str | None = Field(default=None, max_length=2000, description="Operator's note.")
    resolved_at: AwareDatetime = Field(description="When the order left the queue.")


__all__ = [
    "CouponLine",
    "OrderCancelled",
    "OrderLine",
    "OrderQuarantined",
    "OrderReceived",
    "OrderReviewResolved",
    "OrderStatus",
    "OrderStatusChanged",
    "PaymentMethod",
    "ProductLine",
    "ReviewReason",
    "ServiceLine",
    "ShippingMethod",
    "ShopTotal",
]
