"""Raw rows for robustness tests: orders and products whose stored fields are set to anything.

A raw order starts as a valid order placed the storefront's way (``place_order``); then fields of
the order, its lines and its totals are replaced by the given JSON values as they are (wrong
types, nulls, negative quantities, lone surrogates, 100 KB strings) or removed. A raw product
starts from the seed catalogue's defaults and is changed the same way. The API then serves them
like every other row, so a client meets exactly the data a broken or hostile shop would send.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from polc.shoprenter_sim.seed import _seed_product
from polc.shoprenter_sim.shopping import PlaceOrder, place_order
from polc.shoprenter_sim.store import Coll, Ref, ShopState, shop_now


class RawOrder(BaseModel):
    order: PlaceOrder = Field(description="The valid order to start from.")
    set: dict[str, Any] = Field(default_factory=dict, description="Order fields replaced by these values.")
    unset: list[str] = Field(default_factory=list, description="Order fields removed.")
    line_set: dict[str, Any] = Field(default_factory=dict, description="Fields replaced on every order line.")
    line_unset: list[str] = Field(default_factory=list, description="Fields removed from every order line.")
    total_set: dict[str, dict[str, Any]] = Field(default_factory=dict,
                                                 description="Per total type (TOTAL, TAX, ...), fields replaced.")
    drop_totals: list[str] = Field(default_factory=list, description="Total types removed.")
    drop_lines: bool = Field(False, description="Remove every order line.")


class RawProduct(BaseModel):
    sku: str
    name: str = "Raw product"
    price: int = 1000
    tax_class_inner_id: int = 10
    stock: int = 10
    subtract_stock: bool = True
    set: dict[str, Any] = Field(default_factory=dict, description="Product fields replaced by these values.")
    unset: list[str] = Field(default_factory=list, description="Product fields removed.")
    description_set: dict[str, Any] = Field(default_factory=dict, description="Description fields replaced.")


def _apply(row: dict[str, Any], values: dict[str, Any], removed: list[str]) -> None:
    for key in removed:
        row.pop(key, None)
    row.update(values)


class RawProductChange(BaseModel):
    set: dict[str, Any] = Field(default_factory=dict, description="Product fields replaced by these values.")
    unset: list[str] = Field(default_factory=list, description="Product fields removed.")
    description_set: dict[str, Any] = Field(default_factory=dict, description="Description fields replaced.")


def place_raw_order(state: ShopState, req: RawOrder) -> int:
    """Place ``req.order`` and then change its stored rows as asked; returns the order's inner id."""
    inner = place_order(state, req.order)
    owner = Ref("orders", inner)
    order = state.table("orders")[inner]
    _apply(order, req.set, req.unset)
    lines = state.table("orderProducts")
    for line_id in [i for i, r in lines.items() if r.get("order") == owner]:
        if req.drop_lines:
            del lines[line_id]
        else:
            _apply(lines[line_id], req.line_set, req.line_unset)
    totals = state.table("orderTotals")
    for total_id in [i for i, r in totals.items() if r.get("order") == owner]:
        kind = totals[total_id].get("type")
        if kind in req.drop_totals:
            del totals[total_id]
        elif kind in req.total_set:
            totals[total_id].update(req.total_set[kind])
    order["dateUpdated"] = shop_now()
    return inner


def add_raw_product(state: ShopState, req: RawProduct) -> int:
    """Add a product like the seed catalogue's, then change its stored fields as asked."""
    _seed_product(state, req.sku, req.name, req.price, req.tax_class_inner_id, req.stock, req.subtract_stock)
    inner = max(i for i, r in state.table("products").items() if r.get("sku") == req.sku)
    change_raw_product(state, inner, RawProductChange(set=req.set, unset=req.unset,
                                                      description_set=req.description_set))
    return inner


def change_raw_product(state: ShopState, inner: int, change: RawProductChange) -> None:
    """Set a product's stored fields to anything (after orders were placed with its sane values)."""
    _apply(state.table("products")[inner], change.set, change.unset)
    owner = Ref("products", inner)
    for row in state.table("productDescriptions").values():
        if row.get("product") == owner:
            row.update(change.description_set)
    state.touch(state.table("products")[inner])


__all__ = ["RawOrder", "RawProduct", "RawProductChange", "place_raw_order", "add_raw_product", "change_raw_product", "Coll"]
