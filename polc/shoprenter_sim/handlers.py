"""The API's behaviour, independent of HTTP: list, read, write and delete resources.

Both the HTTP routes and the Batch API call `dispatch`; errors are raised as `ApiError`.
"""

from __future__ import annotations

from typing import Any

from polc.shoprenter_sim.render import page_envelope, render_row
from polc.shoprenter_sim.resources import (
    LINK_TARGETS,
    RESOURCES,
    ApiError,
    ResourceDef,
    link_ref,
    resolve_id,
)
from polc.shoprenter_sim.store import Coll, Ref, Row, ShopState, money

PAGING = {"page", "limit", "full", "emptyBody"}
READONLY = {"innerId", "dateCreated", "dateUpdated", "href", "allImages", "productInnerId", "extension"}
MONEY = {"price", "cost", "total", "value", "originalPrice", "grossPrice", "percentDiscountValue",
         "fixDiscountValue", "freeShippingFrom", "minOrderLimit", "maxOrderLimit"}
REQUIRED = {
    "products": ("sku",),
    "productExtend": ("sku", "productDescriptions"),
    "productDescriptions": ("product", "language"),
    "customers": ("firstname", "lastname", "email", "telephone", "password"),
    "addresses": ("firstname", "lastname", "address1", "postcode", "city", "customer"),
    "coupons": ("code",),
    "orderProducts": ("order",),
    "orderTotals": ("order",),
}
# Resources whose writes answer with the resource even when emptyBody=1 is asked for.
IGNORES_EMPTY_BODY = {"products", "productExtend"}


def dispatch(
    state: ShopState, base: str, method: str, resource: str, rid: str | None,
    query: dict[str, str], body: Any,
) -> tuple[int, Any]:
    """Serve one API call; returns (status, JSON payload)."""
    res = RESOURCES.get(resource)
    if res is None:
        raise ApiError(404, 40401, f'Resource matching URI "/{resource}" not found')
    if method not in res.methods:
        raise ApiError(405, None, f"Method {method} is not allowed on {resource}")
    if method == "GET":
        return 200, (get_item(state, base, res, rid) if rid else list_collection(state, base, res, query))
    if method == "DELETE":
        return delete(state, res, rid, query)
    return write(state, base, res, method, rid, query, unwrap(body))


def unwrap(body: Any) -> dict[str, Any]:
    """Accept both the bare object and the {"data": {...}} envelope."""
    if isinstance(body, dict) and set(body) == {"data"} and isinstance(body["data"], dict):
        body = body["data"]
    if not isinstance(body, dict) or not body:
        raise ApiError(400, 40001, "Data parameter not found in POST/PUT!")
    return body


def list_collection(state: ShopState, base: str, res: ResourceDef, query: dict[str, str]) -> dict[str, Any]:
    unknown = [k for k in query if k not in PAGING and k not in res.filters]
    if unknown:
        raise ApiError(400, 40010, f"The given parameter: {unknown[0]} is not available!")
    page = _number(query.get("page", "0"), "page")
    limit = _number(query.get("limit", "25"), "limit")
    if limit < 1 or limit > 200:
        raise ApiError(400, 40005, "Wrong data: limit must be between 1 and 200")
    rows = state.table(res.table)
    ids = sorted(i for i, row in rows.items()
                 if all(res.filters[k](state, row, v) for k, v in query.items() if k in res.filters))
    last_page = max(0, -(-len(ids) // limit) - 1)
    if page < 0 or page > last_page:
        raise ApiError(400, 40008, f"Page not found! This Resource minimum page is 0 and maximum page is {last_page}")
    chunk = ids[page * limit:(page + 1) * limit]
    full = query.get("full") == "1"
    items = [render_row(base, state, res, i) if full else {"href": render_row(base, state, res, i)["href"]}
             for i in chunk]
    filters = {k: v for k, v in query.items() if k not in ("page", "limit")}
    return page_envelope(base, res, filters, page, limit, len(ids), items)


def get_item(state: ShopState, base: str, res: ResourceDef, rid: str) -> dict[str, Any]:
    inner = resolve_id(state, res, rid)
    if inner is None:
        raise ApiError(404, 40401, "Resource not found!")
    return render_row(base, state, res, inner)


def delete(state: ShopState, res: ResourceDef, rid: str | None, query: dict[str, str]) -> tuple[int, Any]:
    inner = _target(state, res, rid, query)
    if inner is None:
        raise ApiError(404, 40401, "Resource not found!")
    state.delete(res.table, inner)
    return 204, None


def write(
    state: ShopState, base: str, res: ResourceDef, method: str, rid: str | None,
    query: dict[str, str], body: dict[str, Any],
) -> tuple[int, Any]:
    """POST creates (or modifies an existing id); PUT modifies an existing resource."""
    ro = sorted(READONLY & body.keys())
    if ro:
        raise ApiError(400, 40002, f"Readonly fields: {', '.join(ro)}")
    inner = _target(state, res, rid, query)
    if inner is None and (method == "PUT" or "sku" in query):
        raise ApiError(404, 40033 if "sku" in query else 40401,
                       "Product sku not found!" if "sku" in query else "Resource not found!")
    outer = body.get("id") if isinstance(body.get("id"), str) else None
    if inner is None and rid is not None:
        outer = outer or rid  # POST /coll/<unknown id> creates under that Outer ID
    if outer is not None:
        owner = state.outer_ids.get(res.table, {}).get(outer)
        if owner is not None and owner != inner:
            raise ApiError(400, 40005, f"Wrong data: Outer ID {outer} exists")
    descriptions = body.pop("productDescriptions", None) if res.name == "productExtend" else None
    if inner is None:
        missing = [f for f in REQUIRED.get(res.name, ()) if f not in body and not (
            f == "productDescriptions" and descriptions)]
        if missing:
            raise ApiError(400, 40003, f"Required fields: {', '.join(missing)}")
    fields = encode_fields(state, body)
    status = 200
    if inner is None:
        inner = state.insert(res.table, _defaults(res) | fields | {"innerId": ""})
        state.table(res.table)[inner]["innerId"] = str(inner)
        if res.table == "products":
            state.table("products")[inner]["productDescriptions"] = Coll(
                "productDescriptions", "productId", Ref("products", inner))
        status = 201
    else:
        row = state.table(res.table)[inner]
        row.update(fields)
        state.touch(row)
    if outer is not None:
        state.outer_ids.setdefault(res.table, {})[outer] = inner
    if descriptions:
        _write_descriptions(state, inner, descriptions)
    if query.get("emptyBody") == "1" and res.name not in IGNORES_EMPTY_BODY:
        return status, []
    return status, render_row(base, state, res, inner)


def encode_fields(state: ShopState, body: dict[str, Any]) -> Row:
    """Request values in stored (wire) form; links given as {"id": ...} become Refs."""
    out: Row = {}
    for key, v in body.items():
        if key == "id":
            continue
        if key in LINK_TARGETS and v is not None:
            out[key] = link_ref(state, key, v)
        elif isinstance(v, bool):
            out[key] = "1" if v else "0"
        elif isinstance(v, (int, float)) and key in MONEY:
            out[key] = money(v)
        elif isinstance(v, float):
            out[key] = str(int(v)) if v.is_integer() else str(v)
        elif isinstance(v, (int, str)):
            out[key] = str(v)
        elif isinstance(v, (dict, list)) or v is None:
            out[key] = v if v is not None else ""
        else:
            raise ApiError(400, 40005, f"Wrong data: {key} is not a scalar")
    return out


def _target(state: ShopState, res: ResourceDef, rid: str | None, query: dict[str, str]) -> int | None:
    if rid is not None:
        return resolve_id(state, res, rid)
    sku = query.get("sku")
    if sku is not None and res.table == "products":
        return next((i for i, r in state.table("products").items() if r.get("sku") == sku), None)
    return None


def _number(v: str, name: str) -> int:
    try:
        return int(v)
    except ValueError:
        raise ApiError(400, 40005, f"Wrong data: {name} is not an integer") from None


def _defaults(res: ResourceDef) -> Row:
    if res.table == "products":
        return {"sku": "", "modelNumber": {}, "price": money(0), "stock1": "0", "stock2": "0", "stock3": "0",
                "stock4": "0", "subtractStock": "1", "status": "1", "orderable": "1", "availableDate": "0000-00-00",
                "taxClass": None}
    return {}


def _write_descriptions(state: ShopState, product: int, descriptions: Any) -> None:
    for desc in descriptions if isinstance(descriptions, list) else []:
        if not isinstance(desc, dict):
            raise ApiError(400, 40005, "Wrong data: productDescriptions")
        fields = encode_fields(state, {k: v for k, v in desc.items() if k != "product"})
        if "language" not in fields:
            raise ApiError(400, 40003, "Required fields: language")
        fields["product"] = Ref("products", product)
        state.insert("productDescriptions", fields)
