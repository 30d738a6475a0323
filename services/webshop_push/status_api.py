"""HTTP API of the order status write-back: the shop's statuses, the mapping, and explain per order."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.webshop_push import store
from services.webshop_push.order_status import TRIGGERS, ShopStatus, choose


def routes(registry: str, as_json) -> list[Route]:  # noqa: ANN001 - the service's JSON response helper
    """Routes under ``/shops/{shop_id}``; ``as_json`` renders Decimals and datetimes like the rest of the API."""

    async def statuses(request: Request) -> JSONResponse:
        shop_id = request.path_params["shop_id"]
        async with request.app.state.runtime.pool.acquire() as conn:
            return as_json(await _statuses_view(conn, shop_id))

    async def refresh(request: Request) -> JSONResponse:
        shop_id = request.path_params["shop_id"]
        body = await request.json() if await request.body() else {}
        wait_s = float(body.get("wait_s", 30))
        pool = request.app.state.runtime.pool
        async with pool.acquire() as conn, conn.transaction():
            if not await _known_shop(conn, registry, shop_id):
                return as_json({"error": f"unknown shop {shop_id}"}, 404)
            await store.request_status_list(conn, shop_id)
            await store.notify_pending(conn, [shop_id])
            asked = await store.status_list(conn, shop_id)
        deadline = time.monotonic() + wait_s
        while True:
            async with pool.acquire() as conn:
                now = await store.status_list(conn, shop_id)
                done = now["fetched_at"] is not None and now["fetched_at"] >= asked["requested_at"]
                if done or time.monotonic() > deadline:
                    return as_json(await _statuses_view(conn, shop_id), 200 if done else 202)
            await asyncio.sleep(0.2)

    async def get_map(request: Request) -> JSONResponse:
        shop_id = request.path_params["shop_id"]
        async with request.app.state.runtime.pool.acquire() as conn:
            return as_json({"shop_id": shop_id, "status_map": await _map_view(conn, shop_id)})

    async def put_map(request: Request) -> JSONResponse:
        shop_id = request.path_params["shop_id"]
        body = await request.json()
        if not isinstance(body, dict) or not set(body) <= set(TRIGGERS):
            return as_json({"error": f"give a status (id or name) or null for any of: {', '.join(TRIGGERS)}"}, 400)
        async with request.app.state.runtime.pool.acquire() as conn, conn.transaction():
            if not await _known_shop(conn, registry, shop_id):
                return as_json({"error": f"unknown shop {shop_id}"}, 404)
            listed = [ShopStatus(r["shop_status_id"], r["name"], r["inner_id"], r["color"])
                      for r in await store.shop_statuses(conn, shop_id)]
            for trigger, choice in body.items():
                if choice in (None, ""):
                    await store.delete_status_mapping(conn, shop_id, trigger)
                    continue
                found = choose(str(choice), listed)
                if found is None:
                    known = ", ".join(s.name for s in listed) or "none downloaded yet (refresh the list first)"
                    return as_json({"error": f"the shop has no single status {choice!r} for {trigger}; "
                                             f"its statuses: {known}"}, 400)
                await store.put_status_mapping(conn, shop_id, trigger, found.shop_status_id, found.name)
            return as_json({"shop_id": shop_id, "status_map": await _map_view(conn, shop_id)})

    async def explain(request: Request) -> JSONResponse:
        shop_id, order_id = request.path_params["shop_id"], request.path_params["shop_order_id"]
        async with request.app.state.runtime.pool.acquire() as conn:
            written, pending = await store.order_status_state(conn, shop_id, order_id)
            return as_json({
                "shop_id": shop_id, "shop_order_id": order_id,
                "written": dict(written) if written else None, "pending": dict(pending) if pending else None,
                "events": [dict(r) for r in await store.order_status_events(conn, shop_id, order_id)],
                "status_map": await _map_view(conn, shop_id),
            })

    return [
        Route("/shops/{shop_id}/order-statuses", statuses, methods=["GET"]),
        Route("/shops/{shop_id}/order-statuses/refresh", refresh, methods=["POST"]),
        Route("/shops/{shop_id}/status-map", get_map, methods=["GET"]),
        Route("/shops/{shop_id}/status-map", put_map, methods=["PUT"]),
        Route("/shops/{shop_id}/orders/{shop_order_id:path}", explain, methods=["GET"]),
    ]


async def _statuses_view(conn: asyncpg.Connection, shop_id: str) -> dict[str, Any]:
    listed = await store.status_list(conn, shop_id)
    return {"shop_id": shop_id, "statuses": [dict(r) for r in await store.shop_statuses(conn, shop_id)],
            "list": dict(listed) if listed else None, "status_map": await _map_view(conn, shop_id)}


async def _map_view(conn: asyncpg.Connection, shop_id: str) -> dict[str, Any]:
    rows = {r["trigger"]: r for r in await store.status_map(conn, shop_id)}
    return {t: ({"shop_status_id": rows[t]["shop_status_id"], "status_name": rows[t]["status_name"]}
                if t in rows else None) for t in TRIGGERS}


async def _known_shop(conn: asyncpg.Connection, registry: str, shop_id: str) -> bool:
    try:
        return await store.registry_shop(conn, registry, shop_id) is not None
    except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
        return False
