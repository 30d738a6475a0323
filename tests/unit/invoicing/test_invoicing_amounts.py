"""Rounding, VAT summary and cash rounding on tricky amounts (pure, no I/O)."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest

from contracts.common import VatKey
from services.invoicing import amounts
from services.invoicing.amounts import InvalidVat, Keyed

V27 = VatKey(short_name="27%", category="PERCENTAGE", rate=D("0.27"))
V18 = VatKey(short_name="18%", category="PERCENTAGE", rate=D("0.18"))
V5 = VatKey(short_name="5%", category="PERCENTAGE", rate=D("0.05"))
AAM = VatKey(short_name="AAM", category="EXEMPTION", nav_case="AAM", exemption_reason="Alanyi adómentes, Áfa tv. XIII. fejezet")


def test_line_from_gross_price_in_whole_forints():
    line = amounts.line_amounts(D("12990.00"), D("1"), V27, "HUF")
    assert (line.net, line.vat, line.gross) == (D("10228.00"), D("2762.00"), D("12990.00"))


def test_fractional_quantity_and_price_round_half_away_from_zero():
    line = amounts.line_amounts(D("999.50"), D("1.5"), V5, "HUF")  # 1499.25 -> 1499
    assert line.gross == D("1499.00") and line.vat == D("71.00") and line.net == D("1428.00")
    half = amounts.line_amounts(D("0.50"), D("1"), V27, "HUF")
    assert half.gross == D("1.00")
    negative = amounts.line_amounts(D("-0.50"), D("1"), V27, "HUF")
    assert negative.gross == D("-1.00")  # a coupon mirrors a charge exactly


def test_exempt_line_has_no_vat():
    line = amounts.line_amounts(D("4990"), D("2"), AAM, "HUF")
    assert (line.net, line.vat, line.gross) == (D("9980.00"), D("0.00"), D("9980.00"))


def test_other_currencies_round_to_cents():
    line = amounts.line_amounts(D("10.005"), D("3"), V27, "EUR")
    assert line.gross == D("30.02") and line.net + line.vat == line.gross


def test_summary_equals_sum_of_lines_for_many_mixed_lines_and_coupons():
    rng = random.Random(7)
    keys = [V27, V18, V5, AAM]
    lines = []
    for _ in range(500):
        key = rng.choice(keys)
        price = D(rng.randint(-30000, 300000)) / 100
        qty = D(rng.choice(["1", "2", "3", "0.25", "1.5", "7"]))
        lines.append(Keyed(key, amounts.line_amounts(price, qty, key, "HUF")))
    summary = amounts.vat_summary(lines)
    assert [s.vat_key for s in summary] == list(dict.fromkeys(l.vat_key for l in lines))
    for row in summary:
        mine = [l.amounts for l in lines if l.vat_key == row.vat_key]
        assert row.net == sum(a.net for a in mine) and row.vat == sum(a.vat for a in mine)
        assert row.gross == sum(a.gross for a in mine) == row.net + row.vat
        assert row.net == row.net.to_integral() and row.vat == row.vat.to_integral()
    totals = amounts.add(summary)
    assert totals.gross == sum(l.amounts.gross for l in lines) == totals.net + totals.vat


def test_each_line_vat_is_within_half_a_forint_of_exact():
    for cents in range(100, 100000, 997):
        gross = D(cents)
        line = amounts.line_amounts(gross, D(1), V27, "HUF")
        assert abs(line.vat - gross * D("0.27") / D("1.27")) <= D("0.5")


@pytest.mark.parametrize(("gross", "adjustment"), [
    ("1000", "0"), ("1001", "-1"), ("1002", "-2"), ("1003", "2"), ("1004", "1"), ("1005", "0"),
    ("1006", "-1"), ("1007", "-2"), ("1008", "2"), ("1009", "1"), ("-1003", "-2"), ("-1008", "-2"),
])
def test_cash_rounding_to_0_or_5(gross, adjustment):
    assert amounts.cash_rounding(D(gross), "HUF", is_cash=True) == D(adjustment)
    assert (D(gross) + D(adjustment)) % 5 == 0


def test_no_cash_rounding_for_card_or_foreign_currency():
    assert amounts.cash_rounding(D("1003"), "HUF", is_cash=False) == 0
    assert amounts.cash_rounding(D("1003"), "EUR", is_cash=True) == 0


@pytest.mark.parametrize("key", [
    VatKey(short_name="0%", category="PERCENTAGE", rate=D("0")),
    VatKey(short_name="7%", category="PERCENTAGE", rate=D("0.07")),
    VatKey(short_name="TAM", category="EXEMPTION"),
])
def test_vat_keys_that_cannot_be_on_an_invoice(key):
    with pytest.raises(InvalidVat):
        amounts.check_vat_key(key)


def test_allowed_keys():
    for key in (V27, V18, V5, AAM, VatKey(short_name="27 %", category="PERCENTAGE", rate=D("0.2700"))):
        amounts.check_vat_key(key)
