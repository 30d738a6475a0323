"""Value objects shared by several flows: identifiers, addresses, parties, VAT keys.

These are parts of messages, not messages: they have no ``message_type`` and never travel alone.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.base import Money, Quantity

#: polc's own name for a configured ShopRenter shop, e.g. ``kavepor``. It never contains ``:``
#: because it is joined with other ids to make record keys.
ShopId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]

#: An id assigned by ShopRenter: opaque URL-safe base64 (``b3JkZXItb3JkZXJfaWQ9MTcy``).
ShopRenterId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_\-=]+$")]

#: Product code, the key products are matched on in every shop and in the ledger (M11).
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^:\s]([^:]*[^:\s])?$")]

#: Back-office warehouse code, e.g. ``BP1``.
WarehouseId = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]

#: An e-mail address; checked loosely, since shops accept what their customers type.
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]

#: Unit of measure as printed on documents ("db", "kg", "doboz").
Unit = Annotated[str, Field(min_length=1, max_length=20)]

#: How NAV Online Számla classifies a VAT key (``VatRateType`` choice in invoiceData.xsd).
VatCategory = Literal[
    "PERCENTAGE",
    "EXEMPTION",
    "OUT_OF_SCOPE",
    "DOMESTIC_REVERSE_CHARGE",
    "MARGIN_SCHEME",
    "NO_VAT_CHARGE",
]


class Part(BaseModel):
    """Base of every value object inside a message: frozen, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class VatKey(Part):
    """A VAT key as the back office knows it, matched by its short name (M13)."""

    short_name: str = Field(min_length=1, max_length=20, description='Short name shown on documents, e.g. "27%", "5%", "AAM".')
    category: VatCategory = Field(description="NAV classification of the key; PERCENTAGE keys carry a rate, the others a case.")
    rate: Money | None = Field(
        default=None, description='VAT rate as a fraction, e.g. "0.27"; null for every category but PERCENTAGE.'
    )
    nav_case: str | None = Field(
        default=None, max_length=50, description='NAV exemption or out-of-scope case, e.g. "AAM", "TAM", "ATK"; null for rates.'
    )
    exemption_reason: str | None = Field(
        default=None, max_length=200, description="Legal reference printed on the invoice for exempt or out-of-scope keys."
    )


class Address(Part):
    """A postal address as entered in the shop."""

    name: str = Field(min_length=1, max_length=200, description="Recipient name (first and last name as one string).")
    company: str | None = Field(default=None, max_length=200, description="Company name on the address, if any.")
    postcode: str = Field(min_length=1, max_length=20, description='Postal code, e.g. "1052".')
    city: str = Field(min_length=1, max_length=100, description="City or town.")
    address_line_1: str = Field(min_length=1, max_length=200, description="Street, house number.")
    address_line_2: str | None = Field(default=None, max_length=200, description="Floor, door, or other address detail.")
    country_code: str = Field(pattern=r"^[A-Z]{2}$", description='ISO 3166-1 alpha-2 country code, e.g. "HU".')


class Customer(Part):
    """Snapshot of the ordering customer as the shop holds it at ingest time (M7-M9)."""

    shop_customer_id: ShopRenterId | None = Field(
        default=None, description="ShopRenter id of a registered customer (matched on it, M9); null for guests."
    )
    customer_id: str = Field(min_length=1, description="Back-office customer id the order was matched to or created for.")
    name: str = Field(min_length=1, max_length=200, description="Customer name; guests are matched by name and e-mail (M8).")
    email: Email = Field(description="E-mail address, trimmed and lower-cased for matching; invoices are sent here.")
    phone: str | None = Field(default=None, max_length=50, description="Phone number as entered.")
    company: str | None = Field(default=None, max_length=200, description="Company name when buying as a business.")
    tax_number: str | None = Field(
        default=None, max_length=30, description='Hungarian tax number ("12345678-2-42") or EU VAT number of a company buyer.'
    )
    billing_address: Address = Field(description="Invoice (payment) address.")
    shipping_address: Address | None = Field(default=None, description="Delivery address; null when the same as billing.")


class OrderRef(Part):
    """Points at one ingested shop order."""

    shop_id: ShopId = Field(description="Shop the order came from.")
    shop_order_id: ShopRenterId = Field(description="ShopRenter id of the order.")


class Party(Part):
    """Seller or buyer as printed on an invoice (Áfa tv. 169 § c-e)."""

    name: str = Field(min_length=1, max_length=200, description="Legal name or, for a private buyer, the person's name.")
    address: Address = Field(description="Registered or billing address.")
    tax_number: str | None = Field(default=None, max_length=30, description="Hungarian tax number; required for a domestic company.")
    eu_vat_number: str | None = Field(default=None, max_length=30, description='Community VAT number, e.g. "HU12345678".')
    vat_status: Literal["PRIVATE_PERSON", "DOMESTIC", "OTHER"] = Field(
        description="NAV customerVatStatus: private person, domestic taxable person, or other (foreign)."
    )
    email: Email | None = Field(default=None, description="E-mail address the invoice is sent to.")


class LineAmounts(Part):
    """Net, VAT and gross amounts of a line or a group of lines."""

    net: Money = Field(description="Net amount.")
    vat: Money = Field(description="VAT amount.")
    gross: Money = Field(description="Gross amount (net + VAT).")


__all__ = [
    "Address",
    "Customer",
    "Email",
    "LineAmounts",
    "OrderRef",
    "Part",
    "Party",
    "Quantity",
    "ShopId",
    "ShopRenterId",
    "Sku",
    "Unit",
    "VatCategory",
    "VatKey",
    "WarehouseId",
]
