"""Back-office and shop reference data an order is matched against."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from contracts.common import VatKey
from services.order_ingest.text import normalise


@dataclass(frozen=True)
class ShopProduct:
    """A product as met in one shop, with its data downloaded (M10)."""

    sku: str
    shop_product_id: str | None
    name: str
    unit: str
    vat_short_name: str
    net_price: Decimal
    is_stock_item: bool


@dataclass(frozen=True)
class ServiceItem:
    """A back-office non-stock item that service lines are matched to by name (M12)."""

    service_id: str
    name: str
    kind: str
    vat_short_name: str | None = None


@dataclass
class Reference:
    """Everything an order is matched against, loaded before it is planned."""

    vat_keys: dict[str, VatKey]
    products: dict[str, ShopProduct] = field(default_factory=dict)
    unreadable_products: dict[str, str] = field(default_factory=dict)
    """SKU -> why the shop's product data could not be read."""
    service_items: dict[str, ServiceItem] = field(default_factory=dict)
    """Keyed by the normalised name."""
    statuses: dict[str, str] = field(default_factory=dict)
    """Shop status id -> name."""
    cancel_status_names: frozenset[str] = frozenset()
    """Normalised names of the statuses that mean cancelled."""
    paid_status_names: frozenset[str] = frozenset()
    """Normalised names of the statuses that mean paid."""
    tolerance: Decimal = Decimal("1.00")
    max_line_quantity: Decimal = Decimal("10000")
    """The largest plausible quantity of one order line."""
    missing_customers: frozenset[str] = frozenset()
    """Shop customer ids orders link to but the shop answered "not found" for."""

    def service(self, name: str) -> ServiceItem | None:
        return self.service_items.get(normalise(name))

    def is_cancel_status(self, name: str) -> bool:
        return normalise(name) in self.cancel_status_names

    def is_paid_status(self, name: str) -> bool:
        return normalise(name) in self.paid_status_names


def vat_key_from_row(row) -> VatKey:  # noqa: ANN001 - a mapping with the vat_keys columns
    return VatKey(short_name=row["short_name"], category=row["category"],
                  rate=row["rate"].normalize() if row["rate"] is not None else None,
                  nav_case=row["nav_case"], exemption_reason=row["exemption_reason"])
