"""Seller and buyer as printed on an invoice (Áfa tv. 169 § c-e), and tax number checks."""

from __future__ import annotations

import re
from collections.abc import Mapping

from contracts.common import Address, Customer, Party
from services.invoicing.errors import InvoicingError

_HU_TAX = re.compile(r"^(\d{8})-?([1-5])-?(\d{2})$")
_EU_VAT = re.compile(r"^[A-Z]{2}[0-9A-Z]{2,13}$")
_WEIGHTS = (9, 7, 3, 1, 9, 7, 3, 1)


def hungarian_tax_number(text: str) -> str | None:
    """``text`` as ``xxxxxxxx-y-zz`` if it is a valid Hungarian tax number (format and check digit)."""
    match = _HU_TAX.match(text.strip())
    if not match:
        return None
    core, vat_code, county = match.groups()
    if sum(int(d) * w for d, w in zip(core, _WEIGHTS, strict=True)) % 10:
        return None
    return f"{core}-{vat_code}-{county}"


def buyer_from(customer: Customer) -> Party:
    """The buyer: a private person, a domestic company (tax number required) or a foreign one."""
    address = customer.billing_address
    company = customer.company or address.company
    tax = (customer.tax_number or "").strip()
    if not company and not tax:
        return Party(name=customer.name, address=address, vat_status="PRIVATE_PERSON", email=customer.email)
    name = company or customer.name
    if address.country_code == "HU":
        if not tax:
            raise InvoicingError("missing_buyer_data",
                                 f"company buyer {name!r} has no tax number; it is required for a domestic company")
        normalized = hungarian_tax_number(tax)
        if normalized is None:
            raise InvoicingError("missing_buyer_data",
                                 f"tax number {tax!r} of {name!r} is not a valid Hungarian tax number (xxxxxxxx-y-zz)")
        eu = f"HU{normalized[:8]}" if normalized[9] != "1" else None
        return Party(name=name, address=address, tax_number=normalized, eu_vat_number=eu,
                     vat_status="DOMESTIC", email=customer.email)
    vat_number = tax.replace(" ", "").upper()
    if vat_number and not _EU_VAT.match(vat_number):
        raise InvoicingError("missing_buyer_data", f"VAT number {tax!r} of foreign buyer {name!r} is malformed")
    return Party(name=name, address=address, eu_vat_number=vat_number or None, vat_status="OTHER", email=customer.email)


def seller_from(settings: Mapping[str, object]) -> Party:
    """The seller from settings; its tax number must be valid, or no invoice can be issued."""
    tax = hungarian_tax_number(str(settings["seller_tax_number"]))
    if tax is None:
        raise InvoicingError("other", f"seller tax number {settings['seller_tax_number']!r} is invalid; fix the settings")
    name = str(settings["seller_name"])
    return Party(
        name=name,
        address=Address(name=name, postcode=str(settings["seller_postcode"]), city=str(settings["seller_city"]),
                        address_line_1=str(settings["seller_address"]),
                        country_code=str(settings["seller_country_code"])),
        tax_number=tax,
        eu_vat_number=settings.get("seller_eu_vat_number") or None,
        vat_status="DOMESTIC",
        email=settings.get("seller_email") or None,
    )
