"""Typed views of orders, their lines, totals and statuses."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator

from polc.shoprenter.models.base import SrModel, embedded_list
from polc.shoprenter.models.types import (
    SrBool,
    SrDateTime,
    SrDecimal,
    SrInt,
    SrLink,
    SrText,
    id_from_href,
    is_empty,
)


class OrderProduct(SrModel):
    """One line of an order. There is no quantity field: it is split over stock1..stock4."""

    name: SrText = None
    sku: SrText = None
    model_number: SrText = None
    product_inner_id: SrInt = None
    original_price: SrDecimal = None
    price: SrDecimal = None  # net unit price
    gross_price: SrDecimal = None
    total: SrDecimal = None  # net price x quantity
    tax_rate: SrDecimal = None
    stock1: SrDecimal = None
    stock2: SrDecimal = None
    stock3: SrDecimal = None
    stock4: SrDecimal = None
    subtract_stock: SrBool = None
    date_created: SrDateTime = None
    date_updated: SrDateTime = None
    order: SrLink = None
    product: SrLink = None

    @property
    def quantity(self) -> Decimal:
        """Units ordered: the sum of the quantities taken from each of the four stocks."""
        return sum((s or Decimal(0) for s in (self.stock1, self.stock2, self.stock3, self.stock4)), Decimal(0))

    @property
    def product_id(self) -> str | None:
        """Opaque id of the ordered product, if it still exists."""
        return id_from_href(self.product)


class OrderTotal(SrModel):
    """A summary row of an order: SUB_TOTAL, TAX, SHIPPING, PAYMENT, COUPON, TOTAL, ..."""

    name: SrText = None
    value_text: SrText = None
    value: SrDecimal = None
    sort_order: SrInt = None
    type: SrText = None
    key: SrText = None
    description: SrText = None
    order: SrLink = None


class Order(SrModel):
    """An order header as `/orders` returns it."""

    inner_id: SrInt = None
    invoice_id: SrText = None
    invoice_prefix: SrText = None
    firstname: SrText = None
    lastname: SrText = None
    phone: SrText = None
    email: SrText = None
    tax_number: SrText = None
    comment: SrText = None
    total: SrDecimal = None  # gross
    value: SrDecimal = None  # currency multiplier
    coupon_tax_rate: SrDecimal = None
    date_created: SrDateTime = None
    date_updated: SrDateTime = None
    shipping_firstname: SrText = None
    shipping_lastname: SrText = None
    shipping_company: SrText = None
    shipping_address1: SrText = None
    shipping_address2: SrText = None
    shipping_city: SrText = None
    shipping_postcode: SrText = None
    shipping_country_name: SrText = None
    shipping_method_name: SrText = None
    shipping_method_tax_rate: SrDecimal = None
    shipping_method_tax_name: SrText = None
    shipping_method_extension: SrText = None
    payment_firstname: SrText = None
    payment_lastname: SrText = None
    payment_company: SrText = None
    payment_address1: SrText = None
    payment_address2: SrText = None
    payment_city: SrText = None
    payment_postcode: SrText = None
    payment_country_name: SrText = None
    payment_method_name: SrText = None
    payment_method_code: SrText = None
    payment_method_tax_rate: SrDecimal = None
    customer: SrLink = None
    customer_group: SrLink = None
    order_status: SrLink = None
    currency: SrLink = None
    shipping_mode: SrLink = None
    order_products: SrLink = None
    order_totals: SrLink = None

    @property
    def customer_id(self) -> str | None:
        """The registered customer's id; None for guest orders."""
        return id_from_href(self.customer)

    @property
    def order_status_id(self) -> str | None:
        """The status resource id; None means the order was never completed."""
        return id_from_href(self.order_status)


class EmbeddedCurrency(SrModel):
    code: SrText = None
    value: SrDecimal = None


class EmbeddedCoupon(SrModel):
    code: SrText = None
    discount_type: SrText = None


class EmbeddedShippingMode(SrModel):
    inner_id: SrInt = None
    shipping_type: SrText = None
    extension: SrText = None


class OrderExtend(Order):
    """An order with its lines, totals, coupon, currency and shipping mode embedded."""

    order_products: embedded_list(OrderProduct) = []  # type: ignore[assignment,valid-type]
    order_totals: embedded_list(OrderTotal) = []  # type: ignore[assignment,valid-type]
    coupon: Annotated[EmbeddedCoupon | None, BeforeValidator(lambda v: None if is_empty(v) else v)] = None
    currency: Annotated[EmbeddedCurrency | None, BeforeValidator(lambda v: None if is_empty(v) else v)] = None  # type: ignore[assignment]
    shipping_mode: Annotated[  # type: ignore[assignment]
        EmbeddedShippingMode | None, BeforeValidator(lambda v: None if is_empty(v) else v)
    ] = None


class OrderStatus(SrModel):
    """An order status; names are in `/orderStatusDescriptions?orderStatusId=`."""

    order_status_descriptions: SrLink = None


class OrderStatusDescription(SrModel):
    name: SrText = None
    color: SrText = None
    order_status: SrLink = None
    language: SrLink = None
