"""Turning stored rows into the JSON the API prints: ids, hrefs, links and embedded rows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from polc.shoprenter_sim.resources import RESOURCES, ResourceDef, public_id, resource_for_table
from polc.shoprenter_sim.store import Coll, Ref, Row, ShopState


def href(base: str, state: ShopState, ref: Ref) -> str:
    res = resource_for_table(ref.resource)
    return f"{base}/{res.name}/{public_id(state, res, ref.inner_id)}"


def value(base: str, state: ShopState, v: Any) -> Any:
    """Render one stored value."""
    if type(v) is str:  # most values are; a page of 200 orders holds tens of thousands
        return v
    if isinstance(v, Ref):
        return {"href": href(base, state, v)}
    if isinstance(v, Coll):
        owner = resource_for_table(v.owner.resource)
        return {"href": f"{base}/{v.resource}?{v.param}={public_id(state, owner, v.owner.inner_id)}"}
    if isinstance(v, list):
        return [value(base, state, item) for item in v]
    if isinstance(v, dict):
        return {k: value(base, state, item) for k, item in v.items() if not k.startswith("_")}
    return v


def render_row(base: str, state: ShopState, res: ResourceDef, inner_id: int) -> dict[str, Any]:
    """A full resource object, as a GET by id (or `full=1`) returns it."""
    row = state.table(res.table)[inner_id]
    rid = public_id(state, res, inner_id)
    out: dict[str, Any] = {"href": f"{base}/{res.name}/{rid}", "id": rid}
    for k, v in row.items():  # one pass, strings as they are: a page of orders renders thousands of rows
        if not k.startswith("_"):
            out[k] = v if type(v) is str else value(base, state, v)
    extend = EXTENDERS.get(res.name)
    if extend:
        extend(base, state, inner_id, out)
    return out


def _children(state: ShopState, table: str, link: str, owner: Ref) -> list[int]:
    return state.children(table, link, owner)


def _extend_order(base: str, state: ShopState, inner_id: int, out: dict[str, Any]) -> None:
    owner = Ref("orders", inner_id)
    out["orderProducts"] = [render_row(base, state, RESOURCES["orderProducts"], i)
                            for i in _children(state, "orderProducts", "order", owner)]
    out["orderTotals"] = [render_row(base, state, RESOURCES["orderTotals"], i)
                          for i in _children(state, "orderTotals", "order", owner)]
    row = state.table("orders")[inner_id]
    coupon = row.get("_coupon")
    out["coupon"] = render_row(base, state, RESOURCES["coupons"], coupon) if coupon else {}
    currency = row.get("currency")
    out["currency"] = render_row(base, state, RESOURCES["currencies"], currency.inner_id) if currency else {}
    mode = row.get("shippingMode")
    out["shippingMode"] = render_row(base, state, RESOURCES["shippingModes"], mode.inner_id) if mode else None
    out["orderGiftWrappings"] = []
    out["orderAddressIdentifications"] = []


def _extend_product(base: str, state: ShopState, inner_id: int, out: dict[str, Any]) -> None:
    owner = Ref("products", inner_id)
    out["productDescriptions"] = [
        render_row(base, state, RESOURCES["productDescriptions"], i)
        for i in _children(state, "productDescriptions", "product", owner)
    ]


EXTENDERS = {"orderExtend": _extend_order, "productExtend": _extend_product}


def page_envelope(
    base: str, res: ResourceDef, query: dict[str, str], page: int, limit: int, total: int, items: list[Any]
) -> dict[str, Any]:
    """The collection envelope with first/previous/next/last links and pageCount."""
    page_count = max(1, -(-total // limit))
    rest = urlencode({k: v for k, v in query.items() if k not in ("page", "limit")})
    filters = f"&{rest}" if rest else ""

    def link(p: int) -> dict[str, str]:
        return {"href": f"{base}/{res.name}?page={p}&limit={limit}{filters}"}

    return {
        "href": link(page)["href"],
        "page": str(page),
        "pageCount": str(page_count),
        "limit": str(limit),
        "first": link(0),
        "previous": link(page - 1) if page > 0 else None,
        "next": link(page + 1) if page + 1 < page_count else None,
        "last": link(page_count - 1),
        "items": items,
    }
