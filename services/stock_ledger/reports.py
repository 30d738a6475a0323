"""The stock quantity report (M25) as plain functions: figures per product and warehouse, CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from decimal import Decimal

ZERO = Decimal(0)

BASE_COLUMNS = ("warehouse_id", "sku", "name", "unit", "physical", "reserved", "free", "minimum", "incoming",
                "to_purchase")
SUPPLIER_COLUMNS = ("default_supplier_id", "supplier_name", "supplier_item_number")


def to_purchase(physical: Decimal, reserved: Decimal, minimum: Decimal | None, incoming: Decimal) -> Decimal:
    """What really must be bought: max(0, minimum + reserved - physical - incoming)."""
    return max(ZERO, (minimum or ZERO) + reserved - physical - incoming)


def report_row(row: Mapping, with_supplier: bool) -> dict:
    """One report row from the stored figures of a product in a warehouse."""
    physical, reserved, incoming = row["physical"], row["reserved"], row["incoming"]
    minimum = row["minimum_stock"]
    out = {
        "warehouse_id": row["warehouse_id"], "sku": row["sku"], "name": row["name"], "unit": row["unit"],
        "physical": physical, "reserved": reserved, "free": physical - reserved, "minimum": minimum or ZERO,
        "incoming": incoming, "to_purchase": to_purchase(physical, reserved, minimum, incoming),
    }
    if with_supplier:
        out.update({c: row[c] for c in SUPPLIER_COLUMNS})
    return out


def stock_report(rows: Iterable[Mapping], *, with_supplier: bool = False, only_to_purchase: bool = False,
                 only_below_minimum: bool = False) -> list[dict]:
    """The report rows, filtered; ``only_below_minimum`` keeps rows whose free stock is under the minimum."""
    report = [report_row(r, with_supplier) for r in rows]
    if only_to_purchase:
        report = [r for r in report if r["to_purchase"] > 0]
    if only_below_minimum:
        report = [r for r in report if r["free"] < r["minimum"]]
    return report


def to_csv(report: list[dict], with_supplier: bool) -> str:
    """The report as CSV (comma-separated, header row, decimals with a point)."""
    columns = BASE_COLUMNS + (SUPPLIER_COLUMNS if with_supplier else ())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in report:
        writer.writerow(["" if row.get(c) is None else _text(row[c]) for c in columns])
    return buffer.getvalue()


def _text(value: object) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)
