"""Typed views of ShopRenter resources and the field types that absorb the API's quirks."""

from polc.shoprenter.models.resources import (
    Address,
    Coupon,
    Customer,
    Order,
    OrderExtend,
    OrderProduct,
    OrderStatus,
    OrderStatusDescription,
    OrderTotal,
    PaymentMode,
    Product,
    ProductDescription,
    ShippingMode,
    SrModel,
    TaxClass,
    TaxRate,
)
from polc.shoprenter.models.types import SHOP_TZ, describe_id, id_from_href

__all__ = [
    "SHOP_TZ", "Address", "Coupon", "Customer", "Order", "OrderExtend", "OrderProduct",
    "OrderStatus", "OrderStatusDescription", "OrderTotal", "PaymentMode", "Product",
    "ProductDescription", "ShippingMode", "SrModel", "TaxClass", "TaxRate", "describe_id",
    "id_from_href",
]
