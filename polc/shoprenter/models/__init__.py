"""Typed views of ShopRenter resources and the field types that absorb the API's quirks."""

from polc.shoprenter.models.base import SrModel
from polc.shoprenter.models.catalog import (
    Address,
    Coupon,
    Customer,
    PaymentMode,
    Product,
    ProductDescription,
    ShippingMode,
    TaxClass,
    TaxRate,
)
from polc.shoprenter.models.orders import (
    Order,
    OrderExtend,
    OrderProduct,
    OrderStatus,
    OrderStatusDescription,
    OrderTotal,
)
from polc.shoprenter.models.types import SHOP_TZ, describe_id, id_from_href

__all__ = [
    "SHOP_TZ", "Address", "Coupon", "Customer", "Order", "OrderExtend", "OrderProduct",
    "OrderStatus", "OrderStatusDescription", "OrderTotal", "PaymentMode", "Product",
    "ProductDescription", "ShippingMode", "SrModel", "TaxClass", "TaxRate", "describe_id",
    "id_from_href",
]
