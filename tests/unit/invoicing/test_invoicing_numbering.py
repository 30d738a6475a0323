"""Invoice number format and series rules (pure)."""

from __future__ import annotations

import pytest

from services.invoicing.numbering import InvoiceNumber, format_number, missing_sequences, parse_number, series_for


def test_number_format_round_trips_and_sorts_numerically():
    text = format_number("KP", 2025, 123)
    assert text == "KP-2025-000123" and len(text) <= 50 and text == text.strip()
    assert parse_number(text) == InvoiceNumber("KP", 2025, 123)
    assert parse_number("KP-2025-1000000") > parse_number("KP-2025-999999")


@pytest.mark.parametrize("series", ["", "kp", "K P", "KP-1", "A" * 13])
def test_invalid_series_rejected(series):
    with pytest.raises(ValueError):
        format_number(series, 2025, 1)


def test_sequences_start_at_one():
    with pytest.raises(ValueError):
        format_number("KP", 2025, 0)


def test_series_per_shop_with_default():
    assert series_for("kavepor", {"kavepor": "KP"}, "SZ") == "KP"
    assert series_for("teahaz", {"kavepor": "KP"}, "SZ") == "SZ"
    with pytest.raises(ValueError):
        series_for("x", {"x": "bad series"}, "SZ")


def test_missing_sequences():
    assert missing_sequences([1, 2, 3]) == []
    assert missing_sequences([]) == []
    assert missing_sequences([1, 3, 4, 6]) == [2, 5]
