"""Turning pending writes into one batch: latest value per product, stock and price in one call.

Many changes of one SKU are already one pending row per kind (the database keeps the newest
version); here the stock and price rows of a SKU become one ``PUT /products/{id}`` and the
batch is cut at the Batch API's 200 items.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from services.webshop_push.stock import is_newer, shop_quantity


@dataclass(frozen=True)
class Change:
    """One back-office change of one SKU in one shop (what a subscriber records)."""

    shop_id: str
    sku: str
    kind: str
    version: int


def coalesce(changes: Iterable[Change]) -> dict[tuple[str, str, str], Change]:
    """The newest change per shop, SKU and kind; older or replayed versions never win."""
    latest: dict[tuple[str, str, str], Change] = {}
    for change in changes:
        key = (change.shop_id, change.sku, change.kind)
        if is_newer(change.version, latest[key].version if key in latest else None):
            latest[key] = change
    return latest


@dataclass
class Pending:
    """A pending write joined with the value it should write now."""

    sku: str
    kind: str
    version: int
    row: Any


@dataclass
class ProductWrite:
    """One product update: stock, price or both, for one shop product id."""

    sku: str
    product_id: str
    stock: Decimal | None = None
    price: Decimal | None = None
    parts: list[Pending] = field(default_factory=list)
    solo: bool = False

    def body(self) -> dict[str, Decimal]:
        out = {}
        if self.price is not None:
            out["price"] = self.price
        if self.stock is not None:
            out["stock1"] = self.stock
        return out


@dataclass
class Plan:
    """What one round of a shop's pusher does."""

    writes: list[ProductWrite] = field(default_factory=list)
    solo: list[ProductWrite] = field(default_factory=list)
    creates: list[Pending] = field(default_factory=list)
    unknown_ids: list[Pending] = field(default_factory=list)
    nothing_to_do: list[Pending] = field(default_factory=list)


def plan(rows: Iterable[Any], batch_size: int = 200) -> Plan:
    """Group due pending rows (as ``store.due_writes`` returns them) into product writes.

    A row whose value is unknown (no ledger figure, no price) has nothing to write. Rows marked
    solo (their last try failed inside a batch) go alone, one write per round.
    """
    result = Plan()
    by_sku: dict[str, ProductWrite] = {}
    solo: dict[str, ProductWrite] = {}
    for row in rows:
        item = Pending(sku=row["sku"], kind=row["kind"], version=row["version"], row=row)
        if item.kind == "create":
            result.creates.append(item)
            continue
        value = _value(row)
        if value is None:
            result.nothing_to_do.append(item)
            continue
        if not row["shop_product_id"]:
            result.unknown_ids.append(item)
            continue
        group = solo if row["solo"] else by_sku
        write = group.get(item.sku)
        if write is None:
            if group is by_sku and len(by_sku) >= batch_size:
                continue
            write = group[item.sku] = ProductWrite(sku=item.sku, product_id=row["shop_product_id"],
                                                   solo=group is solo)
        setattr(write, item.kind, value)
        write.parts.append(item)
    result.writes = list(by_sku.values())
    result.solo = list(solo.values())
    return result


def _value(row: Any) -> Decimal | None:
    if row["kind"] == "stock":
        return None if row["free"] is None else shop_quantity(row["free"], row["safety_buffer"])
    return row["net_price"]
