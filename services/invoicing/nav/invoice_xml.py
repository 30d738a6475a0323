"""The NAV ``InvoiceData`` document (invoiceData.xsd v3.0) of an issued invoice or storno. Pure.

It reports exactly what was printed: the stored :class:`InvoiceDocument` is the only input, so a
re-sent report carries the same numbers as the PDF. Polc issues NORMAL invoices in HUF only
(``exchangeRate`` 1, every ``...HUF`` amount equal to the invoice amount). A private buyer is
reported with ``customerVatStatus`` only: NAV refuses a private person's name and address.
A storno repeats every original line negated, numbered from 1, each referring (``lineNumberReference``)
to its line number continuing the original invoice's numbering, with ``lineOperation`` CREATE.
"""

from __future__ import annotations

import re
from decimal import Decimal

from lxml import etree

from contracts.common import Address, Party, VatKey
from contracts.invoices import InvoiceLine, VatSummaryLine
from services.invoicing.building import PHRASE_CASH_ACCOUNTING, InvoiceDocument

DATA_NS = "http://schemas.nav.gov.hu/OSA/3.0/data"
BASE_NS = "http://schemas.nav.gov.hu/OSA/3.0/base"
COMMON_NS = "http://schemas.nav.gov.hu/NTCA/1.0/common"
_NSMAP = {None: DATA_NS, "base": BASE_NS, "common": COMMON_NS}

#: Units printed by the shops and their NAV ``unitOfMeasure``; others are reported as OWN.
UNITS = {
    "db": "PIECE", "darab": "PIECE", "pc": "PIECE", "pcs": "PIECE", "kg": "KILOGRAM", "t": "TON",
    "kwh": "KWH", "nap": "DAY", "óra": "HOUR", "perc": "MINUTE", "hónap": "MONTH", "l": "LITER",
    "liter": "LITER", "km": "KILOMETER", "m3": "CUBIC_METER", "m": "METER", "fm": "LINEAR_METER",
    "karton": "CARTON", "csomag": "PACK",
}

#: Payment method codes of the shops and their NAV ``paymentMethod``; others are OTHER.
PAYMENT_METHODS = {
    "BANK_TRANSFER": "TRANSFER", "TRANSFER": "TRANSFER", "WIRE": "TRANSFER",
    "COD": "CASH", "CASH": "CASH", "CASH_ON_DELIVERY": "CASH",
    "CARD": "CARD", "CREDIT_CARD": "CARD", "BARION": "CARD", "SIMPLEPAY": "CARD", "PAYPAL": "OTHER",
    "VOUCHER": "VOUCHER",
}

_NATURE = {"product": "PRODUCT", "service": "SERVICE", "coupon": "OTHER"}
_TAX_NUMBER = re.compile(r"^(\d{8})-?([1-5])-?(\d{2})$")


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")) + 0, "f")


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _el(parent: etree._Element, name: str, text: object | None = None, ns: str = DATA_NS) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        child.text = text if isinstance(text, str) else str(text)
    return child


def _pair(parent: etree._Element, name: str, first: str, second: str, value: Decimal) -> None:
    """An amount in the invoice currency and in HUF (the same: polc invoices in HUF only)."""
    node = _el(parent, name)
    _el(node, first, _money(value))
    _el(node, second, _money(value))


def _tax_number(parent: etree._Element, name: str, tax_number: str) -> None:
    match = _TAX_NUMBER.match(tax_number.strip())
    if not match:
        raise ValueError(f"not a Hungarian tax number: {tax_number!r}")
    node = _el(parent, name)
    for field, value in zip(("taxpayerId", "vatCode", "countyCode"), match.groups(), strict=True):
        _el(node, field, value, BASE_NS)


def _address(parent: etree._Element, name: str, address: Address) -> None:
    simple = _el(_el(parent, name), "simpleAddress", ns=BASE_NS)
    _el(simple, "countryCode", address.country_code, BASE_NS)
    _el(simple, "postalCode", address.postcode.strip().upper(), BASE_NS)
    _el(simple, "city", address.city.strip(), BASE_NS)
    detail = ", ".join(p.strip() for p in (address.address_line_1, address.address_line_2) if p and p.strip())
    _el(simple, "additionalAddressDetail", detail[:255], BASE_NS)


def _supplier(parent: etree._Element, doc: InvoiceDocument) -> None:
    seller = doc.seller
    info = _el(parent, "supplierInfo")
    _tax_number(info, "supplierTaxNumber", seller.tax_number or "")
    if seller.eu_vat_number:
        _el(info, "communityVatNumber", seller.eu_vat_number)
    _el(info, "supplierName", seller.name[:512])
    _address(info, "supplierAddress", seller.address)
    if doc.bank_account:
        _el(info, "supplierBankAccountNumber", doc.bank_account)
    if any(line.vat_key.nav_case == "AAM" for line in doc.lines):
        _el(info, "individualExemption", "true")


def _customer(parent: etree._Element, buyer: Party) -> None:
    info = _el(parent, "customerInfo")
    _el(info, "customerVatStatus", buyer.vat_status)
    if buyer.vat_status == "PRIVATE_PERSON":
        return  # name and address of a private person must not be reported
    if buyer.vat_status == "DOMESTIC":
        _tax_number(_el(info, "customerVatData"), "customerTaxNumber", buyer.tax_number or "")
    elif buyer.eu_vat_number:
        _el(_el(info, "customerVatData"), "communityVatNumber", buyer.eu_vat_number)
    _el(info, "customerName", buyer.name[:512])
    _address(info, "customerAddress", buyer.address)


def _detail(parent: etree._Element, doc: InvoiceDocument) -> None:
    detail = _el(parent, "invoiceDetail")
    _el(detail, "invoiceCategory", "NORMAL")
    _el(detail, "invoiceDeliveryDate", doc.delivery_date.isoformat())
    _el(detail, "currencyCode", doc.currency)
    _el(detail, "exchangeRate", "1")
    _el(detail, "paymentMethod", PAYMENT_METHODS.get(doc.payment_method.code.upper(), "OTHER"))
    _el(detail, "paymentDate", doc.due_date.isoformat())
    if PHRASE_CASH_ACCOUNTING in doc.notes:
        _el(detail, "cashAccountingIndicator", "true")
    _el(detail, "invoiceAppearance", doc.appearance)
    _el(_el(_el(detail, "conventionalInvoiceInfo"), "orderNumbers"), "orderNumber", doc.order_number[:100])


def _reason(key: VatKey) -> str:
    return (key.exemption_reason or key.short_name or key.nav_case or "").strip()[:200]


def _vat_rate(parent: etree._Element, name: str, key: VatKey) -> None:
    node = _el(parent, name)
    if key.category == "PERCENTAGE":
        _el(node, "vatPercentage", _decimal(key.rate))
    elif key.category in ("EXEMPTION", "OUT_OF_SCOPE"):
        reason = _el(node, "vatExemption" if key.category == "EXEMPTION" else "vatOutOfScope")
        _el(reason, "case", key.nav_case)
        _el(reason, "reason", _reason(key))
    elif key.category == "DOMESTIC_REVERSE_CHARGE":
        _el(node, "vatDomesticReverseCharge", "true")
    elif key.category == "MARGIN_SCHEME":
        _el(node, "marginSchemeIndicator", key.nav_case)
    else:
        _el(node, "noVatCharge", "true")


def _line(parent: etree._Element, number: int, line: InvoiceLine, storno: bool) -> None:
    node = _el(parent, "line")
    _el(node, "lineNumber", number)
    if storno:
        ref = _el(node, "lineModificationReference")
        _el(ref, "lineNumberReference", line.line_no)
        _el(ref, "lineOperation", "CREATE")
    if line.sku:
        code = _el(_el(node, "productCodes"), "productCode")
        _el(code, "productCodeCategory", "OWN")
        _el(code, "productCodeOwnValue", line.sku)
    _el(node, "lineExpressionIndicator", "true")
    _el(node, "lineNatureIndicator", _NATURE[line.kind])
    _el(node, "lineDescription", line.name.strip()[:512])
    _el(node, "quantity", _decimal(line.quantity))
    unit = UNITS.get(line.unit.strip().lower())
    _el(node, "unitOfMeasure", unit or "OWN")
    if unit is None:
        _el(node, "unitOfMeasureOwn", line.unit.strip()[:50])
    _el(node, "unitPrice", _decimal(line.net_unit_price))
    _el(node, "unitPriceHUF", _decimal(line.net_unit_price))
    amounts = _el(node, "lineAmountsNormal")
    _pair(amounts, "lineNetAmountData", "lineNetAmount", "lineNetAmountHUF", line.net)
    _vat_rate(amounts, "lineVatRate", line.vat_key)
    if line.vat_key.category == "PERCENTAGE":
        _pair(amounts, "lineVatData", "lineVatAmount", "lineVatAmountHUF", line.vat)
    _pair(amounts, "lineGrossAmountData", "lineGrossAmountNormal", "lineGrossAmountNormalHUF", line.gross)


def _summary(parent: etree._Element, doc: InvoiceDocument) -> None:
    summary = _el(parent, "invoiceSummary")
    normal = _el(summary, "summaryNormal")
    row: VatSummaryLine
    for row in doc.vat_summary:
        by_rate = _el(normal, "summaryByVatRate")
        _vat_rate(by_rate, "vatRate", row.vat_key)
        _pair(by_rate, "vatRateNetData", "vatRateNetAmount", "vatRateNetAmountHUF", row.net)
        _pair(by_rate, "vatRateVatData", "vatRateVatAmount", "vatRateVatAmountHUF", row.vat)
        _pair(by_rate, "vatRateGrossData", "vatRateGrossAmount", "vatRateGrossAmountHUF", row.gross)
    for name, value in (("invoiceNetAmount", doc.totals.net), ("invoiceVatAmount", doc.totals.vat)):
        _el(normal, name, _money(value))
        _el(normal, f"{name}HUF", _money(value))
    _pair(summary, "summaryGrossData", "invoiceGrossAmount", "invoiceGrossAmountHUF", doc.totals.gross)


def operation_of(doc: InvoiceDocument) -> str:
    """The manageInvoice operation that reports ``doc``."""
    return "STORNO" if doc.kind == "storno" else "CREATE"


def invoice_data(doc: InvoiceDocument) -> bytes:
    """The InvoiceData XML (UTF-8) reporting ``doc``."""
    root = etree.Element(f"{{{DATA_NS}}}InvoiceData", nsmap=_NSMAP)
    _el(root, "invoiceNumber", doc.invoice_number)
    _el(root, "invoiceIssueDate", doc.issue_date.isoformat())
    _el(root, "completenessIndicator", "false")  # the PDF is the invoice; the XML only reports it
    invoice = _el(_el(root, "invoiceMain"), "invoice")
    storno = doc.kind == "storno"
    if storno:
        ref = _el(invoice, "invoiceReference")
        _el(ref, "originalInvoiceNumber", doc.original_invoice_number)
        _el(ref, "modifyWithoutMaster", "false")
        _el(ref, "modificationIndex", doc.modification_index or 1)
    head = _el(invoice, "invoiceHead")
    _supplier(head, doc)
    _customer(head, doc.buyer)
    _detail(head, doc)
    lines = _el(invoice, "invoiceLines")
    _el(lines, "mergedItemIndicator", "false")
    for number, line in enumerate(doc.lines, start=1):
        _line(lines, number, line, storno)
    _summary(invoice, doc)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
