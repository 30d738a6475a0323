"""Typed, resource-level calls used by order ingest and the webshop push."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from polc.shoprenter.batch import BatchRequest, BatchResult, run_batch
from polc.shoprenter.client import ShopRenterClient
from polc.shoprenter.errors import ShopRenterNotFound
from polc.shoprenter.models import (
    SHOP_TZ,
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
    id_from_href,
)

M = TypeVar("M", bound=SrModel)


class ProductUpdate(BaseModel):
    """New net price and/or primary stock for one product (None leaves it unchanged)."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    price: Decimal | None = None
    stock1: Decimal | None = Field(None, description="Quantity in the primary stock.")

    def body(self) -> dict[str, Any]:
        """The partial body ShopRenter expects, e.g. {"price": 2760, "stock1": 12}."""
        body: dict[str, Any] = {}
        if self.price is not None:
            body["price"] = json_number(self.price)
        if self.stock1 is not None:
            body["stock1"] = json_number(self.stock1)
        return body


def json_number(value: Decimal) -> int | float:
    """Numbers go out as JSON numbers, like the documented examples."""
    return int(value) if value == value.to_integral_value() else float(value)


def shop_time(moment: datetime) -> str:
    """A filter timestamp in the shop's own zone-less format (YYYY-MM-DDTHH:MM:SS)."""
    local = moment.astimezone(SHOP_TZ) if moment.tzinfo else moment
    return local.strftime("%Y-%m-%dT%H:%M:%S")


class ShopRenterApi:
    """The calls polc makes, returning typed models. Wraps one `ShopRenterClient`."""

    def __init__(self, client: ShopRenterClient) -> None:
        self.client = client

    def __repr__(self) -> str:
        return f"ShopRenterApi({self.client!r})"

    async def _iter(self, model: type[M], resource: str, params: dict[str, Any] | None = None) -> AsyncIterator[M]:
        async for item in self.client.iter_collection(resource, params):
            yield model.model_validate(item)

    async def _list(self, model: type[M], resource: str, params: dict[str, Any] | None = None) -> list[M]:
        return [item async for item in self._iter(model, resource, params)]

    async def _one(self, model: type[M], resource: str, resource_id: str) -> M:
        return model.model_validate(await self.client.get(f"{resource}/{quote(resource_id, safe='=')}"))

    # --- orders -------------------------------------------------------------------------

    def iter_orders(
        self, *, updated_at_min: datetime | None = None, inner_id_min: int | None = None, extend: bool = False
    ) -> AsyncIterator[Order] | AsyncIterator[OrderExtend]:
        """Orders changed since `updated_at_min` and/or numbered from `inner_id_min`, oldest first.

        `extend=True` reads `/orderExtend`, which embeds lines, totals, coupon and currency.
        """
        params: dict[str, Any] = {}
        if updated_at_min is not None:
            params["updatedAtMin"] = shop_time(updated_at_min)
        if inner_id_min is not None:
            params["innerIdMin"] = inner_id_min
        if extend:
            return self._iter(OrderExtend, "orderExtend", params)
        return self._iter(Order, "orders", params)

    async def get_order(self, order_id: str) -> Order:
        return await self._one(Order, "orders", order_id)

    async def get_order_extend(self, order_id: str) -> OrderExtend:
        return await self._one(OrderExtend, "orderExtend", order_id)

    async def list_order_products(self, order_id: str) -> list[OrderProduct]:
        return await self._list(OrderProduct, "orderProducts", {"orderId": order_id})

    async def list_order_totals(self, order_id: str) -> list[OrderTotal]:
        return await self._list(OrderTotal, "orderTotals", {"orderId": order_id})

    async def list_order_statuses(self) -> list[OrderStatus]:
        return await self._list(OrderStatus, "orderStatuses")

    async def list_order_status_descriptions(self, order_status_id: str | None = None) -> list[OrderStatusDescription]:
        params = {"orderStatusId": order_status_id} if order_status_id else None
        return await self._list(OrderStatusDescription, "orderStatusDescriptions", params)

    # --- customers ----------------------------------------------------------------------

    async def get_customer(self, customer_id: str) -> Customer:
        return await self._one(Customer, "customers", customer_id)

    async def get_address(self, address_id: str) -> Address:
        return await self._one(Address, "addresses", address_id)

    async def list_addresses(self, customer_id: str) -> list[Address]:
        return await self._list(Address, "addresses", {"customerId": customer_id})

    # --- catalogue ----------------------------------------------------------------------

    def iter_products(self) -> AsyncIterator[Product]:
        return self._iter(Product, "products")

    async def get_product(self, product_id: str) -> Product:
        return await self._one(Product, "products", product_id)

    async def find_product_by_sku(self, sku: str) -> Product | None:
        """The product with this SKU, or None."""
        found = await self._list(Product, "products", {"sku": sku})
        return next((p for p in found if p.sku == sku), None)

    async def list_product_descriptions(self, product_id: str) -> list[ProductDescription]:
        return await self._list(ProductDescription, "productDescriptions", {"productId": product_id})

    async def list_tax_classes(self) -> list[TaxClass]:
        return await self._list(TaxClass, "taxClasses")

    async def list_tax_rates(self, tax_class_id: str | None = None) -> list[TaxRate]:
        return await self._list(TaxRate, "taxRates", {"taxClassId": tax_class_id} if tax_class_id else None)

    async def list_payment_modes(self) -> list[PaymentMode]:
        return await self._list(PaymentMode, "paymentModes")

    async def list_shipping_modes(self) -> list[ShippingMode]:
        return await self._list(ShippingMode, "shippingModeExtend")

    async def list_coupons(self, code: str | None = None) -> list[Coupon]:
        return await self._list(Coupon, "coupons", {"code": code} if code else None)

    # --- webshop push -------------------------------------------------------------------

    async def update_product(self, update: ProductUpdate) -> Product:
        """Set a product's net price and/or primary stock."""
        path = f"products/{quote(update.product_id, safe='=')}"
        return Product.model_validate(await self.client.request("PUT", path, json=update.body()))

    async def update_products(self, updates: list[ProductUpdate]) -> BatchResult:
        """Many price/stock updates through the Batch API; check `.failures` of the result."""
        requests = [
            BatchRequest(method="PUT", path=f"products/{quote(u.product_id, safe='=')}", data=u.body())
            for u in updates
        ]
        return await run_batch(self.client, requests)

    async def create_product(
        self,
        sku: str,
        *,
        price: Decimal,
        tax_class_id: str | None = None,
        stock1: Decimal = Decimal(0),
        name: str | None = None,
        language_id: str | None = None,
        active: bool = True,
    ) -> Product:
        """Create a product with this SKU, or complete and return the one that already has it.

        The product is created under an Outer ID derived from the SKU, so repeating the call
        after a lost response updates the same product instead of creating a twin. With a name,
        it is created switched off, gets its name, and only then is switched on: a shopper never
        sees (or buys) a product without a name, and a repeat after a failure in between adds the
        missing name and switches it on.
        """
        named = bool(name and language_id)
        product = await self.find_product_by_sku(sku)
        if product is None:
            body: dict[str, Any] = {
                "sku": sku,
                "price": json_number(price),
                "stock1": json_number(stock1),
                "subtractStock": 1,
                "status": 0 if named or not active else 1,
            }
            if tax_class_id:
                body["taxClass"] = {"id": tax_class_id}
            outer_id = "polc-" + quote(sku, safe="")
            product = Product.model_validate(
                await self.client.request("POST", f"products/{quote(outer_id, safe='')}", json=body, idempotent=True)
            )
        if named and product.id:
            product = await self.complete_product(product, name, language_id, activate=active)
        return product

    async def complete_product(self, product: Product, name: str, language_id: str, *, activate: bool) -> Product:
        """Finish a product polc created: without a name in the language it gets one, and is then
        switched on (when ``activate``). A product that has its name is left as it is."""
        for description in await self.list_product_descriptions(product.id):
            if id_from_href(description.language) == language_id and (description.name or "").strip():
                return product
        await self.client.request(
            "POST", "productDescriptions",
            json={"name": name, "product": {"id": product.id}, "language": {"id": language_id}},
        )
        if activate and product.status != 1:
            product = Product.model_validate(await self.client.request(
                "PUT", f"products/{quote(product.id, safe='=')}", json={"status": 1}))
        return product

    async def run_batch(self, requests: list[BatchRequest]) -> BatchResult:
        """Any other batch of calls."""
        return await run_batch(self.client, requests)


__all__ = ["ProductUpdate", "ShopRenterApi", "ShopRenterNotFound", "json_number", "shop_time"]
