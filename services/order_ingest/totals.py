"""Checking an order's lines against the shop's TOTAL.

The recomputed gross total is, per VAT key, the net sum of the lines plus that net sum times
the rate, the VAT rounded the way the shop rounds it (whole forints for HUF, cents otherwise);
the sum over VAT keys must equal the shop's TOTAL within ``tolerance`` (1.00 by default: the
shop rounds each line and each coupon share, the back office rounds once per VAT key).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    """Rounded to cents, half up."""
    return value.quantize(CENT, ROUND_HALF_UP)


def vat_step(currency: str) -> Decimal:
    """The unit VAT is rounded to in ``currency``."""
    return Decimal(1) if currency == "HUF" else CENT


@dataclass(frozen=True)
class Recomputed:
    net: Decimal
    vat: Decimal
    gross: Decimal
    by_vat: dict[str, tuple[Decimal, Decimal]]
    """VAT short name -> (net, VAT)."""


def recompute(lines: Iterable[tuple[str, Decimal | None, Decimal]], currency: str) -> Recomputed:
    """Totals of (VAT short name, rate or None for exempt keys, net amount) lines."""
    nets: dict[str, Decimal] = defaultdict(Decimal)
    rates: dict[str, Decimal] = {}
    for short_name, rate, net in lines:
        nets[short_name] += net
        rates[short_name] = rate or Decimal(0)
    step = vat_step(currency)
    by_vat = {k: (q2(n), (n * rates[k]).quantize(step, ROUND_HALF_UP)) for k, n in nets.items()}
    net = sum((n for n, _ in by_vat.values()), Decimal(0))
    vat = sum((v for _, v in by_vat.values()), Decimal(0))
    return Recomputed(net=q2(net), vat=q2(vat), gross=q2(net + vat), by_vat=by_vat)


def check_total(computed: Recomputed, shop_total: Decimal, tolerance: Decimal) -> tuple[bool, Decimal, str]:
    """Whether the lines explain the shop's TOTAL; the difference (shop minus lines) and why."""
    difference = q2(shop_total - computed.gross)
    ok = abs(difference) <= tolerance
    parts = ", ".join(f"{k}: net {n} + VAT {v}" for k, (n, v) in sorted(computed.by_vat.items()))
    detail = (
        f"shop TOTAL {q2(shop_total)} but the lines give {computed.gross} "
        f"(net {computed.net} + VAT {computed.vat}; {parts}); difference {difference}, "
        f"tolerance ±{tolerance}"
    )
    return ok, difference, detail
