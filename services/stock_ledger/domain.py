"""Ledger rules as plain functions: what a document does to the figures of each warehouse+SKU.

A :class:`Delta` is the change one document makes to one warehouse+SKU. The store applies a
list of deltas in one statement; these functions only decide what the deltas are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from contracts.common import VatKey
from contracts.stock import StockChangeCause, StockChanged, StockChangeKind

ZERO = Decimal(0)


@dataclass(frozen=True)
class Cause:
    """The document behind a set of deltas, written on every movement and StockChanged."""

    kind: StockChangeKind
    document_id: str
    shop_id: str | None = None
    shop_order_id: str | None = None
    message_id: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Delta:
    """Change of the three stored figures of one warehouse+SKU; ``kind`` names the movement."""

    warehouse_id: str
    sku: str
    kind: StockChangeKind
    physical: Decimal = ZERO
    reserved: Decimal = ZERO
    incoming: Decimal = ZERO

    @property
    def key(self) -> tuple[str, str]:
        return self.warehouse_id, self.sku

    @property
    def is_zero(self) -> bool:
        return self.physical == 0 and self.reserved == 0 and self.incoming == 0


def merge(deltas: Iterable[Delta]) -> list[Delta]:
    """One delta per warehouse+SKU, in key order (the order rows are locked in), zeros dropped.

    The merged delta is named after its physical movement when it has one (a sale that also
    releases the reservation is a sale), otherwise after the first delta of the key.
    """
    merged: dict[tuple[str, str], Delta] = {}
    for d in deltas:
        seen = merged.get(d.key)
        if seen is None:
            merged[d.key] = d
            continue
        kind = seen.kind if seen.physical != 0 or d.physical == 0 else d.kind
        merged[d.key] = replace(seen, kind=kind, physical=seen.physical + d.physical,
                                reserved=seen.reserved + d.reserved, incoming=seen.incoming + d.incoming)
    return [merged[k] for k in sorted(merged) if not merged[k].is_zero]


def sum_by_sku(pairs: Iterable[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """Quantities summed per SKU, keeping first-seen order; non-positive totals dropped."""
    totals: dict[str, Decimal] = {}
    for sku, quantity in pairs:
        totals[sku] = totals.get(sku, ZERO) + quantity
    return {sku: q for sku, q in totals.items() if q > 0}


def count_deltas(warehouse_id: str, counted: Mapping[str, Decimal], on_shelf: Mapping[str, Decimal]) -> list[Delta]:
    """A stock count books the difference between what was found and what the ledger holds."""
    return [Delta(warehouse_id, sku, "stock_count", physical=found - on_shelf.get(sku, ZERO))
            for sku, found in counted.items()]


def received_against_order(received: Mapping[str, Decimal],
                           outstanding: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """How much of each received SKU settles the purchase order: never more than still outstanding."""
    settled = {sku: min(q, outstanding.get(sku, ZERO)) for sku, q in received.items()}
    return {sku: q for sku, q in settled.items() if q > 0}


def violations(deltas: Iterable[Delta], physical_after: Mapping[tuple[str, str], Decimal]) -> list[str]:
    """Keys a command took below zero: a command may not take away stock that is not there."""
    return [f"{w}:{s} would fall to {physical_after[(w, s)]}" for d in deltas
            for (w, s) in [d.key] if d.physical < 0 and physical_after.get((w, s), ZERO) < 0]


def stock_changed(row: Mapping, delta: Delta, cause: Cause, changed_at: datetime) -> StockChanged:
    """The event for one warehouse+SKU after ``delta`` was applied; ``row`` holds the new figures."""
    return StockChanged(
        warehouse_id=row["warehouse_id"], sku=row["sku"], version=row["version"],
        physical=row["physical"], reserved=row["reserved"], free=row["physical"] - row["reserved"],
        incoming=row["incoming"], physical_change=delta.physical, reserved_change=delta.reserved,
        incoming_change=delta.incoming,
        cause=StockChangeCause(kind=delta.kind, document_id=cause.document_id, shop_id=cause.shop_id,
                               shop_order_id=cause.shop_order_id, message_id=cause.message_id),
        changed_at=changed_at,
    )


def gross_price(net: Decimal, vat: VatKey | Mapping) -> Decimal:
    """Normal gross price at the product's VAT rate, rounded to the fillér for display."""
    rate = vat.rate if isinstance(vat, VatKey) else vat.get("rate")
    gross = net * (1 + Decimal(str(rate))) if rate is not None else net
    return gross.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
