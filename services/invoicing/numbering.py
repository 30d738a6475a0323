"""Invoice numbers: which series an invoice belongs to and how its number is written.

A series is a prefix configured per shop (M4). Each series counts from 1 again every calendar
year, so a number is ``<series>-<year>-<sequence>`` (``KP-2025-000123``). The sequence itself is
taken from a counter row in the same transaction that stores the invoice (see ``store``), which
is what keeps every (series, year) gapless and free of repeats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

SERIES_PATTERN = re.compile(r"^[A-Z0-9]{1,12}$")
NUMBER_PATTERN = re.compile(r"^(?P<series>[A-Z0-9]{1,12})-(?P<year>\d{4})-(?P<seq>\d{6,})$")


@dataclass(frozen=True, order=True)
class InvoiceNumber:
    series: str
    year: int
    sequence: int

    def __str__(self) -> str:
        return f"{self.series}-{self.year:04d}-{self.sequence:06d}"


def format_number(series: str, year: int, sequence: int) -> str:
    """The printed number; at most 50 characters and no surrounding whitespace, as NAV requires."""
    if not SERIES_PATTERN.match(series):
        raise ValueError(f"invalid series {series!r}: 1-12 capital letters or digits")
    if sequence < 1:
        raise ValueError("sequences start at 1")
    return str(InvoiceNumber(series, year, sequence))


def parse_number(number: str) -> InvoiceNumber:
    match = NUMBER_PATTERN.match(number)
    if not match:
        raise ValueError(f"not an invoice number: {number!r}")
    return InvoiceNumber(match["series"], int(match["year"]), int(match["seq"]))


def series_for(shop_id: str, per_shop: Mapping[str, str], default: str) -> str:
    """The series a shop's invoices are numbered in."""
    series = per_shop.get(shop_id, default)
    if not SERIES_PATTERN.match(series):
        raise ValueError(f"invalid series {series!r} for shop {shop_id}")
    return series


def missing_sequences(sequences: list[int]) -> list[int]:
    """Sequences absent between 1 and the highest one: must always be empty."""
    present = set(sequences)
    return [n for n in range(1, max(present, default=0) + 1) if n not in present]
