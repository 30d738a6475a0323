"""Typed views of the ShopRenter resources polc reads.

Field names are snake_case versions of the API's camelCase. Unknown fields are ignored
(customer password hashes, for one, are never kept). Links are reduced to their href;
`*_id` properties give the opaque id at the end of a link.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

from polc.shoprenter.models.types import (
    SrBool,
    SrDate,
    SrDateTime,
    SrDecimal,
    SrInt,
    SrLink,
    SrText,
    id_from_href,
    is_empty,
)


def _as_list(value: Any) -> Any:
    """Embedded arrays arrive as a list, a lone object, a link or an empty marker."""
    if is_empty(value):
        return []
    if isinstance(value, dict):
        return [] if set(value) <= {"href"} else [value]
    return value


class SrModel(BaseModel):
    """Base of every resource view: camelCase aliases, tolerant of unknown fields."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    id: str | None = None
    href: SrText = None


def _embedded(model: type) -> Any:
    return Annotated[list[model], BeforeValidator(_as_list)]  # type: ignore[valid-type]


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

    order_products: _embedded(OrderProduct) = []  # type: ignore[assignment,valid-type]
    order_totals: _embedded(OrderTotal) = []  # type: ignore[assignment,valid-type]
    coupon: Annotated[EmbeddedCoupon | None, BeforeValidator(lambda v: None if is_empty(v) else v)] = None
    currency: Annotated[EmbeddedCurrency | None, BeforeValidator(lambda v: None if is_empty(v) else v)] = None  # type: ignore[assignment]
    shipping_mode: Annotated[  # type: ignore[assignment]
        EmbeddedShippingMode | None, BeforeValidator(lambda v: None if is_empty(v) else v)
    ] = None


class Customer(SrModel):
    """A registered customer."""

    inner_id: SrInt = None
    firstname: SrText = None
    lastname: SrText = None
    email: SrText = None
    telephone: SrText = None
    status: SrBool = None
    newsletter: SrBool = None
    date_created: SrDateTime = None
    date_updated: SrDateTime = None
    default_address: SrLink = None
    customer_group: SrLink = None
    addresses: SrLink = None


class Address(SrModel):
    """A customer's address; business addresses carry a company and tax number."""

    inner_id: SrInt = None
    firstname: SrText = None
    lastname: SrText = None
    company: SrText = None
    tax_number: SrText = None
    type: SrText = None
    address1: SrText = None
    address2: SrText = None
    postcode: SrText = None
    city: SrText = None
    telephone: SrText = None
    customer: SrLink = None
    country: SrLink = None


class Product(SrModel):
    """A product as `/products` returns it. `price` is net."""

    inner_id: SrInt = None
    sku: SrText = None
    model_number: SrText = None
    gtin: SrText = None
    price: SrDecimal = None
    cost: SrDecimal = None
    stock1: SrDecimal = None
    stock2: SrDecimal = None
    stock3: SrDecimal = None
    stock4: SrDecimal = None
    subtract_stock: SrBool = None
    status: SrInt = None
    orderable: SrBool = None
    available_date: SrDate = None
    date_created: SrDateTime = None
    date_updated: SrDateTime = None
    tax_class: SrLink = None
    product_descriptions: SrLink = None

    @property
    def tax_class_id(self) -> str | None:
        return id_from_href(self.tax_class)


class ProductDescription(SrModel):
    """A product's name and texts in one language."""

    name: SrText = None
    short_description: SrText = None
    description: SrText = None
    product: SrLink = None
    language: SrLink = None


class TaxClass(SrModel):
    """A VAT class, e.g. "27%" or "AAM"."""

    name: SrText = None
    description: SrText = None
    tax_rates: SrLink = None


class TaxRate(SrModel):
    """The rate of a tax class in one geo zone."""

    priority: SrInt = None
    rate: SrDecimal = None
    description: SrText = None
    tax_class: SrLink = None

    @property
    def tax_class_id(self) -> str | None:
        return id_from_href(self.tax_class)


class PaymentDescription(SrModel):
    name: SrText = None
    description: SrText = None
    language: SrLink = None


class PaymentMode(SrModel):
    """A payment method; its name lives in the per-language descriptions."""

    inner_id: SrInt = None
    code: SrText = None
    status: SrBool = None
    sort_order: SrInt = None
    payment_description: _embedded(PaymentDescription) = []  # type: ignore[valid-type]

    @property
    def name(self) -> str | None:
        return next((d.name for d in self.payment_description if d.name), None)


class ShippingModeDescription(SrModel):
    name: SrText = None
    description: SrText = None
    language: SrLink = None


class ShippingLane(SrModel):
    cart_minimum_gross: SrDecimal = None
    cart_maximum_gross: SrDecimal = None
    cost_net: SrDecimal = None


class ShippingMode(SrModel):
    """A shipping method from `/shippingModeExtend`, with its names and cost lanes."""

    inner_id: SrInt = None
    enabled: SrBool = None
    extension: SrText = None
    shipping_type: SrText = None
    cost_calculation_by: SrText = None
    free_shipping_from: SrDecimal = None
    tax_class: SrLink = None
    shipping_mode_descriptions: _embedded(ShippingModeDescription) = []  # type: ignore[valid-type]
    shipping_lanes: _embedded(ShippingLane) = []  # type: ignore[valid-type]

    @property
    def name(self) -> str | None:
        return next((d.name for d in self.shipping_mode_descriptions if d.name), None)


class Coupon(SrModel):
    """A discount coupon."""

    code: SrText = None
    discount_type: SrText = None  # PERCENT or FIXED
    percent_discount_value: SrDecimal = None
    fix_discount_value: SrDecimal = None
    free_shipping: SrBool = None
    login_required: SrBool = None
    date_start: SrDate = None
    date_end: SrDate = None
    status: SrBool = None
    tax_class: SrLink = None


class OrderStatus(SrModel):
    """An order status; names are in `/orderStatusDescriptions?orderStatusId=`."""

    order_status_descriptions: SrLink = None


class OrderStatusDescription(SrModel):
    name: SrText = None
    color: SrText = None
    order_status: SrLink = None
    language: SrLink = None
