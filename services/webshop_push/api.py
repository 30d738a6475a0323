"""HTTP API of webshop_push: shops and their push settings, explain, pending writes, reconcile."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.webshop_push import status_api, store
from services.webshop_push.settings import Settings


def _json(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(json.loads(json.dumps(data, default=_encode)), status_code=status)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _rows(rows: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in rows]


def routes(settings: Settings) -> list[Route]:
    registry = settings.shop_registry_schema

    async def list_shops(request: Request) -> JSONResponse:
        async with request.app.state.runtime.pool.acquire() as conn:
            try:
                shop_ids = await store.registry_shop_ids(conn, registry)
            except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
                return _json({"error": "the shop registry (order_ingest) is not there yet"}, 503)
            statuses = {r["shop_id"]: dict(r) for r in await store.pusher_statuses(conn)}
            out = []
            for shop_id in shop_ids:
                settings_row = await store.get_shop_settings(conn, shop_id)
                out.append({"shop_id": shop_id, "settings": _settings_view(settings_row),
                            "pusher": statuses.get(shop_id), "pending": await store.pending_count(conn, shop_id)})
        return _json({"shops": out})

    async def get_settings(request: Request) -> JSONResponse:
        shop_id = request.path_params["shop_id"]
        async with request.app.state.runtime.pool.acquire() as conn:
            return _json(_settings_view(await store.get_shop_settings(conn, shop_id)) | {"shop_id": shop_id})

    async def put_settings(request: Request) -> JSONResponse:
        shop_id = request.path_params["shop_id"]
        body = await request.json()
        try:
            buffer = Decimal(str(body.get("safety_buffer", 0)))
        except InvalidOperation:
            return _json({"error": "safety_buffer must be a number"}, 400)
        create_missing = body.get("create_missing", "meant")
        fence = body.get("fence", "sync")
        if buffer < 0 or create_missing not in ("meant", "never") or fence not in ("sync", "off"):
            return _json({"error": "safety_buffer >= 0, create_missing meant|never, fence sync|off"}, 400)
        async with request.app.state.runtime.pool.acquire() as conn, conn.transaction():
            shop = await store.registry_shop(conn, registry, shop_id)
            if shop is None:
                return _json({"error": f"unknown shop {shop_id}"}, 404)
            before = await store.get_shop_settings(conn, shop_id)
            row = await store.put_shop_settings(conn, shop_id, buffer, create_missing, fence)
            queued = 0
            if before is None or before["safety_buffer"] != buffer:
                queued = await store.enqueue_all_stock(conn, shop_id, shop["warehouse_id"],
                                                       {"event": "safety_buffer_changed", "safety_buffer": str(buffer)})
                await store.notify_pending(conn, [shop_id])
        return _json(_settings_view(row) | {"shop_id": shop_id, "stock_writes_queued": queued})

    async def explain(request: Request) -> JSONResponse:
        shop_id, sku = request.path_params["shop_id"], request.path_params["sku"]
        async with request.app.state.runtime.pool.acquire() as conn:
            shop = await _shop_or_none(conn, registry, shop_id)
            level = await store.get_stock_level(conn, shop["warehouse_id"], sku) if shop else None
            return _json({
                "shop_id": shop_id, "sku": sku, "warehouse_id": shop["warehouse_id"] if shop else None,
                "shop_product_id": await store.sku_id(conn, shop_id, sku),
                "pushed": {r["kind"]: dict(r) for r in await store.pushed(conn, shop_id, sku)},
                "pending": {r["kind"]: dict(r) for r in await store.pending_of(conn, shop_id, sku)},
                "back_office": {"stock": dict(level) if level else None,
                                "product": _maybe(await store.get_product(conn, sku))},
                "settings": _settings_view(await store.get_shop_settings(conn, shop_id)),
            })

    async def pending(request: Request) -> JSONResponse:
        shop_id = request.query_params.get("shop")
        limit = int(request.query_params.get("limit", "200"))
        async with request.app.state.runtime.pool.acquire() as conn:
            return _json({"pending": _rows(await store.list_pending(conn, shop_id, limit)),
                          "order_status": _rows(await store.list_order_status_pending(conn, shop_id, limit))})

    async def reconcile(request: Request) -> JSONResponse:
        body = await request.json() if await request.body() else {}
        dry_run = bool(body.get("dry_run", False))
        wait_s = float(body.get("wait_s", 120))
        pool = request.app.state.runtime.pool
        async with pool.acquire() as conn, conn.transaction():
            shops = [body["shop_id"]] if body.get("shop_id") else await store.registry_shop_ids(conn, registry)
            runs = []
            for shop_id in shops:
                if await store.registry_shop(conn, registry, shop_id) is None:
                    return _json({"error": f"unknown shop {shop_id}"}, 404)
                run_id = f"rec-{uuid.uuid4().hex[:12]}"
                await store.add_reconcile_run(conn, run_id, shop_id, dry_run)
                runs.append(run_id)
            await store.notify_pending(conn, shops)
        deadline = time.monotonic() + wait_s
        while True:
            async with pool.acquire() as conn:
                found = [dict(await store.get_reconcile_run(conn, r)) for r in runs]
            if all(r["state"] != "pending" for r in found) or time.monotonic() > deadline:
                return _json({"runs": found}, 200 if all(r["state"] == "done" for r in found) else 202)
            await asyncio.sleep(0.2)

    async def get_run(request: Request) -> JSONResponse:
        async with request.app.state.runtime.pool.acquire() as conn:
            run = await store.get_reconcile_run(conn, request.path_params["run_id"])
        return _json(dict(run)) if run else _json({"error": "unknown run"}, 404)

    return [
        Route("/shops", list_shops, methods=["GET"]),
        Route("/shops/{shop_id}/settings", get_settings, methods=["GET"]),
        Route("/shops/{shop_id}/settings", put_settings, methods=["PUT"]),
        Route("/shops/{shop_id}/products/{sku:path}", explain, methods=["GET"]),
        Route("/pending", pending, methods=["GET"]),
        Route("/reconcile", reconcile, methods=["POST"]),
        Route("/reconcile/{run_id}", get_run, methods=["GET"]),
        *status_api.routes(registry, _json),
    ]


async def _shop_or_none(conn: asyncpg.Connection, registry: str, shop_id: str) -> Any:
    try:
        return await store.registry_shop(conn, registry, shop_id)
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
        return None


def _maybe(row: Any) -> dict[str, Any] | None:
    return dict(row) if row is not None else None


def _settings_view(row: Any) -> dict[str, Any]:
    if row is None:
        return {"safety_buffer": "0", "create_missing": "meant", "fence": "sync", "default": True}
    return {"safety_buffer": row["safety_buffer"], "create_missing": row["create_missing"], "fence": row["fence"],
            "default": False}
