"""HTTP API of order_ingest: shops, sync on demand (M20), orders, the review queue, VAT keys and services."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from contracts.common import VatCategory
from contracts.orders import OrderReviewResolved
from services.order_ingest import shops, store
from services.order_ingest.settings import Settings
from polc.runtime.secrets import SecretBox
from services.order_ingest.text import normalise


class SyncBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    shop_id: str | None = Field(None, description="Shop to poll; every enabled shop when omitted.")
    requested_by: str = "http"
    wait: bool = Field(False, description="Answer when the polls finished.")
    timeout_s: float = Field(120.0, gt=0, le=3600)


class VatBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    category: VatCategory
    rate: Decimal | None = None
    nav_case: str | None = None
    exemption_reason: str | None = None


class ServiceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)
    kind: Literal["shipping_fee", "payment_fee", "other"] = "other"
    vat_short_name: str | None = None
    service_id: str | None = None


class ReviewAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    by: str = Field("operator", min_length=1, max_length=100)
    note: str | None = Field(None, max_length=2000)


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(json.loads(json.dumps(data, default=str)), status_code=status)


async def _body(request: Request, model: type[BaseModel]) -> BaseModel:
    raw = await request.body()
    return model.model_validate_json(raw or b"{}")


def routes(settings: Settings, wake: Callable[[], None]) -> list[Route]:
    """The API's routes; ``wake`` nudges this instance's scheduler after a change worth acting on."""

    def pool(request: Request):  # noqa: ANN202
        return request.app.state.runtime.pool

    async def list_shops(request: Request) -> JSONResponse:
        async with pool(request).acquire() as conn:
            return _json({"shops": [shops.public_view(r) for r in await store.list_shops(conn)]})

    async def get_shop(request: Request) -> JSONResponse:
        async with pool(request).acquire() as conn:
            row = await store.get_shop(conn, request.path_params["shop_id"])
        return _json(shops.public_view(row)) if row else _json({"error": "no such shop"}, 404)

    async def save_shop(request: Request) -> JSONResponse:
        creating = request.method == "POST"
        try:
            change = await _body(request, shops.ShopIn if creating else shops.ShopChange)
        except ValidationError as error:
            return _json({"error": error.errors(include_url=False, include_context=False)}, 422)
        shop_id = change.shop_id if creating else request.path_params["shop_id"]
        async with pool(request).acquire() as conn, conn.transaction():
            existing = await store.get_shop(conn, shop_id)
            if creating and existing is not None:
                return _json({"error": f"shop {shop_id} exists; change it with PATCH"}, 409)
            if not creating and existing is None:
                return _json({"error": "no such shop"}, 404)
            row = shops.shop_row(shop_id, change, dict(existing) if existing else None, settings)
            await store.ensure_series(conn, row["series_id"], change.series_prefix or f"{shop_id.upper()}-")
            await store.upsert_shop(conn, row)
            secret = shops.secret_of(change, SecretBox(settings.secrets_key))
            if secret is not None:
                await store.set_shop_secret(conn, shop_id, secret)
            elif creating:
                return _json({"error": "credentials are required: client_secret, password or secret_env"}, 422)
            saved = await store.get_shop(conn, shop_id)
        wake()
        return _json(shops.public_view(saved), 201 if creating else 200)

    async def sync(request: Request) -> JSONResponse:
        try:
            body = await _body(request, SyncBody)
        except ValidationError as error:
            return _json({"error": error.errors(include_url=False, include_context=False)}, 422)
        async with pool(request).acquire() as conn, conn.transaction():
            enabled = [r["shop_id"] for r in await store.list_shops(conn) if r["enabled"]]
            targets = [body.shop_id] if body.shop_id else enabled
            if body.shop_id and body.shop_id not in enabled:
                return _json({"error": f"no enabled shop {body.shop_id!r}"}, 404)
            ids = {}
            for shop_id in targets:
                ids[shop_id] = f"{body.requested_by}-{uuid.uuid4().hex[:12]}"
                await store.add_sync_request(conn, ids[shop_id], shop_id, body.requested_by, None)
        wake()
        if not body.wait:
            return _json({"requests": ids}, 202)
        results = await _wait_for(request, list(ids.values()), body.timeout_s)
        done = all(r and r["state"] != "pending" for r in results.values())
        return _json({"requests": ids, "results": results}, 200 if done else 202)

    async def _wait_for(request: Request, ids: list[str], timeout_s: float) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            async with pool(request).acquire() as conn:
                rows = {i: await store.get_sync_request(conn, i) for i in ids}
            if all(r and r["state"] != "pending" for r in rows.values()) or loop.time() > deadline:
                return {i: _request_view(r) for i, r in rows.items()}
            await asyncio.sleep(0.1)

    async def get_sync_request(request: Request) -> JSONResponse:
        async with pool(request).acquire() as conn:
            row = await store.get_sync_request(conn, request.path_params["request_id"])
        return _json(_request_view(row)) if row else _json({"error": "no such request"}, 404)

    async def sync_status(request: Request) -> JSONResponse:
        async with pool(request).acquire() as conn:
            return _json({"shops": [dict(r) for r in await store.sync_status(conn)]})

    async def list_orders(request: Request) -> JSONResponse:
        q = request.query_params
        try:
            limit, offset = min(int(q.get("limit", "100")), 1000), int(q.get("offset", "0"))
            if limit < 1 or offset < 0:
                raise ValueError
        except ValueError:
            return _json({"error": "limit (1-1000) and offset (0 or more) are whole numbers"}, 422)
        state = q.get("state") or None
        if state is not None and state not in store.ORDER_STATES:
            return _json({"error": f"state is one of {', '.join(store.ORDER_STATES)}"}, 422)
        async with pool(request).acquire() as conn:
            rows, total = await store.list_orders(
                conn, q.get("shop") or None, limit, search=(q.get("q") or "").strip() or None, state=state,
                offset=offset, newest_first=q.get("newest_first", "").lower() in ("1", "true", "yes"))
        orders = [{k: v for k, v in r.items() if k != "matching"} for r in rows]
        return _json({"orders": orders, "total": total, "offset": offset, "limit": limit})

    async def get_order(request: Request) -> JSONResponse:
        async with pool(request).acquire() as conn:
            row = await store.get_order(conn, request.path_params["shop_id"], request.path_params["order_id"])
        if row is None:
            return _json({"error": "no such order"}, 404)
        out = dict(row)
        out["document"] = json.loads(out["document"])
        return _json(out)

    async def list_review(request: Request) -> JSONResponse:
        state = request.query_params.get("state", "open")
        async with pool(request).acquire() as conn:
            rows = await store.list_reviews(conn, None if state == "all" else state, request.query_params.get("shop"))
        items = []
        for r in rows:
            item = dict(r)
            item["raw"] = json.loads(item["raw"])
            items.append(item)
        return _json({"items": items})

    async def list_skipped(request: Request) -> JSONResponse:
        limit = min(int(request.query_params.get("limit", "100")), 1000)
        async with pool(request).acquire() as conn:
            rows = await store.list_skipped(conn, request.query_params.get("shop"), limit)
        return _json({"items": [dict(r) for r in rows]})

    async def retry_review(request: Request) -> JSONResponse:
        action = await _body(request, ReviewAction)
        p = request.path_params
        async with pool(request).acquire() as conn, conn.transaction():
            shops_hit = await store.request_review_retry(conn, shop_id=p["shop_id"], shop_order_id=p["order_id"],
                                                         by=action.by)
            for shop_id in shops_hit:
                await store.make_due(conn, shop_id)
        wake()
        return _json({"retrying": bool(shops_hit)}, 202 if shops_hit else 404)

    async def dismiss_review(request: Request) -> JSONResponse:
        action = await _body(request, ReviewAction)
        p = request.path_params
        runtime = request.app.state.runtime
        async with runtime.pool.acquire() as conn, conn.transaction():
            done = await store.resolve_review(conn, p["shop_id"], p["order_id"], "dismissed", action.by, action.note)
            if done is None:
                return _json({"error": "no open review item"}, 404)
            await runtime.enqueue(conn, [OrderReviewResolved(
                shop_id=p["shop_id"], shop_order_id=p["order_id"], outcome="dismissed", resolved_by=action.by,
                note=action.note, resolved_at=done["resolved_at"])])
        return _json({"dismissed": True})

    async def list_vat(request: Request) -> JSONResponse:
        async with pool(request).acquire() as conn:
            return _json({"vat_keys": [dict(r) for r in await store.list_vat_keys(conn)]})

    async def put_vat(request: Request) -> JSONResponse:
        """Add or change a VAT key; orders held for an unknown VAT name are imported again."""
        short_name = request.path_params["short_name"]
        try:
            body = await _body(request, VatBody)
        except ValidationError as error:
            return _json({"error": error.errors(include_url=False, include_context=False)}, 422)
        async with pool(request).acquire() as conn, conn.transaction():
            await store.upsert_vat_key(conn, short_name, body.category, body.rate, body.nav_case, body.exemption_reason)
            retried = await store.request_review_retry(conn, reason="unknown_vat_name")
            for shop_id in retried:
                await store.make_due(conn, shop_id)
        wake()
        return _json({"short_name": short_name, "retrying_shops": retried})

    async def list_services(request: Request) -> JSONResponse:
        async with pool(request).acquire() as conn:
            return _json({"service_items": [dict(r) for r in await store.list_service_items(conn)]})

    async def put_service(request: Request) -> JSONResponse:
        """Add or change a service item; orders held for an unknown service are imported again."""
        try:
            body = await _body(request, ServiceBody)
        except ValidationError as error:
            return _json({"error": error.errors(include_url=False, include_context=False)}, 422)
        match = normalise(body.name)
        async with pool(request).acquire() as conn, conn.transaction():
            await store.upsert_service_item(conn, body.service_id or f"SRV-{match[:60]}", body.name, match, body.kind,
                                            body.vat_short_name)
            retried = await store.request_review_retry(conn, reason="unknown_service")
            for shop_id in retried:
                await store.make_due(conn, shop_id)
        wake()
        return _json({"name": body.name, "retrying_shops": retried})

    async def list_customers(request: Request) -> JSONResponse:
        limit = min(int(request.query_params.get("limit", "100")), 1000)
        async with pool(request).acquire() as conn:
            rows = [dict(r) for r in await store.list_customers(conn, limit)]
        for r in rows:
            r["billing_address"] = json.loads(r["billing_address"])
            r["shipping_address"] = json.loads(r["shipping_address"]) if r["shipping_address"] else None
        return _json({"customers": rows})

    async def list_series(request: Request) -> JSONResponse:
        async with pool(request).acquire() as conn:
            return _json({"series": [dict(r) for r in await store.list_series(conn)]})

    return [
        Route("/shops", list_shops, methods=["GET"]),
        Route("/shops", save_shop, methods=["POST"]),
        Route("/shops/{shop_id}", get_shop, methods=["GET"]),
        Route("/shops/{shop_id}", save_shop, methods=["PATCH"]),
        Route("/sync", sync, methods=["POST"]),
        Route("/sync", sync_status, methods=["GET"]),
        Route("/sync/requests/{request_id}", get_sync_request, methods=["GET"]),
        Route("/orders", list_orders, methods=["GET"]),
        Route("/orders/{shop_id}/{order_id}", get_order, methods=["GET"]),
        Route("/review", list_review, methods=["GET"]),
        Route("/skipped", list_skipped, methods=["GET"]),
        Route("/review/{shop_id}/{order_id}/retry", retry_review, methods=["POST"]),
        Route("/review/{shop_id}/{order_id}/dismiss", dismiss_review, methods=["POST"]),
        Route("/vat-keys", list_vat, methods=["GET"]),
        Route("/vat-keys/{short_name}", put_vat, methods=["PUT"]),
        Route("/service-items", list_services, methods=["GET"]),
        Route("/service-items", put_service, methods=["PUT"]),
        Route("/customers", list_customers, methods=["GET"]),
        Route("/series", list_series, methods=["GET"]),
    ]


def _request_view(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    out = dict(row)
    out["result"] = json.loads(out["result"]) if out.get("result") else None
    return out
