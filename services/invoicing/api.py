"""HTTP API of the invoicing service. Commands are published to the basket command topic through
the outbox (so they are ordered with every other command of the basket); reads come from the
service's own tables."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from contracts.base import Message
from contracts.common import OrderRef
from contracts.invoices import CancelInvoice
from contracts.invoicing import AddOrdersToBasket, EmailInvoices, InvoiceBasket, InvoiceOrder, RemoveOrdersFromBasket
from services.invoicing import store
from services.invoicing.nav import api as nav_api


class _Orders(BaseModel):
    orders: list[OrderRef] = Field(min_length=1)
    requested_by: str = "api"


class _InvoiceBasket(BaseModel):
    batch_id: str | None = None
    email_after: bool = False
    requested_by: str = "api"


class _InvoiceOrder(BaseModel):
    basket_id: str = "default"
    email: bool = False
    requested_by: str = "api"


class _Email(BaseModel):
    basket_id: str = "default"
    batch_id: str | None = None
    invoice_numbers: list[str] = []
    invoice_batch_id: str | None = None
    resend: bool = False
    requested_by: str = "api"


class _Cancel(BaseModel):
    reason: str
    restock: bool = True
    requested_by: str = "api"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


async def _body(request: Request, model: type[BaseModel]) -> BaseModel:
    raw = await request.body()
    return model.model_validate_json(raw or b"{}")


async def _publish(request: Request, message: Message) -> None:
    runtime = request.app.state.runtime
    async with runtime.pool.acquire() as conn, conn.transaction():
        await runtime.enqueue(conn, [message])


def _new_batch_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def _command(build):
    """An endpoint that turns the request into a command and publishes it through the outbox."""

    async def endpoint(request: Request) -> Response:
        try:
            message, answer = await build(request)
        except ValidationError as error:
            return JSONResponse({"error": "invalid request", "detail": error.errors(include_url=False)},
                                status_code=422)
        await _publish(request, message)
        return JSONResponse({"accepted": message.message_type, **answer}, status_code=202)

    return endpoint


async def _add(request: Request):
    body = await _body(request, _Orders)
    basket = request.path_params["basket_id"]
    return AddOrdersToBasket(basket_id=basket, orders=tuple(body.orders), requested_by=body.requested_by), {}


async def _remove(request: Request):
    body = await _body(request, _Orders)
    basket = request.path_params["basket_id"]
    return RemoveOrdersFromBasket(basket_id=basket, orders=tuple(body.orders), requested_by=body.requested_by), {}


async def _invoice_basket(request: Request):
    body = await _body(request, _InvoiceBasket)
    batch_id = body.batch_id or _new_batch_id("inv")
    return InvoiceBasket(basket_id=request.path_params["basket_id"], batch_id=batch_id,
                         email_after=body.email_after, requested_by=body.requested_by), {"batch_id": batch_id}


async def _invoice_order(request: Request):
    body = await _body(request, _InvoiceOrder)
    ref = OrderRef(shop_id=request.path_params["shop_id"], shop_order_id=request.path_params["shop_order_id"])
    return InvoiceOrder(basket_id=body.basket_id, order=ref, email=body.email, requested_by=body.requested_by), {}


async def _email(request: Request):
    body = await _body(request, _Email)
    batch_id = body.batch_id or _new_batch_id("mail")
    return EmailInvoices(basket_id=body.basket_id, batch_id=batch_id, invoice_numbers=tuple(body.invoice_numbers),
                         invoice_batch_id=body.invoice_batch_id, resend=body.resend,
                         requested_by=body.requested_by), {"batch_id": batch_id}


async def _cancel(request: Request):
    body = await _body(request, _Cancel)
    return CancelInvoice(invoice_number=request.path_params["number"], reason=body.reason, restock=body.restock,
                         requested_by=body.requested_by), {}


async def get_basket(request: Request) -> JSONResponse:
    basket = request.path_params["basket_id"]
    async with request.app.state.runtime.pool.acquire() as conn:
        rows = await store.list_basket(conn, basket)
    return JSONResponse({"basket_id": basket, "orders": [_jsonable(dict(r)) for r in rows]})


async def get_order(request: Request) -> JSONResponse:
    async with request.app.state.runtime.pool.acquire() as conn:
        row = await store.get_order(conn, request.path_params["shop_id"], request.path_params["shop_order_id"])
    if row is None:
        return JSONResponse({"error": "order not received"}, status_code=404)
    return JSONResponse(_jsonable({k: row[k] for k in ("shop_id", "shop_order_id", "order_number", "status",
                                                        "received_at", "invoice_number")}))


async def list_invoices(request: Request) -> JSONResponse:
    q = request.query_params
    async with request.app.state.runtime.pool.acquire() as conn:
        rows = await store.list_invoices(conn, shop_id=q.get("shop_id"), shop_order_id=q.get("shop_order_id"),
                                         batch_id=q.get("batch_id"), limit=min(int(q.get("limit", "1000")), 10000))
    return JSONResponse({"invoices": [_jsonable(dict(r)) for r in rows]})


async def get_invoice(request: Request) -> JSONResponse:
    async with request.app.state.runtime.pool.acquire() as conn:
        row = await store.get_invoice(conn, request.path_params["number"])
    if row is None:
        return JSONResponse({"error": "no such invoice"}, status_code=404)
    return JSONResponse(_jsonable(dict(row)))


async def get_pdf(request: Request) -> Response:
    number = request.path_params["number"]
    async with request.app.state.runtime.pool.acquire() as conn:
        row = await store.get_pdf(conn, number)
    if row is None:
        return JSONResponse({"error": "no PDF (yet) for this invoice"}, status_code=404)
    return Response(bytes(row["pdf"]), media_type="application/pdf",
                    headers={"X-Sha256": row["sha256"], "Content-Disposition": f'attachment; filename="{number}.pdf"'})


async def get_batch(request: Request) -> JSONResponse:
    batch_id = request.path_params["batch_id"]
    async with request.app.state.runtime.pool.acquire() as conn:
        batch = await store.get_batch(conn, batch_id)
        if batch is None:
            return JSONResponse({"error": "no such batch"}, status_code=404)
        result = _jsonable(dict(batch))
        result["emails"] = await store.email_counts(conn, batch_id)
        if batch["kind"] == "invoice":
            result["items"] = await store.batch_item_counts(conn, batch_id)
            result["failed"] = [_jsonable(dict(r)) for r in await store.batch_items(conn, batch_id)
                                if r["status"] == "failed"]
        else:
            result["email_failures"] = [_jsonable(dict(r)) for r in await store.email_batch_rows(conn, batch_id)
                                        if r["status"] == "failed"]
    return JSONResponse(result)


def routes() -> list[Route]:
    return [
        Route("/baskets/{basket_id}", get_basket, methods=["GET"]),
        Route("/baskets/{basket_id}/orders", _command(_add), methods=["POST"]),
        Route("/baskets/{basket_id}/orders/remove", _command(_remove), methods=["POST"]),
        Route("/baskets/{basket_id}/invoice", _command(_invoice_basket), methods=["POST"]),
        Route("/orders/{shop_id}/{shop_order_id}", get_order, methods=["GET"]),
        Route("/orders/{shop_id}/{shop_order_id}/invoice", _command(_invoice_order), methods=["POST"]),
        Route("/emails", _command(_email), methods=["POST"]),
        Route("/invoices", list_invoices, methods=["GET"]),
        Route("/invoices/{number}", get_invoice, methods=["GET"]),
        Route("/invoices/{number}/pdf", get_pdf, methods=["GET"]),
        Route("/invoices/{number}/cancel", _command(_cancel), methods=["POST"]),
        Route("/batches/{batch_id}", get_batch, methods=["GET"]),
        *nav_api.routes(),  # per-invoice NAV Online Számla status and re-send
    ]
