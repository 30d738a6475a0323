"""Fulfillable orders (M21), pick summaries (M22) and purchase needs (M24) as plain functions.

Allocation is explicit: open orders are judged one by one in priority order against the
physical stock of their warehouse. A fulfillable order takes its stock before the next order
is judged; an order that lacks even one unit of one product takes nothing. So the fulfillable
orders together never need more than is on the shelf, and any selection of them can be packed
together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

ZERO = Decimal(0)
Key = tuple[str, str]  # (warehouse_id, sku)
Ref = tuple[str, str]  # (shop_id, shop_order_id)


@dataclass(frozen=True)
class Line:
    line_no: int
    sku: str
    name: str
    quantity: Decimal
    unit: str
    is_stock_item: bool = True


@dataclass(frozen=True)
class OpenOrder:
    shop_id: str
    shop_order_id: str
    order_number: str
    warehouse_id: str
    placed_at: datetime | None
    seq: int
    is_paid: bool = False
    lines: tuple[Line, ...] = ()
    details: Mapping = field(default_factory=dict, compare=False)

    @property
    def ref(self) -> Ref:
        return self.shop_id, self.shop_order_id

    def needs(self) -> dict[str, Decimal]:
        """Stock quantity per SKU the order needs from its warehouse."""
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            if line.is_stock_item and line.quantity > 0:
                totals[line.sku] = totals.get(line.sku, ZERO) + line.quantity
        return totals


@dataclass(frozen=True)
class Priority:
    """Order of judging: oldest first; optionally paid orders first and shops in a given order."""

    paid_first: bool = False
    shop_order: tuple[str, ...] = ()

    def key(self, order: OpenOrder) -> tuple:
        shop_rank = self.shop_order.index(order.shop_id) if order.shop_id in self.shop_order else len(self.shop_order)
        placed = order.placed_at.timestamp() if order.placed_at else float("inf")
        return (shop_rank, (not order.is_paid) if self.paid_first else False, placed, order.seq)


@dataclass(frozen=True)
class Shortage:
    sku: str
    needed: Decimal
    available: Decimal

    @property
    def missing(self) -> Decimal:
        return self.needed - max(self.available, ZERO)


@dataclass(frozen=True)
class Verdict:
    order: OpenOrder
    rank: int
    fulfillable: bool
    shortages: tuple[Shortage, ...] = ()


@dataclass(frozen=True)
class Allocation:
    verdicts: tuple[Verdict, ...]
    remaining: Mapping[Key, Decimal]
    """Physical stock left per warehouse+SKU after every fulfillable order took its share."""

    def select(self, refs: Iterable[Ref]) -> list[Verdict]:
        wanted = set(refs)
        return [v for v in self.verdicts if v.order.ref in wanted]

    def unknown(self, refs: Iterable[Ref]) -> list[Ref]:
        known = {v.order.ref for v in self.verdicts}
        return [r for r in refs if r not in known]


def allocate(orders: Iterable[OpenOrder], physical: Mapping[Key, Decimal],
             priority: Priority = Priority()) -> Allocation:
    """Judge ``orders`` in priority order; a fulfillable order takes its stock before the next."""
    remaining = dict(physical)
    verdicts = []
    for rank, order in enumerate(sorted(orders, key=priority.key), start=1):
        needs = order.needs()
        shortages = tuple(Shortage(sku, q, remaining.get((order.warehouse_id, sku), ZERO))
                          for sku, q in needs.items() if q > remaining.get((order.warehouse_id, sku), ZERO))
        if not shortages:
            for sku, q in needs.items():
                remaining[(order.warehouse_id, sku)] = remaining.get((order.warehouse_id, sku), ZERO) - q
        verdicts.append(Verdict(order, rank, not shortages, shortages))
    return Allocation(tuple(verdicts), remaining)


def pick_summary(selected: Sequence[Verdict]) -> dict:
    """Per warehouse+SKU the total to prepare, and per order its lines, for fulfillable orders."""
    totals: dict[Key, dict] = {}
    orders = []
    for v in sorted(selected, key=lambda v: v.rank):
        if not v.fulfillable:
            continue
        for line in v.order.lines:
            if not line.is_stock_item:
                continue
            row = totals.setdefault((v.order.warehouse_id, line.sku), {
                "warehouse_id": v.order.warehouse_id, "sku": line.sku, "name": line.name, "unit": line.unit,
                "quantity": ZERO, "orders": 0})
            row["quantity"] += line.quantity
            row["orders"] += 1
        orders.append(order_json(v))
    return {
        "products": [totals[k] for k in sorted(totals)],
        "orders": orders,
        "not_fulfillable": [order_json(v) for v in selected if not v.fulfillable],
    }


def purchase_summary(allocation: Allocation, selected: Sequence[Verdict],
                     incoming: Mapping[Key, Decimal]) -> list[dict]:
    """Per warehouse+SKU what must be bought so the selected non-fulfillable orders can be fulfilled.

    Stock already allocated to fulfillable orders is not available to them; what is still free
    on the shelf and what is incoming from suppliers are counted before buying.
    """
    needed: dict[Key, Decimal] = {}
    orders: dict[Key, int] = {}
    for v in selected:
        if v.fulfillable:
            continue
        for sku, q in v.order.needs().items():
            key = (v.order.warehouse_id, sku)
            needed[key] = needed.get(key, ZERO) + q
            orders[key] = orders.get(key, 0) + 1
    rows = []
    for key in sorted(needed):
        available = max(allocation.remaining.get(key, ZERO), ZERO)
        coming = incoming.get(key, ZERO)
        rows.append({"warehouse_id": key[0], "sku": key[1], "needed": needed[key], "available": available,
                     "incoming": coming, "shortfall": max(ZERO, needed[key] - available),
                     "to_purchase": max(ZERO, needed[key] - available - coming), "orders": orders[key]})
    return rows


def order_json(v: Verdict) -> dict:
    o = v.order
    return {
        "shop_id": o.shop_id, "shop_order_id": o.shop_order_id, "order_number": o.order_number,
        "warehouse_id": o.warehouse_id, "placed_at": o.placed_at.isoformat() if o.placed_at else None,
        "is_paid": o.is_paid, "rank": v.rank, "fulfillable": v.fulfillable,
        "shortages": [{"sku": s.sku, "needed": s.needed, "available": s.available, "missing": s.missing}
                      for s in v.shortages],
        "lines": [{"line_no": l.line_no, "sku": l.sku, "name": l.name, "quantity": l.quantity, "unit": l.unit,
                   "is_stock_item": l.is_stock_item} for l in o.lines],
        **dict(o.details),
    }
