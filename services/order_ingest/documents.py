"""Turning a downloaded ShopRenter order into an order document plan, or a reason to review it.

Pure: the shop order (as ``/orderExtend`` returns it) and the reference data go in, a
:class:`PlannedOrder` comes out, or :class:`NeedsReview` says why the order must wait. The
plan gets its number, customer and service item ids in the transaction that files it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from contracts.common import Address, VatKey
from contracts.common import Customer
from contracts.orders import (
    CouponLine,
    OrderReceived,
    OrderStatus,
    PaymentMethod,
    ProductLine,
    ServiceLine,
    ShippingMethod,
    ShopTotal,
)
from polc.shoprenter.models import OrderExtend, OrderProduct, id_from_href
from services.order_ingest.errors import NeedsReview
from services.order_ingest.reference import Reference
from services.order_ingest.text import clip, normalise, plain_text
from services.order_ingest.totals import Recomputed, check_total, q2, recompute

#: Total rows that summarise rather than add a line.
SUMMARY_TOTALS = frozenset({"SUB_TOTAL", "SUB_TOTAL_WITH_TAX", "TAX", "TOTAL", "LOYALTYPOINTS_TO_GET"})
COUNTRIES = {"magyarország": "HU", "hungary": "HU", "ausztria": "AT", "austria": "AT", "németország": "DE",
             "germany": "DE", "szlovákia": "SK", "slovakia": "SK", "románia": "RO", "romania": "RO",
             "horvátország": "HR", "croatia": "HR", "szerbia": "RS", "serbia": "RS", "szlovénia": "SI"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
#: Amounts must be finite and below this in size (one trillion): the order and review tables
#: keep 14 digits before the decimal point (numeric(18, 4)), so a difference of two amounts
#: still fits, and no webshop order comes near it.
MAX_AMOUNT = Decimal(10) ** 12
#: Order fields naming the VAT of the shipping and the payment fee, and what they are for.
FEE_VAT_NAMES = (("shippingMethodTaxName", "the shipping method"), ("paymentMethodTaxName", "the payment method"))
_COUPON_IN_NAME = re.compile(r"\(([^)]+)\)")


@dataclass(frozen=True)
class Party:
    """The ordering customer as the order describes it, before matching (M7-M9)."""

    shop_customer_id: str | None
    name: str
    email: str
    phone: str | None
    company: str | None
    tax_number: str | None
    billing_address: Address
    shipping_address: Address | None


@dataclass(frozen=True)
class LineDraft:
    """One line of the order document before it gets its position and service item id."""

    kind: str
    name: str
    quantity: Decimal
    unit: str
    net_unit_price: Decimal
    gross_unit_price: Decimal
    vat: VatKey
    net_amount: Decimal
    gross_amount: Decimal
    sku: str | None = None
    shop_product_id: str | None = None
    is_stock_item: bool = True
    service_kind: str | None = None
    coupon_code: str | None = None


@dataclass(frozen=True)
class PlannedOrder:
    """Everything of an order document except its number and matched ids."""

    shop_order_id: str
    inner_id: int
    order_code: str
    placed_at: datetime
    updated_at: datetime | None
    status_id: str
    status_name: str
    cancelled: bool
    is_paid: bool
    party: Party
    lines: tuple[LineDraft, ...]
    payment_method: PaymentMethod
    shipping_method: ShippingMethod
    header_note: str
    internal_note: str | None
    currency: str
    totals: Recomputed
    gross_total: Decimal
    shop_totals: tuple[ShopTotal, ...]

    @property
    def skus(self) -> list[str]:
        return [line.sku for line in self.lines if line.sku]


def parse_order(raw: dict[str, Any]) -> OrderExtend:
    """The typed order, or a review for malformed data."""
    try:
        return OrderExtend.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise NeedsReview("malformed_data", f"the order does not parse: {where}: {first['msg']}") from None


def order_code(order: OrderExtend) -> str:
    """The code the customer sees: the shop's invoice prefix and number, else its inner id."""
    if order.invoice_id and order.invoice_id not in ("0", ""):
        return f"{order.invoice_prefix or ''}{order.invoice_id}"
    return str(order.inner_id)


def plan_order(shop_id: str, raw: dict[str, Any], ref: Reference) -> PlannedOrder:
    """The order document plan for ``raw``; raises NeedsReview when it cannot be imported."""
    order = parse_order(raw)
    if not order.id or not order.inner_id:
        raise NeedsReview("malformed_data", "the order has no id or innerId")
    if order.date_created is None:
        raise NeedsReview("malformed_data", "the order has no creation date")
    if not (order.currency and order.currency.code and order.currency.code.strip()):
        raise NeedsReview("malformed_data", "the order states no currency, so its amounts cannot be read")
    currency = order.currency.code.strip().upper()
    status_id = order.order_status_id or ""
    status_name = ref.statuses.get(status_id, status_id)
    shop_total = _shop_total(order, ref.tolerance)
    _check_fee_vat_names(raw, ref)
    product_lines = [_product_line(p, ref) for p in order.order_products]
    if not product_lines:
        raise NeedsReview("malformed_data", "the order has no product lines")
    lines = product_lines + _total_lines(raw, order, product_lines, ref)
    computed = recompute(((ln.vat.short_name, ln.vat.rate, ln.net_amount) for ln in lines), currency)
    ok, difference, detail = check_total(computed, shop_total, ref.tolerance)
    if not ok:
        raise NeedsReview("totals_mismatch", detail, difference)
    _check_tax(order, computed, ref.tolerance)
    code = order_code(order)
    comment = plain_text(order.comment)
    return PlannedOrder(
        shop_order_id=order.id, inner_id=order.inner_id, order_code=code, placed_at=order.date_created,
        updated_at=order.date_updated, status_id=status_id, status_name=status_name,
        cancelled=ref.is_cancel_status(status_name), is_paid=ref.is_paid_status(status_name), party=_party(order, ref),
        lines=tuple(lines),
        payment_method=_payment(order), shipping_method=_shipping(raw, order),
        header_note=f"ShopRenter rendelés: {code} ({shop_id})", internal_note=clip(comment, 5000) or None,
        currency=currency, totals=computed, gross_total=q2(shop_total),
        shop_totals=tuple(ShopTotal(type=t.type or "", name=clip(plain_text(t.name), 200), value=t.value or Decimal(0))
                          for t in order.order_totals if t.type),
    )


def _vat(ref: Reference, short_name: str | None, rate_percent: Decimal | None, what: str) -> VatKey:
    if not short_name:
        raise NeedsReview("unknown_vat_name", f"{what} has no VAT name")
    vat = ref.vat_keys.get(short_name)
    if vat is None:
        raise NeedsReview("unknown_vat_name", f"VAT short name {short_name!r} of {what} has no back-office VAT key")
    if rate_percent is not None and (vat.rate or Decimal(0)) * 100 != rate_percent:
        raise NeedsReview("unknown_vat_name", f"{what}: VAT key {short_name!r} has rate {vat.rate} "
                                              f"but the shop charged {rate_percent.normalize():f}%")
    return vat


def _check_fee_vat_names(raw: dict[str, Any], ref: Reference) -> None:
    """The VAT the order names for its shipping and payment fees must be a back-office VAT key,
    charged or not: a name polc cannot match is never replaced by a default."""
    for field, what in FEE_VAT_NAMES:
        name = raw.get(field)
        if name is None or name == {} or (isinstance(name, str) and not name.strip()):
            continue
        if not isinstance(name, str) or name not in ref.vat_keys:
            raise NeedsReview("unknown_vat_name", f"VAT short name {str(name)!r} of {what} has no back-office VAT key")


def _amount(value: Decimal, what: str) -> Decimal:
    """``value`` if it can be an amount on an invoice; NeedsReview otherwise."""
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise NeedsReview("malformed_data", f"{what} {value} is not an amount (not a finite number below "
                                            "one trillion)")
    return value


def _product_line(p: OrderProduct, ref: Reference) -> LineDraft:
    sku = (p.sku or "").strip()
    if not sku:
        raise NeedsReview("malformed_data", f"product line {plain_text(p.name)!r} has no SKU")
    if sku in ref.unreadable_products:
        raise NeedsReview("malformed_data",
                          f"the shop's data of product {sku!r} cannot be read: {ref.unreadable_products[sku]}")
    product = ref.products.get(sku)
    if product is None:
        raise NeedsReview("unknown_product", f"SKU {sku!r} is not in the shop and was never downloaded")
    if p.price is None or p.quantity <= 0:
        raise NeedsReview("malformed_data", f"product line {sku} has no price or quantity")
    if p.quantity > ref.max_line_quantity:
        raise NeedsReview("malformed_data", f"product line {sku}: quantity {p.quantity.normalize():f} is above "
                                            f"{ref.max_line_quantity.normalize():f}, the most one line may plausibly "
                                            "order (setting max_line_quantity)")
    for value, what in ((p.price, "price"), (p.total, "total")):
        if value is not None:
            _amount(value, f"product line {sku}: its {what}")
    if p.price < 0:
        raise NeedsReview("malformed_data", f"product line {sku} has a negative price {p.price}")
    if p.total is not None and abs(p.total - p.price * p.quantity) > ref.tolerance:
        raise NeedsReview("malformed_data", f"product line {sku}: its total {p.total} is not its price {p.price} "
                                            f"× quantity {p.quantity.normalize():f}")
    vat = _vat(ref, product.vat_short_name, p.tax_rate, f"product {sku}")
    rate = vat.rate or Decimal(0)
    net_amount = q2(p.total if p.total is not None else p.price * p.quantity)
    gross_unit = p.gross_price if p.gross_price is not None else p.price * (1 + rate)
    return LineDraft(
        kind="product", name=clip(plain_text(p.name) or product.name, 255), quantity=p.quantity, unit=product.unit,
        net_unit_price=q2(p.price), gross_unit_price=q2(gross_unit), vat=vat, net_amount=net_amount,
        gross_amount=q2(net_amount * (1 + rate)), sku=sku, shop_product_id=p.product_id or product.shop_product_id,
        is_stock_item=product.is_stock_item and p.subtract_stock is not False,
    )


def _total_lines(raw: dict[str, Any], order: OrderExtend, products: list[LineDraft], ref: Reference) -> list[LineDraft]:
    out: list[LineDraft] = []
    for total in sorted(order.order_totals, key=lambda t: t.sort_order or 0):
        kind = (total.type or "").upper()
        value = total.value or Decimal(0)
        if kind in SUMMARY_TOTALS or value == 0:
            continue
        name = plain_text(total.name).rstrip(": ").strip() or kind
        if kind == "COUPON":
            out += _coupon_lines(raw, order, name, value, products)
        elif kind == "SHIPPING":
            vat = _vat(ref, raw.get("shippingMethodTaxName") or _rate_name(order.shipping_method_tax_rate),
                       order.shipping_method_tax_rate, f"shipping fee {name!r}")
            out.append(_service_line(name, "shipping_fee", value, vat))
        elif kind == "PAYMENT":
            vat = _vat(ref, raw.get("paymentMethodTaxName") or _rate_name(order.payment_method_tax_rate),
                       order.payment_method_tax_rate, f"payment fee {name!r}")
            out.append(_service_line(name, "payment_fee", value, vat))
        else:
            item = ref.service(name)
            if item is None:
                raise NeedsReview("unknown_service", f"{kind} row {name!r} matches no back-office service item by name")
            vat = _vat(ref, item.vat_short_name or "27%", None, f"service {name!r}")
            out.append(_service_line(name, item.kind, value, vat))
    return out


def _rate_name(rate: Decimal | None) -> str | None:
    return None if rate is None or rate < 0 else f"{rate.normalize():f}%"


def _service_line(name: str, kind: str, net: Decimal, vat: VatKey) -> LineDraft:
    rate = vat.rate or Decimal(0)
    gross = q2(net * (1 + rate))
    return LineDraft(kind="service", name=clip(name, 255), quantity=Decimal(1), unit="db", net_unit_price=q2(net),
                     gross_unit_price=gross, vat=vat, net_amount=q2(net), gross_amount=gross, is_stock_item=False,
                     service_kind=kind)


def _coupon_lines(raw: dict[str, Any], order: OrderExtend, name: str, value: Decimal,
                  products: list[LineDraft]) -> list[LineDraft]:
    """The discount spread over the products' VAT keys in proportion to their net (M18).

    A coupon lowers the taxable amount of each rate it applies to, so one coupon line per VAT
    key carries that key; the last share takes the rounding remainder.
    """
    code = (order.coupon.code if order.coupon and order.coupon.code else None) or _code_from_name(name)
    discount = -abs(value)
    nets: dict[str, Decimal] = defaultdict(Decimal)
    keys: dict[str, VatKey] = {}
    for line in products:
        nets[line.vat.short_name] += line.net_amount
        keys[line.vat.short_name] = line.vat
    base = sum(nets.values(), Decimal(0))
    if base == 0:
        raise NeedsReview("malformed_data", f"coupon {code} on an order without a net amount")
    out, left = [], discount
    names = sorted(nets, key=lambda k: -nets[k])
    for i, short_name in enumerate(names):
        share = left if i == len(names) - 1 else q2(discount * nets[short_name] / base)
        left -= share
        vat = keys[short_name]
        gross = q2(share * (1 + (vat.rate or Decimal(0))))
        label = f"Kupon: {code}" + (f" ({short_name})" if len(names) > 1 else "")
        out.append(LineDraft(kind="coupon", name=clip(label, 255), quantity=Decimal(1), unit="db", net_unit_price=share,
                             gross_unit_price=gross, vat=vat, net_amount=share, gross_amount=gross,
                             is_stock_item=False, coupon_code=clip(code, 64)))
    return out


def _code_from_name(name: str) -> str:
    found = _COUPON_IN_NAME.search(name)
    return found.group(1).strip() if found else (name or "KUPON")


def _shop_total(order: OrderExtend, tolerance: Decimal) -> Decimal:
    """The shop's gross total, once the order's amounts can be checked against it.

    The shop states the gross amount twice: the order's ``total`` and its TOTAL row. Both must
    be there, readable, not negative, and agree within the tolerance; every total row must be
    an amount, and TAX rows are not negative. An order whose total is missing may still be
    being written (an API client sets ``total`` last); it is tried again from review.
    """
    for row in order.order_totals:
        if row.value is not None:
            _amount(row.value, f"the {row.type or 'untyped'} row's value")
            if (row.type or "").upper() == "TAX" and row.value < 0:
                raise NeedsReview("malformed_data", f"the TAX row {plain_text(row.name)!r} is negative: {row.value}")
    rows = [t for t in order.order_totals if (t.type or "").upper() == "TOTAL"]
    if not rows or rows[0].value is None:
        raise NeedsReview("malformed_data", "the order has no TOTAL row, so its amount cannot be checked against "
                                            "the shop")
    if len(rows) > 1:
        raise NeedsReview("malformed_data", f"the order has {len(rows)} TOTAL rows")
    stated = rows[0].value
    if order.total is None:
        raise NeedsReview("malformed_data", "the order has no total (its gross amount), so its TOTAL row cannot be "
                                            "confirmed")
    total = _amount(order.total, "the order's total")
    if total < 0 or stated < 0:
        raise NeedsReview("malformed_data", f"the order's gross total is negative (total {total}, TOTAL row {stated})")
    if abs(total - stated) > tolerance:
        difference = q2(stated - total)
        raise NeedsReview("totals_mismatch", f"the order's total {q2(total)} differs from its TOTAL row {q2(stated)} "
                                             f"by {difference}, tolerance ±{tolerance}", difference)
    return stated


def _check_tax(order: OrderExtend, computed: Recomputed, tolerance: Decimal) -> None:
    """The VAT the shop's TAX rows state (none: no VAT) must be the VAT of the lines."""
    stated = sum((t.value for t in order.order_totals if (t.type or "").upper() == "TAX" and t.value is not None),
                 Decimal(0))
    difference = q2(stated - computed.vat)
    if abs(difference) > tolerance:
        parts = ", ".join(f"{k}: VAT {v}" for k, (_, v) in sorted(computed.by_vat.items()))
        raise NeedsReview("totals_mismatch", f"the shop's TAX rows state VAT {q2(stated)} but the lines give "
                                             f"{computed.vat} ({parts}); difference {difference}, "
                                             f"tolerance ±{tolerance}", difference)


def _payment(order: OrderExtend) -> PaymentMethod:
    name = plain_text(order.payment_method_name)
    code = (order.payment_method_code or "").strip() or normalise(name).upper().replace(" ", "_")[:64]
    if not name or not code:
        raise NeedsReview("malformed_data", "the order has no payment method")
    return PaymentMethod(code=clip(code, 64), name=clip(name, 200))


def _shipping(raw: dict[str, Any], order: OrderExtend) -> ShippingMethod:
    name = plain_text(order.shipping_method_name)
    if not name:
        raise NeedsReview("malformed_data", "the order has no shipping method")
    point = raw.get("shippingReceivingPointId")
    point = str(point).strip() if isinstance(point, (str, int)) and str(point).strip() not in ("", "0") else None
    return ShippingMethod(code=clip(order.shipping_method_extension, 64) if order.shipping_method_extension else None,
                          name=clip(name, 200), pickup_point_id=point)


def _person(first: str | None, last: str | None) -> str:
    return " ".join(p for p in (plain_text(last), plain_text(first)) if p)


def _address(order: OrderExtend, prefix: str, fallback_name: str) -> Address | None:
    get = lambda field: getattr(order, f"{prefix}_{field}")  # noqa: E731
    street, city, postcode = plain_text(get("address1")), plain_text(get("city")), plain_text(get("postcode"))
    if not (street and city and postcode):
        return None
    country = COUNTRIES.get(normalise(get("country_name")), "HU")
    return Address(name=clip(_person(get("firstname"), get("lastname")) or fallback_name, 200),
                   company=clip(plain_text(get("company")), 200) or None, postcode=clip(postcode, 20),
                   city=clip(city, 100), address_line_1=clip(street, 200),
                   address_line_2=clip(plain_text(get("address2")), 200) or None, country_code=country)


def _party(order: OrderExtend, ref: Reference) -> Party:
    name = _person(order.firstname, order.lastname)
    email = (order.email or "").strip().lower()
    if not name:
        raise NeedsReview("malformed_data", "the order has no customer name")
    if not _EMAIL.match(email):
        raise NeedsReview("malformed_data", f"the customer e-mail {order.email!r} is not an address")
    shop_customer_id = id_from_href(order.customer)
    if shop_customer_id and shop_customer_id in ref.missing_customers:
        raise NeedsReview("malformed_data", f"the order belongs to registered customer {shop_customer_id}, whom the "
                                            "shop does not have (a deleted account or a broken link): who ordered "
                                            "cannot be matched (M9)")
    billing = _address(order, "payment", name)
    shipping = _address(order, "shipping", name)
    if billing is None:
        # The buyer's address goes on the invoice (Áfa tv. 169 § e); where the goods are sent
        # is not necessarily where the buyer is, so the shipping address does not stand in.
        raise NeedsReview("malformed_data", "the order has no billing address (postcode, city and street): an "
                                            "invoice needs the buyer's address")
    company = billing.company or (shipping.company if shipping else None)
    return Party(shop_customer_id=shop_customer_id, name=clip(name, 200), email=email,
                 phone=clip(plain_text(order.phone), 50) or None, company=company,
                 tax_number=clip(plain_text(order.tax_number), 30) or None, billing_address=billing,
                 shipping_address=None if shipping == billing else shipping)


def order_received(plan: PlannedOrder, *, shop_id: str, order_number: str, customer: Customer, warehouse_id: str,
                   service_ids: dict[str, str]) -> OrderReceived:
    """The OrderReceived event of a filed order (the document as downstream sees it)."""
    lines = []
    for no, d in enumerate(plan.lines, start=1):
        common = dict(line_no=no, name=d.name, quantity=d.quantity, unit=d.unit, net_unit_price=d.net_unit_price,
                      gross_unit_price=d.gross_unit_price, vat=d.vat, net_amount=d.net_amount,
                      gross_amount=d.gross_amount)
        if d.kind == "product":
            lines.append(ProductLine(**common, sku=d.sku, shop_product_id=d.shop_product_id,
                                     is_stock_item=d.is_stock_item))
        elif d.kind == "service":
            lines.append(ServiceLine(**common, service_kind=d.service_kind, service_id=service_ids[normalise(d.name)]))
        else:
            lines.append(CouponLine(**common, coupon_code=d.coupon_code))
    return OrderReceived(
        shop_id=shop_id, shop_order_id=plan.shop_order_id, shop_order_code=plan.order_code,
        shop_inner_id=plan.inner_id, order_number=order_number, placed_at=plan.placed_at,
        status=OrderStatus(shop_status_id=plan.status_id or "0", name=plan.status_name[:200]), customer=customer,
        lines=tuple(lines), payment_method=plan.payment_method, shipping_method=plan.shipping_method,
        is_paid=plan.is_paid, header_note=plan.header_note, internal_note=plan.internal_note,
        currency=plan.currency,
        net_total=plan.totals.net, vat_total=plan.totals.vat, gross_total=plan.gross_total,
        shop_totals=plan.shop_totals, warehouse_id=warehouse_id,
    )
