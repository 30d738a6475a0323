"""Typed views of customers, products, VAT, payment and shipping modes, coupons."""

from __future__ import annotations


from polc.shoprenter.models.base import SrModel, embedded_list
from polc.shoprenter.models.types import (
    SrBool,
    SrDate,
    SrDateTime,
    SrDecimal,
    SrInt,
    SrLink,
    SrText,
    id_from_href,
)


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
    payment_description: embedded_list(PaymentDescription) = []  # type: ignore[valid-type]

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
    shipping_mode_descriptions: embedded_list(ShippingModeDescription) = []  # type: ignore[valid-type]
    shipping_lanes: embedded_list(ShippingLane) = []  # type: ignore[valid-type]

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
