"""Customer-side actions: placing an order the way the storefront would, changing its status.

Totals follow one consistent convention (see docs/shoprenter-simulator.md): net rows for
lines, coupon (negative), shipping and payment fees, one TAX row per VAT rate, and a gross
TOTAL equal to their sum. Stock goes down for products that subtract stock.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field

from polc.shoprenter_sim.resources import ApiError
from polc.shoprenter_sim.store import Coll, Ref, Row, ShopState, money, shop_now


class OrderLine(BaseModel):
    sku: str
    quantity: int = Field(1, ge=1)


class Guest(BaseModel):
    firstname: str
    lastname: str
    email: str
    phone: str = ""
    company: str = ""
    tax_number: str = ""
    address1: str = "Fő utca 1."
    postcode: str = "1011"
    city: str = "Budapest"


class PlaceOrder(BaseModel):
    """An order as a shopper places it. Without `customer_email` or `guest` a seeded guest buys."""

    lines: list[OrderLine] = Field(min_length=1)
    customer_email: str | None = Field(None, description="A registered customer's email.")
    guest: Guest | None = None
    coupon_code: str | None = None
    shipping_mode_inner_id: int | None = None
    payment_code: str | None = Field(None, description="COD, BANK_TRANSFER or BARION.")
    comment: str = ""


def _d(value: object) -> Decimal:
    return Decimal(str(value))


def _huf(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), ROUND_HALF_UP)


def place_order(state: ShopState, req: PlaceOrder) -> int:
    """Create the order, its lines and totals; return the order's inner id."""
    buyer, customer_ref = _buyer(state, req)
    products = state.table("products")
    by_sku = {row["sku"]: i for i, row in products.items()}
    missing = [line.sku for line in req.lines if line.sku not in by_sku]
    if missing:
        raise ApiError(404, 40033, f"Product sku not found: {', '.join(missing)}")
    # The storefront sells only products that are switched on.
    hidden = [line.sku for line in req.lines if str(products[by_sku[line.sku]].get("status", 1)) == "0"]
    if hidden:
        raise ApiError(404, 40033, f"Product not available: {', '.join(hidden)}")
    coupon_id = _coupon(state, req.coupon_code)
    coupon = state.table("coupons")[coupon_id] if coupon_id else None
    ship_id = req.shipping_mode_inner_id or min(state.table("shippingModes"))
    ship = state.table("shippingModes").get(ship_id) or _bad("shipping mode", ship_id)
    pay = next((r for r in state.table("paymentModes").values()
                if r["_order_code"] == (req.payment_code or "COD")), None) or _bad("payment", req.payment_code)

    lines_net = sum((_d(products[by_sku[line.sku]]["price"]) * line.quantity for line in req.lines), Decimal(0))
    discount = Decimal(0)
    if coupon and coupon["discountType"] == "PERCENT":
        discount = lines_net * _d(coupon["percentDiscountValue"]) / 100
    elif coupon:
        discount = min(lines_net, _d(coupon["fixDiscountValue"]))
    factor = (lines_net - discount) / lines_net if lines_net else Decimal(1)
    tax_by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    gross_lines = Decimal(0)
    for line in req.lines:
        row = products[by_sku[line.sku]]
        rate = _rate(state, row)
        net = _d(row["price"]) * line.quantity
        tax_by_rate[rate] += net * factor * rate / 100
        gross_lines += net * (1 + rate / 100)
    free_from = _d(ship["freeShippingFrom"])
    shipping = _d(ship["shippingLanes"][0]["costNet"])
    if (coupon and coupon["freeShipping"] == "1") or (free_from > 0 and gross_lines >= free_from):
        shipping = Decimal(0)
    payment_fee = _d(pay["_fee_net"])
    tax_by_rate[Decimal(27)] += (shipping + payment_fee) * Decimal("0.27")
    taxes = {rate: _huf(v) for rate, v in tax_by_rate.items() if v}
    total = lines_net - discount + shipping + payment_fee + sum(taxes.values(), Decimal(0))

    now = shop_now()
    ship_name = ship["shippingModeDescriptions"][0]["name"]
    pay_name = pay["paymentDescription"][0]["name"]
    order: Row = {
        "innerId": "", "invoiceId": "0", "invoicePrefix": "", "firstname": buyer["firstname"],
        "lastname": buyer["lastname"], "phone": buyer["phone"], "fax": "", "email": buyer["email"],
        **_address("shipping", buyer), "shippingMethodName": ship_name, "shippingMethodTaxRate": "27.0000",
        "shippingMethodTaxName": "27%", "shippingMethodExtension": ship["extension"],
        "shippingReceivingPointId": "0", **_address("payment", buyer), "paymentMethodName": pay_name,
        "paymentMethodCode": pay["_order_code"], "paymentMethodTaxRate": "27.0000", "paymentMethodTaxName": "27%",
        "paymentMethodAfter": "1" if pay["_order_code"] != "BANK_TRANSFER" else "0",
        "taxNumber": buyer["tax_number"], "comment": req.comment, "total": money(total), "value": "1.00000000",
        "couponTaxRate": "27.0000" if coupon else "-1.0000", "dateCreated": now, "dateUpdated": now,
        "ip": "192.0.2.10", "pickPackPontShopCode": "", "loyaltyPointsTaxRate": "-1.0000",
        "customer": customer_ref, "customerGroup": Ref("customerGroups", 8) if customer_ref else None,
        "shippingZone": None, "shippingCountry": {}, "paymentZone": None, "paymentCountry": {},
        "orderStatus": Ref("orderStatuses", 1), "language": Ref("languages", 1), "currency": Ref("currencies", 4),
        "shippingMode": Ref("shippingModes", ship_id), "_coupon": coupon_id,
    }
    order_id = state.insert("orders", order)
    order["innerId"] = str(order_id)
    owner = Ref("orders", order_id)
    for key in ("orderTotals", "orderProducts", "orderGiftWrappings"):
        order[key] = Coll(key, "orderId", owner)
    for line in req.lines:
        _add_line(state, owner, by_sku[line.sku], line.quantity, now)
    rows = [("SUB_TOTAL", "Nettó részösszeg:", lines_net), ("SUB_TOTAL_WITH_TAX", "Bruttó részösszeg:", gross_lines)]
    if coupon:
        rows.append(("COUPON", f"Kupon ({coupon['code']}):", -discount))
    rows.append(("SHIPPING", f"{ship_name}:", shipping))
    if payment_fee:
        rows.append(("PAYMENT", f"{pay_name} díja:", payment_fee))
    rows += [("TAX", f"ÁFA ({rate.normalize():f}%):", v) for rate, v in sorted(taxes.items(), reverse=True)]
    rows.append(("TOTAL", "Összesen bruttó:", total))
    for sort, (kind, name, value) in enumerate(rows, start=1):
        state.insert("orderTotals", {
            "name": name, "valueText": f"{_huf(value):,} Ft".replace(",", "."), "value": money(value),
            "sortOrder": str(sort), "type": kind, "key": "", "description": "", "dateCreated": now,
            "dateUpdated": now, "order": owner})
    return order_id


def set_status(state: ShopState, order_inner_id: int, status_inner_id: int) -> None:
    """Move an order to another status, as the shop owner would in the admin."""
    order = state.table("orders").get(order_inner_id) or _bad("order", order_inner_id)
    if status_inner_id not in state.table("orderStatuses"):
        _bad("order status", status_inner_id)
    order["orderStatus"] = Ref("orderStatuses", status_inner_id)
    state.touch(order)


def _add_line(state: ShopState, owner: Ref, product_id: int, qty: int, now: str) -> None:
    product = state.table("products")[product_id]
    rate = _rate(state, product)
    price = _d(product["price"])
    name = next((d["name"] for d in state.table("productDescriptions").values()
                 if d.get("product") == Ref("products", product_id)), product["sku"])
    state.insert("orderProducts", {
        "name": name, "sku": product["sku"], "modelNumber": {}, "productInnerId": str(product_id),
        "originalPrice": money(price), "price": money(price), "total": money(price * qty),
        "grossPrice": money(price * (1 + rate / 100)), "taxRate": money(rate), "stock1": str(qty), "stock2": "0",
        "stock3": "0", "stock4": "0", "subtractStock": product["subtractStock"], "dateCreated": now,
        "dateUpdated": now, "order": owner, "product": Ref("products", product_id),
        "orderProductOptions": {}})
    if product["subtractStock"] == "1":
        product["stock1"] = str(int(_d(product["stock1"])) - qty)
        product["dateUpdated"] = now


def _rate(state: ShopState, product: Row) -> Decimal:
    ref = product.get("taxClass")
    rates = [r for r in state.table("taxRates").values() if r["taxClass"] == ref]
    return _d(rates[0]["rate"]) if rates else Decimal(0)


def _buyer(state: ShopState, req: PlaceOrder) -> tuple[dict[str, str], Ref | None]:
    if req.customer_email:
        found = next(((i, c) for i, c in state.table("customers").items() if c["email"] == req.customer_email), None)
        if found is None:
            _bad("customer", req.customer_email)
        inner, customer = found
        address = state.table("addresses")[customer["defaultAddress"].inner_id]
        return {"firstname": customer["firstname"], "lastname": customer["lastname"], "email": customer["email"],
                "phone": customer["telephone"], "company": address["company"], "tax_number": address["taxNumber"],
                "address1": address["address1"], "postcode": address["postcode"], "city": address["city"]}, \
            Ref("customers", inner)
    guest = req.guest or Guest(**dict(zip(
        ("firstname", "lastname", "email", "phone", "company", "tax_number", "address1", "postcode", "city"),
        state.rng.choice(state.extras["guests"]), strict=True)))
    return guest.model_dump(), None


def _address(prefix: str, buyer: dict[str, str]) -> Row:
    return {f"{prefix}Firstname": buyer["firstname"], f"{prefix}Lastname": buyer["lastname"],
            f"{prefix}Company": buyer["company"], f"{prefix}Address1": buyer["address1"], f"{prefix}Address2": "",
            f"{prefix}City": buyer["city"], f"{prefix}Postcode": buyer["postcode"], f"{prefix}ZoneName": "",
            f"{prefix}CountryName": "Magyarország", f"{prefix}AddressFormat": ""}


def _coupon(state: ShopState, code: str | None) -> int | None:
    if not code:
        return None
    found = next((i for i, c in state.table("coupons").items() if c["code"] == code), None)
    return found if found is not None else _bad("coupon", code)


def _bad(what: str, value: object):  # type: ignore[no-untyped-def]
    raise ApiError(404, 40401, f"Unknown {what}: {value}")
