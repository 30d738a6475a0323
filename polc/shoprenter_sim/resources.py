"""The resources the simulator serves: id scheme, backing table, filters, allowed methods."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from polc.shoprenter_sim.ids import decode_id, encode_id
from polc.shoprenter_sim.store import Coll, Ref, Row, ShopState

DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: (state, row, raw query value) -> keep the row?
Filter = Callable[[ShopState, Row, str], bool]


class ApiError(Exception):
    """An error response: HTTP status, ShopRenter inner code, message."""

    def __init__(self, status: int, code: int | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, object]:
        return {"error": self.status, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class ResourceDef:
    name: str
    table: str
    entity: str
    key: str
    methods: frozenset[str]
    filters: dict[str, Filter] = field(default_factory=dict)


def _eq(fieldname: str) -> Filter:
    return lambda _s, row, v: str(row.get(fieldname, "")) == v


def _inner_min(_s: ShopState, row: Row, v: str) -> bool:
    return int(row["innerId"]) >= _int(v)


def _inner_eq(_s: ShopState, row: Row, v: str) -> bool:
    return int(row["innerId"]) == _int(v)


def _int(v: str) -> int:
    try:
        return int(v)
    except ValueError:
        raise ApiError(400, 40005, f"Wrong data: {v} is not an integer") from None


def _when(fieldname: str, op: str) -> Filter:
    def check(_s: ShopState, row: Row, v: str) -> bool:
        if not DATETIME_RE.match(v):
            raise ApiError(400, 40009, "The datetime filter format must be: 1990-01-01T00:00:00")
        value = str(row.get(fieldname, ""))
        return value >= v if op == "min" else value <= v
    return check


def _on_date(fieldname: str) -> Filter:
    def check(_s: ShopState, row: Row, v: str) -> bool:
        if not DATE_RE.match(v):
            raise ApiError(400, 40017, "The date filter format must be: 1990-01-01")
        return str(row.get(fieldname, ""))[:10] == v
    return check


def _link(fieldname: str, target: str) -> Filter:
    """Filter by a link field given the linked resource's id (as clients send it)."""
    def check(state: ShopState, _row: Row, v: str) -> bool:
        ref = _row.get(fieldname)
        return isinstance(ref, Ref) and ref.inner_id == resolve_id(state, RESOURCES[target], v)
    return check


def _link_inner(fieldname: str) -> Filter:
    return lambda _s, row, v: isinstance(row.get(fieldname), Ref) and row[fieldname].inner_id == _int(v)


def _order_filters() -> dict[str, Filter]:
    return {
        "innerId": _inner_eq,
        "innerIdMin": _inner_min,
        "orderStatusId": _link("orderStatus", "orderStatuses"),
        "email": _eq("email"),
        "excludeAbandonedCart": lambda _s, row, v: v != "1" or row.get("orderStatus") is not None,
        "excludeStorno": lambda s, row, v: v != "1" or not _is_storno(s, row),
        "createdAtMin": _when("dateCreated", "min"),
        "createdAtMax": _when("dateCreated", "max"),
        "updatedAtMin": _when("dateUpdated", "min"),
        "updatedAtMax": _when("dateUpdated", "max"),
        "createdAt": _on_date("dateCreated"),
        "updatedAt": _on_date("dateUpdated"),
        "shippingModeInnerId": _link_inner("shippingMode"),
    }


def _is_storno(state: ShopState, row: Row) -> bool:
    ref = row.get("orderStatus")
    return isinstance(ref, Ref) and ref.inner_id in state.extras.get("storno_status_ids", ())


def _product_filters(extended: bool) -> dict[str, Filter]:
    filters: dict[str, Filter] = {
        "innerId": _inner_eq,
        "sku": _eq("sku"),
        "createdAt": _on_date("dateCreated"),
        "updatedAt": _on_date("dateUpdated"),
        "parentProductId": _link("parentProduct", "products"),
    }
    if extended:
        filters |= {
            "updatedAfter": _when("dateUpdated", "min"),
            "updatedBefore": _when("dateUpdated", "max"),
            "createdAfter": _when("dateCreated", "min"),
            "createdBefore": _when("dateCreated", "max"),
            "published": lambda _s, row, v: v == "2" or str(row.get("status")) == v,
        }
    return filters


READ = frozenset({"GET"})
CRUD = frozenset({"GET", "POST", "PUT", "DELETE"})

RESOURCES: dict[str, ResourceDef] = {
    r.name: r
    for r in [
        ResourceDef("orders", "orders", "order", "order_id", frozenset({"GET", "POST", "PUT"}), _order_filters()),
        ResourceDef("orderExtend", "orders", "order", "order_id", READ, _order_filters()),
        ResourceDef("orderProducts", "orderProducts", "orderProduct", "order_product_id", CRUD,
                    {"orderId": _link("order", "orders")}),
        ResourceDef("orderTotals", "orderTotals", "orderTotal", "order_total_id", CRUD,
                    {"orderId": _link("order", "orders")}),
        ResourceDef("orderStatuses", "orderStatuses", "orderStatus", "order_status_id", READ),
        ResourceDef("orderStatusDescriptions", "orderStatusDescriptions", "orderStatusDescription",
                    "order_status_description_id", READ,
                    {"orderStatusId": _link("orderStatus", "orderStatuses"),
                     "languageId": _link("language", "languages")}),
        ResourceDef("customers", "customers", "customer", "customer_id", CRUD,
                    {"innerId": _inner_eq, "email": _eq("email"),
                     "createdAtMin": _when("dateCreated", "min"), "createdAtMax": _when("dateCreated", "max"),
                     "updatedAtMin": _when("dateUpdated", "min"), "updatedAtMax": _when("dateUpdated", "max")}),
        ResourceDef("addresses", "addresses", "address", "address_id", CRUD,
                    {"innerId": _inner_eq, "customerId": _link("customer", "customers")}),
        ResourceDef("products", "products", "product", "product_id", CRUD, _product_filters(False)),
        ResourceDef("productExtend", "products", "product", "product_id", CRUD, _product_filters(True)),
        ResourceDef("productDescriptions", "productDescriptions", "productDescription", "product_description_id",
                    CRUD, {"productId": _link("product", "products"), "languageId": _link("language", "languages"),
                           "name": _eq("name")}),
        ResourceDef("taxClasses", "taxClasses", "taxClass", "tax_class_id", READ),
        ResourceDef("taxRates", "taxRates", "taxRate", "tax_rate_id", READ,
                    {"taxClassId": _link("taxClass", "taxClasses")}),
        ResourceDef("paymentModes", "paymentModes", "paymentMode", "extension_id", READ),
        ResourceDef("shippingModeExtend", "shippingModes", "shippingMode", "id", CRUD, {"innerId": _inner_eq}),
        ResourceDef("shippingModes", "shippingModes", "shippingMode", "id", READ),
        ResourceDef("coupons", "coupons", "coupon", "coupon_id", CRUD, {"code": _eq("code")}),
        ResourceDef("languages", "languages", "language", "language_id", READ,
                    {"innerId": _inner_eq, "code": _eq("code")}),
        ResourceDef("currencies", "currencies", "currency", "currency_id", READ, {"code": _eq("code")}),
        ResourceDef("customerGroups", "customerGroups", "customerGroup", "customer_group_id", READ),
    ]
}

#: Which resource's ids a Ref to a table is rendered with.
TABLE_RESOURCE = {"orders": "orders", "products": "products", "shippingModes": "shippingModes"}


def resource_for_table(table: str) -> ResourceDef:
    return RESOURCES[TABLE_RESOURCE.get(table, table)]


def public_id(state: ShopState, res: ResourceDef, inner_id: int) -> str:
    """A row's id: its Outer ID if the client gave it one, else the base64 id."""
    for outer, target in state.outer_ids.get(res.table, {}).items():
        if target == inner_id:
            return outer
    return encode_id(res.entity, res.key, inner_id)


def resolve_id(state: ShopState, res: ResourceDef, resource_id: str) -> int | None:
    """The inner id a client-given id (base64 or Outer ID) refers to, if the row exists."""
    outer = state.outer_ids.get(res.table, {}).get(resource_id)
    inner = outer if outer is not None else decode_id(resource_id, res.entity, res.key)
    return inner if inner is not None and inner in state.table(res.table) else None


def link_ref(state: ShopState, fieldname: str, value: object) -> Ref:
    """A Ref from a request's {"id": ...} link, or 400/40005 if it names nothing."""
    target = LINK_TARGETS.get(fieldname)
    rid = value.get("id") if isinstance(value, dict) else None
    inner = resolve_id(state, RESOURCES[target], str(rid)) if target and rid else None
    if inner is None:
        raise ApiError(400, 40005, f"Wrong data: bad resource id array([id] => {rid}) for {fieldname}")
    return Ref(RESOURCES[target].table, inner)


LINK_TARGETS = {
    "taxClass": "taxClasses", "product": "products", "language": "languages", "order": "orders",
    "customer": "customers", "orderStatus": "orderStatuses", "customerGroup": "customerGroups",
    "parentProduct": "products", "currency": "currencies", "shippingMode": "shippingModes",
}

__all__ = ["ApiError", "Coll", "LINK_TARGETS", "RESOURCES", "Ref", "ResourceDef", "link_ref",
           "public_id", "resolve_id", "resource_for_table"]
