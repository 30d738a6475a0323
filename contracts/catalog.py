"""Products: created or repriced in the back office (M29, M31), discovered in shop orders (M28).

stock_ledger owns the catalog. Commands reach it on ``polc.catalog.commands.v1``; it announces
products and prices on ``polc.catalog.v1`` for webshop_push. order_ingest reports products it
found in a shop on ``polc.catalog.discoveries.v1``. All three are keyed by SKU.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from contracts.base import Currency, Message, Money
from contracts.common import Part, ShopId, ShopRenterId, Sku, Unit, VatKey


class ProductData(Part):
    """Catalog data of a product."""

    name: str = Field(min_length=1, max_length=255, description="Product name.")
    unit: Unit = Field(description='Unit of measure, e.g. "db".')
    vat: VatKey = Field(description="VAT key of the product.")
    net_price: Money = Field(description="Normal net selling price (M31).")
    currency: Currency = Field(default="HUF", description="Currency of the price.")
    is_stock_item: bool = Field(default=True, description="False for services and other non-stock items.")
    minimum_stock: Money | None = Field(default=None, description="Stock level below which to purchase (M25).")
    default_supplier_id: str | None = Field(default=None, description="Default supplier (M25).")
    supplier_item_number: str | None = Field(default=None, max_length=64, description="The default supplier's item number.")
    shop_ids: tuple[ShopId, ...] = Field(default=(), description="Shops the product is meant for; empty means every shop.")


class CreateProduct(Message):
    """Create a product in the back-office catalog (CLI, HTTP, back office)."""

    message_type: ClassVar[str] = "CreateProduct"

    sku: Sku = Field(description="Product code; also the code in every shop (M29).")
    product: ProductData = Field(description="Data of the new product.")
    requested_by: str = Field(min_length=1, description="User or system that asked.")


class ChangeProductPrice(Message):
    """Set a product's normal net selling price."""

    message_type: ClassVar[str] = "ChangeProductPrice"

    sku: Sku = Field(description="Product code.")
    net_price: Money = Field(description="New normal net selling price.")
    currency: Currency = Field(default="HUF", description="Currency of the price.")
    requested_by: str = Field(min_length=1, description="User or system that asked.")


class ProductDiscovered(Message):
    """order_ingest met a SKU in a shop order and downloaded the product's data (M10, M28)."""

    message_type: ClassVar[str] = "ProductDiscovered"

    sku: Sku = Field(description="Product code found in the shop.")
    shop_id: ShopId = Field(description="Shop the product was found in.")
    shop_product_id: ShopRenterId = Field(description="ShopRenter id of the product in that shop.")
    name: str = Field(min_length=1, max_length=255, description="Product name in the shop, HTML removed.")
    unit: Unit = Field(description="Unit of measure.")
    vat: VatKey = Field(description="VAT key matched by the shop's tax class short name.")
    net_price: Money = Field(description="Net price in the shop.")
    currency: Currency = Field(default="HUF", description="Currency of the price.")
    discovered_at: AwareDatetime = Field(description="When the product was downloaded.")


class ProductCreated(Message):
    """A product now exists in the back-office catalog; webshop_push creates it where missing (M29)."""

    message_type: ClassVar[str] = "ProductCreated"

    sku: Sku = Field(description="Product code.")
    product: ProductData = Field(description="Catalog data of the product.")
    origin: ShopId | None = Field(
        default=None, description="Shop the product was discovered in (M28); null when created in the back office."
    )
    created_at: AwareDatetime = Field(description="When the product was created.")


class ProductPriceChanged(Message):
    """A product's normal net price changed in the back office; shops get it as their normal price (M31)."""

    message_type: ClassVar[str] = "ProductPriceChanged"

    sku: Sku = Field(description="Product code.")
    net_price: Money = Field(description="New normal net price.")
    gross_price: Money = Field(description="New normal gross price at the product's VAT rate, for display.")
    previous_net_price: Money | None = Field(default=None, description="Net price before the change.")
    currency: Currency = Field(default="HUF", description="Currency of the price.")
    price_version: int = Field(ge=1, description="Grows with every price change of the SKU; older versions never win.")
    changed_at: AwareDatetime = Field(description="When the price changed.")


__all__ = [
    "ChangeProductPrice",
    "CreateProduct",
    "ProductCreated",
    "ProductData",
    "ProductDiscovered",
    "ProductPriceChanged",
]
