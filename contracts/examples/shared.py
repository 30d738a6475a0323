"""Parts reused by the examples: one Budapest customer, one Szeged seller, Hungarian VAT keys."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

from contracts.common import Address, Customer, Party, VatKey
from contracts.orders import OrderStatus, PaymentMethod

SHOP = "kavepor"
SHOP_ORDER_ID = "b3JkZXItb3JkZXJfaWQ9MTcy"
ORDER_NUMBER = "KP-2025-000172"
INVOICE_NUMBER = "KPSZ-2025-000087"
WAREHOUSE = "BP1"
BATCH = "batch-2025-03-14-01"


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """A moment on the example day, in UTC."""
    return datetime(2025, 3, 14, hour, minute, second, tzinfo=UTC)


VAT_27 = VatKey(short_name="27%", category="PERCENTAGE", rate=D("0.27"))
VAT_5 = VatKey(short_name="5%", category="PERCENTAGE", rate=D("0.05"))

BILLING = Address(
    name="Kovács Éva",
    company="Őrlőház Kft.",
    postcode="1052",
    city="Budapest",
    address_line_1="Váci utca 12.",
    address_line_2="3. emelet 4.",
    country_code="HU",
)
SHIPPING = Address(
    name="Kovács Éva",
    postcode="2000",
    city="Szentendre",
    address_line_1="Fő tér 8.",
    country_code="HU",
)
CUSTOMER = Customer(
    shop_customer_id="Y3VzdG9tZXItY3VzdG9tZXJfaWQ9NDI=",
    customer_id="VEVO-000042",
    name="Kovács Éva",
    email="kovacs.eva@example.hu",
    phone="+36 30 123 4567",
    company="Őrlőház Kft.",
    tax_number="12345678-2-41",
    billing_address=BILLING,
    shipping_address=SHIPPING,
)
SELLER = Party(
    name="Kávépör Kereskedelmi Bt.",
    address=Address(
        name="Kávépör Kereskedelmi Bt.",
        postcode="6720",
        city="Szeged",
        address_line_1="Kárász utca 5.",
        country_code="HU",
    ),
    tax_number="87654321-2-06",
    eu_vat_number="HU87654321",
    vat_status="DOMESTIC",
    email="szamla@kavepor.hu",
)
BUYER = Party(
    name="Őrlőház Kft.",
    address=BILLING,
    tax_number="12345678-2-41",
    vat_status="DOMESTIC",
    email="kovacs.eva@example.hu",
)
COD = PaymentMethod(code="COD", name="Utánvét")
PENDING = OrderStatus(shop_status_id="b3JkZXJTdGF0dXMtb3JkZXJfc3RhdHVzX2lkPTE=", name="Függőben")
PROCESSING = OrderStatus(shop_status_id="b3JkZXJTdGF0dXMtb3JkZXJfc3RhdHVzX2lkPTU=", name="Feldolgozás alatt")
