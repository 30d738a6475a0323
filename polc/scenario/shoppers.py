"""Orders as the scenario's shoppers place them: guests, registered customers, companies,
coupons, shipping and payment fees, and lines at every VAT rate the seed catalogue has."""

from __future__ import annotations

import random
from typing import Any

from polc.shoprenter_sim.seed import COUPONS, PRODUCTS, REGISTERED

#: SKUs whose stock the shops subtract (the gift voucher does not).
STOCK_SKUS = tuple(p[0] for p in PRODUCTS if p[5])
ALL_SKUS = tuple(p[0] for p in PRODUCTS)
REGISTERED_EMAILS = tuple(p[2] for p in REGISTERED)
FIRST = ("Ádám", "Bea", "Csaba", "Dóra", "Előd", "Flóra", "Gergő", "Hanna", "Imre", "Jázmin", "Kristóf", "Lili",
         "Máté", "Nóra", "Olivér", "Panna", "Róbert", "Sára", "Tamás", "Vivien", "Zoltán", "Őze", "Ürögdi")
LAST = ("Kovács", "Szabó", "Tóth", "Varga", "Kiss", "Molnár", "Németh", "Farkas", "Balogh", "Papp", "Takács",
        "Juhász", "Lakatos", "Mészáros", "Oláh", "Simon", "Rácz", "Fekete", "Szűcs", "Győri")
CITIES = (("1052", "Budapest"), ("4024", "Debrecen"), ("6720", "Szeged"), ("7621", "Pécs"), ("9021", "Győr"),
          ("3530", "Miskolc"), ("8200", "Veszprém"), ("2000", "Szentendre"))
COMMENTS = ("", "", "", "Kérem, délután szállítsák.", "Csengessenek kétszer!", "Ajándékba lesz, köszönöm.",
            "A kapukód: 1234#")


def tax_number(rng: random.Random) -> str:
    """A Hungarian tax number with a valid check digit (xxxxxxxx-y-zz)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        check = (10 - sum(d * w for d, w in zip(digits, (9, 7, 3, 1, 9, 7, 3), strict=True)) % 10) % 10
        if check != 10:
            base = "".join(map(str, digits)) + str(check)
            return f"{base}-{rng.choice((1, 2, 3))}-{rng.randint(2, 44):02d}"


def random_order(rng: random.Random, number: int, skus: tuple[str, ...] = ALL_SKUS) -> dict[str, Any]:
    """The control API body of one order (``POST /_control/shops/{shop}/orders``)."""
    stock_skus = [s for s in skus if s != "AJANDEK-10K"]
    chosen = rng.sample(stock_skus, rng.choice((1, 1, 2, 2, 3)))
    if rng.random() < 0.05:
        chosen.append("AJANDEK-10K")
    order: dict[str, Any] = {
        "lines": [{"sku": sku, "quantity": rng.choice((1, 1, 1, 2, 2, 3))} for sku in chosen],
        "shipping_mode_inner_id": rng.choice((84, 85, 86)),
        "payment_code": rng.choice(("COD", "BANK_TRANSFER", "BARION")),
        "comment": rng.choice(COMMENTS),
    }
    if rng.random() < 0.3:
        order["coupon_code"] = rng.choice(COUPONS)[0]
    kind = rng.random()
    if kind < 0.35:
        order["customer_email"] = rng.choice(REGISTERED_EMAILS)
    elif kind < 0.55:
        pass  # one of the shop's seeded guest profiles
    else:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        postcode, city = rng.choice(CITIES)
        company = rng.random() < 0.2
        order["guest"] = {
            "firstname": first, "lastname": last, "email": f"vevo{number}@example.hu",
            "phone": f"+3630{rng.randint(1000000, 9999999)}",
            "company": f"{last} és Társa Kft." if company else "", "tax_number": tax_number(rng) if company else "",
            "address1": f"Fő utca {rng.randint(1, 120)}.", "postcode": postcode, "city": city,
        }
    return order
