"""Invoice amounts: whole-forint line rounding, the per-VAT-key summary and cash rounding.

One rule everywhere: webshop prices are gross, so each line is computed from its gross amount,
``gross = round(gross unit price x quantity)``, ``vat = round(gross x rate / (1 + rate))`` and
``net = gross - vat``, rounded half away from zero to whole forints (to cents in other
currencies). Every summary row is the exact sum of its lines and the totals are the exact sum of
the summary, so nothing printed ever disagrees with anything else printed. Negating a line
negates each amount exactly, which keeps a storno the mirror image of its invoice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from contracts.common import LineAmounts, VatKey
from contracts.invoices import VatSummaryLine

CENT = Decimal("0.01")
FORINT = Decimal("1")
FIVE = Decimal("5")
ZERO = Decimal("0.00")

#: The VAT rates a Hungarian invoice may carry; a 0-VAT line must name an exemption case instead.
ALLOWED_RATES = frozenset({Decimal("0.05"), Decimal("0.18"), Decimal("0.27")})


class InvalidVat(ValueError):
    """A line's VAT key cannot appear on a Hungarian invoice."""


def rounding_unit(currency: str) -> Decimal:
    """Whole forints for HUF, cents otherwise."""
    return FORINT if currency == "HUF" else CENT


def round_amount(value: Decimal, unit: Decimal) -> Decimal:
    """``value`` rounded half away from zero to ``unit``, written with two decimals."""
    return value.quantize(unit, rounding=ROUND_HALF_UP).quantize(CENT)


def check_vat_key(key: VatKey) -> None:
    """Raise InvalidVat unless ``key`` is an allowed rate or a named exemption/out-of-scope case."""
    if key.category == "PERCENTAGE":
        if key.rate is None or key.rate.normalize() not in {r.normalize() for r in ALLOWED_RATES}:
            raise InvalidVat(f"VAT key {key.short_name!r}: rate {key.rate} is not 5 %, 18 % or 27 %")
    elif not key.nav_case:
        raise InvalidVat(f"VAT key {key.short_name!r} ({key.category}) names no exemption or out-of-scope case")


def effective_rate(key: VatKey) -> Decimal:
    """The rate VAT is charged at: the key's rate, zero for exemptions and reverse charge."""
    return key.rate if key.category == "PERCENTAGE" and key.rate is not None else Decimal("0")


def line_amounts(gross_unit_price: Decimal, quantity: Decimal, key: VatKey, currency: str) -> LineAmounts:
    """Net, VAT and gross of one line from its gross unit price (the price the buyer saw)."""
    unit = rounding_unit(currency)
    gross = round_amount(gross_unit_price * quantity, unit)
    rate = effective_rate(key)
    vat = round_amount(gross * rate / (1 + rate), unit) if rate else ZERO
    return LineAmounts(net=(gross - vat).quantize(CENT), vat=vat, gross=gross)


def net_unit_price(gross_unit_price: Decimal, key: VatKey) -> Decimal:
    """Net unit price printed on the line, to the cent."""
    rate = effective_rate(key)
    return (gross_unit_price / (1 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def add(amounts: Iterable[LineAmounts]) -> LineAmounts:
    """Exact sum of amounts."""
    net = vat = gross = ZERO
    for a in amounts:
        net, vat, gross = net + a.net, vat + a.vat, gross + a.gross
    return LineAmounts(net=net, vat=vat, gross=gross)


def negate(amounts: LineAmounts) -> LineAmounts:
    return LineAmounts(net=-amounts.net + 0, vat=-amounts.vat + 0, gross=-amounts.gross + 0)


@dataclass(frozen=True)
class Keyed:
    """Amounts of one line with the VAT key they were charged under."""

    vat_key: VatKey
    amounts: LineAmounts


def vat_summary(lines: Iterable[Keyed]) -> tuple[VatSummaryLine, ...]:
    """One row per VAT key, in order of first appearance, each the exact sum of its lines."""
    groups: dict[VatKey, list[LineAmounts]] = {}
    for line in lines:
        groups.setdefault(line.vat_key, []).append(line.amounts)
    return tuple(VatSummaryLine(vat_key=key, **add(parts).model_dump()) for key, parts in groups.items())


def cash_rounding(gross_total: Decimal, currency: str, is_cash: bool) -> Decimal:
    """Adjustment of a cash payable to the nearest 0 or 5 forints (2008. évi III. tv.); 0 otherwise.

    Only the amount paid changes: net, VAT and gross stay as computed.
    """
    if not is_cash or currency != "HUF":
        return ZERO
    payable = (gross_total / FIVE).quantize(FORINT, rounding=ROUND_HALF_UP) * FIVE
    return (payable - gross_total).quantize(CENT) + 0
