"""HTTP API of the stock ledger: catalog, documents, stock figures, fulfilment and reports.

Every write runs the same use case a consumed command runs, in one transaction with its
outbox rows (``runtime.enqueue``), so HTTP and the topics behave alike.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from contracts.catalog import ChangeProductPrice, CreateProduct
from contracts.stock import AdjustStock, RecordGoodsReceipt, RecordPurchaseOrder, TransferStock
from services.stock_ledger import catalog, fulfilment, ledger, store
from services.stock_ledger.allocation import Priority, order_json, pick_summary, purchase_summary
from services.stock_ledger.errors import LedgerError, NotFound
from services.stock_ledger.packing import packing_html, packing_pdf
from services.stock_ledger.reports import stock_report, to_csv
from services.stock_ledger.settings import Settings


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class Json(JSONResponse):
    """JSON with decimals as strings (as on the wire) and ISO dates."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=_default, ensure_ascii=False).encode()


def _rows(records) -> list[dict]:
    return [dict(r) for r in records]


async def _body(request: Request) -> dict:
    try:
        body = await request.json()
    except ValueError as error:
        raise LedgerError(f"request body is not JSON: {error}") from error
    if not isinstance(body, dict):
        raise LedgerError("request body must be a JSON object")
    return body


def _guard(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """Turn refused documents and invalid bodies into 4xx answers with the reason."""

    async def guarded(request: Request) -> Response:
        try:
            return await handler(request)
        except ValidationError as error:
            return Json({"error": "invalid request", "detail": json.loads(error.json())}, status_code=422)
        except LedgerError as error:
            return Json({"error": type(error).__name__, "detail": str(error)}, status_code=error.status_code)

    return guarded


async def _write(request: Request, work: Callable[[asyncpg.Connection], Awaitable[list]]) -> list:
    """Run ``work`` and publish what it returns, in one transaction."""
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn, conn.transaction():
        messages = await work(conn)
        await runtime.enqueue(conn, messages)
    return messages


async def _read(request: Request, work: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
    async with request.app.state.runtime.pool.acquire() as conn:
        return await work(conn)


def _document_route(path: str, model: type[BaseModel], use_case) -> Route:
    async def post(request: Request) -> Response:
        cmd = model.model_validate(await _body(request))
        events = await _write(request, lambda conn: use_case(conn, cmd))
        return Json({"accepted": True, "stock_changes": [e.model_dump(mode="json") for e in events]}, status_code=201)

    return Route(path, _guard(post), methods=["POST"])


# --- catalog --------------------------------------------------------------------------------

async def list_products(request: Request) -> Response:
    return Json({"products": [catalog.product_json(r) for r in await _read(request, store.list_products)]})


async def create_product(request: Request) -> Response:
    cmd = CreateProduct.model_validate(await _body(request))
    events = await _write(request, lambda conn: catalog.create_product(conn, cmd))
    row = await _read(request, lambda conn: store.get_product(conn, cmd.sku))
    return Json({"product": catalog.product_json(row), "published": [e.message_type for e in events]},
                status_code=201)


async def get_product(request: Request) -> Response:
    sku = request.path_params["sku"]
    row = await _read(request, lambda conn: store.get_product(conn, sku))
    if row is None:
        raise NotFound(f"no product with SKU {sku}")
    return Json({"product": catalog.product_json(row)})


async def edit_product(request: Request) -> Response:
    sku, body = request.path_params["sku"], await _body(request)
    unknown = set(body) - set(store.EDITABLE_PRODUCT_FIELDS)
    if unknown:
        raise LedgerError(f"cannot change {', '.join(sorted(unknown))} here; prices go to /products/{{sku}}/price")
    if "minimum_stock" in body and body["minimum_stock"] is not None:
        body["minimum_stock"] = Decimal(str(body["minimum_stock"]))
    row = await _write_returning(request, lambda conn: catalog.edit_product(conn, sku, body))
    return Json({"product": catalog.product_json(row)})


async def _write_returning(request: Request, work):
    async with request.app.state.runtime.pool.acquire() as conn, conn.transaction():
        return await work(conn)


async def change_price(request: Request) -> Response:
    body = {**await _body(request), "sku": request.path_params["sku"]}
    cmd = ChangeProductPrice.model_validate(body)
    events = await _write(request, lambda conn: catalog.change_price(conn, cmd))
    return Json({"published": [e.model_dump(mode="json") for e in events]})


async def warehouses(request: Request) -> Response:
    if request.method == "POST":
        body = await _body(request)
        if not body.get("warehouse_id"):
            raise LedgerError("warehouse_id is required")
        row = await _write_returning(request, lambda conn: store.upsert_warehouse(
            conn, body["warehouse_id"], body.get("name") or body["warehouse_id"]))
        return Json(dict(row), status_code=201)
    return Json({"warehouses": _rows(await _read(request, store.list_warehouses))})


async def suppliers(request: Request) -> Response:
    if request.method == "POST":
        body = await _body(request)
        if not body.get("supplier_id") or not body.get("name"):
            raise LedgerError("supplier_id and name are required")
        row = await _write_returning(request, lambda conn: store.upsert_supplier(
            conn, body["supplier_id"], body["name"], body.get("email")))
        return Json(dict(row), status_code=201)
    return Json({"suppliers": _rows(await _read(request, store.list_suppliers))})


# --- stock ----------------------------------------------------------------------------------

async def stock(request: Request) -> Response:
    q = request.query_params
    rows = await _read(request, lambda conn: store.stock_rows(conn, q.get("warehouse"), q.get("sku")))
    return Json({"stock": [{**dict(r), "free": r["physical"] - r["reserved"]} for r in rows]})


async def movements(request: Request) -> Response:
    p = request.path_params
    limit = min(int(request.query_params.get("limit", "200")), 5000)
    rows = await _read(request, lambda conn: store.movement_rows(conn, p["warehouse_id"], p["sku"], limit))
    return Json({"warehouse_id": p["warehouse_id"], "sku": p["sku"], "movements": _rows(rows)})


async def check(request: Request) -> Response:
    """Keys whose physical stock differs from their movements or reserved from their reservations."""
    async def both(conn):
        return _rows(await store.ledger_mismatches(conn)), _rows(await store.reserved_mismatches(conn))

    physical, reserved = await _read(request, both)
    return Json({"consistent": not physical and not reserved, "physical": physical, "reserved": reserved})


async def purchase_orders(request: Request) -> Response:
    open_only = request.query_params.get("open", "1") not in ("0", "false")
    return Json({"lines": _rows(await _read(request, lambda conn: store.purchase_order_rows(conn, open_only)))})


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "0").lower() in ("1", "true", "yes")


async def stock_report_route(request: Request) -> Response:
    """M25: ?warehouse= &sku= (prefix) &supplier= &suppliers=1 &to_purchase=1 &below_minimum=1 &format=csv"""
    q = request.query_params
    rows = await _read(request, lambda conn: store.stock_report_rows(conn, q.get("warehouse"), q.get("sku"),
                                                                      q.get("supplier")))
    with_supplier = _flag(request, "suppliers")
    report = stock_report(rows, with_supplier=with_supplier, only_to_purchase=_flag(request, "to_purchase"),
                          only_below_minimum=_flag(request, "below_minimum"))
    if q.get("format") == "csv" or request.url.path.endswith(".csv"):
        return PlainTextResponse(to_csv(report, with_supplier), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": "attachment; filename=keszlet.csv"})
    return Json({"rows": report})


# --- fulfilment -----------------------------------------------------------------------------

def _priority(source: dict, settings: Settings) -> Priority:
    paid_first = str(source.get("paid_first", settings.fulfil_paid_first)).lower() in ("1", "true", "yes")
    shops = source.get("shop_priority", settings.fulfil_shop_priority)
    if isinstance(shops, str):
        shops = [s for s in shops.split(",") if s]
    return Priority(paid_first=paid_first, shop_order=tuple(shops))


def _refs(body: dict) -> list[tuple[str, str]]:
    orders = body.get("orders")
    if not isinstance(orders, list) or not orders:
        raise LedgerError('"orders" must list {"shop_id", "shop_order_id"} objects')
    try:
        return [(o["shop_id"], o["shop_order_id"]) for o in orders]
    except (KeyError, TypeError) as error:
        raise LedgerError('each order needs "shop_id" and "shop_order_id"') from error


def _parcels(body: dict) -> list[tuple[str, str, str | None, str | None]]:
    """(shop_id, shop_order_id, carrier, tracking_number) of each order in ``body["orders"]``."""
    parcels = []
    for (shop_id, order_id), order in zip(_refs(body), body["orders"], strict=True):
        extra = []
        for field in ("carrier", "tracking_number"):
            value = order.get(field)
            if value is not None and (not isinstance(value, str) or len(value.strip()) > 100):
                raise LedgerError(f'"{field}" is text of at most 100 characters')
            extra.append(value.strip() or None if isinstance(value, str) else None)
        parcels.append((shop_id, order_id, extra[0], extra[1]))
    return parcels


def fulfilment_routes(settings: Settings) -> list[Route]:
    async def allocation_for(request: Request, source: dict):
        return await _read(request, lambda conn: fulfilment.current_allocation(conn, _priority(source, settings)))

    async def fulfillable(request: Request) -> Response:
        allocation, _ = await allocation_for(request, dict(request.query_params))
        verdicts = allocation.verdicts
        if _flag(request, "fulfillable_only"):
            verdicts = tuple(v for v in verdicts if v.fulfillable)
        return Json({"orders": [order_json(v) for v in verdicts]})

    async def selection(request: Request):
        body = await _body(request)
        refs = _refs(body)
        allocation, incoming = await allocation_for(request, body)
        missing = allocation.unknown(refs)
        if missing:
            raise NotFound("not open orders: " + ", ".join(f"{s}:{o}" for s, o in missing))
        return allocation, allocation.select(refs), incoming

    async def pick(request: Request) -> Response:
        _, selected, _ = await selection(request)
        return Json(pick_summary(selected))

    async def packing(request: Request) -> Response:
        _, selected, _ = await selection(request)
        summary = pick_summary(selected)
        fmt = request.query_params.get("format", "json")
        if fmt == "pdf" or request.url.path.endswith(".pdf"):
            pdf = await asyncio.to_thread(packing_pdf, summary)
            return Response(pdf, media_type="application/pdf",
                            headers={"Content-Disposition": "inline; filename=csomagolas.pdf"})
        if fmt == "html":
            return Response(packing_html(summary), media_type="text/html; charset=utf-8")
        return Json(summary)

    async def purchase(request: Request) -> Response:
        allocation, selected, incoming = await selection(request)
        rows = purchase_summary(allocation, selected, incoming)
        info = {r["sku"]: dict(r) for r in await _read(request, lambda c: store.product_rows(c, {r["sku"] for r in rows}))}
        for row in rows:
            product = info.get(row["sku"], {})
            row.update({k: product.get(k) for k in ("name", "unit", "default_supplier_id", "supplier_name",
                                                    "supplier_item_number")})
        return Json({"products": rows, "already_fulfillable": [order_json(v) for v in selected if v.fulfillable]})

    async def packed(request: Request) -> Response:
        body = await _body(request)
        refs, by = _refs(body), body.get("packed_by") or "back office"
        events = await _write(request, lambda conn: fulfilment.mark_packed(conn, refs, by))
        return Json({"packed": [e.model_dump(mode="json") for e in events]})

    async def shipped(request: Request) -> Response:
        body = await _body(request)
        parcels, by = _parcels(body), body.get("shipped_by") or "back office"
        events = await _write(request, lambda conn: fulfilment.mark_shipped(conn, parcels, by))
        done = {(e.shop_id, e.shop_order_id) for e in events}
        return Json({"shipped": [e.model_dump(mode="json") for e in events],
                     "not_shipped": [{"shop_id": p[0], "shop_order_id": p[1],
                                      "reason": "unknown, cancelled or already shipped"}
                                     for p in parcels if (p[0], p[1]) not in done]})

    return [
        Route("/fulfilment/orders", _guard(fulfillable), methods=["GET"]),
        Route("/fulfilment/pick-summary", _guard(pick), methods=["POST"]),
        Route("/fulfilment/packing-summary", _guard(packing), methods=["POST"]),
        Route("/fulfilment/packing-summary.pdf", _guard(packing), methods=["POST"]),
        Route("/fulfilment/purchase-summary", _guard(purchase), methods=["POST"]),
        Route("/fulfilment/packed", _guard(packed), methods=["POST"]),
        Route("/fulfilment/shipped", _guard(shipped), methods=["POST"]),
    ]


def routes(settings: Settings) -> list[Route]:
    """Every route of the stock ledger's HTTP API."""
    return [
        Route("/products", _guard(list_products), methods=["GET"]),
        Route("/products", _guard(create_product), methods=["POST"]),
        Route("/products/{sku}", _guard(get_product), methods=["GET"]),
        Route("/products/{sku}", _guard(edit_product), methods=["PATCH"]),
        Route("/products/{sku}/price", _guard(change_price), methods=["PUT"]),
        Route("/warehouses", _guard(warehouses), methods=["GET", "POST"]),
        Route("/suppliers", _guard(suppliers), methods=["GET", "POST"]),
        _document_route("/receipts", RecordGoodsReceipt, ledger.record_goods_receipt),
        _document_route("/purchase-orders", RecordPurchaseOrder, ledger.record_purchase_order),
        _document_route("/adjustments", AdjustStock, ledger.adjust_stock),
        _document_route("/transfers", TransferStock, ledger.transfer_stock),
        Route("/purchase-orders", _guard(purchase_orders), methods=["GET"]),
        Route("/stock", _guard(stock), methods=["GET"]),
        Route("/stock/check", _guard(check), methods=["GET"]),
        Route("/stock/report", _guard(stock_report_route), methods=["GET"]),
        Route("/stock/report.csv", _guard(stock_report_route), methods=["GET"]),
        Route("/stock/{warehouse_id}/{sku}/movements", _guard(movements), methods=["GET"]),
        *fulfilment_routes(settings),
    ]
