"""The control API for tests and demos, under /_control/. Not part of ShopRenter."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from polc.shoprenter_sim.raw import (
    RawOrder, RawProduct, RawProductChange, add_raw_product, change_raw_product, place_raw_order,
)
from polc.shoprenter_sim.resources import RESOURCES, ApiError, public_id
from polc.shoprenter_sim.shopping import PlaceOrder, place_order, set_status
from polc.shoprenter_sim.simulator import Simulator
from polc.shoprenter_sim.specs import FaultConfig
from polc.shoprenter_sim.store import ShopState


class StatusChange(BaseModel):
    status_inner_id: int


class TokenSettings(BaseModel):
    token_ttl_seconds: float = Field(gt=0)


def _sim(request: Request) -> Simulator:
    return request.app.state.simulator


def _shop(request: Request) -> ShopState:
    return _sim(request).shop(request.path_params["shop"])


def _stats(state: ShopState) -> dict[str, Any]:
    return {"shop": state.spec.name, "peak_requests_per_second": state.meter.peak,
            "requests": state.meter.total, "rate_limited": state.meter.rejected,
            "tokens_issued": state.tokens_issued, "batch_overlaps": state.batch_overlaps,
            "faults_injected": state.faults_injected,
            "orders": len(state.table("orders")), "writes": len(state.writes)}


async def _body(request: Request, model: type[BaseModel]) -> Any:
    try:
        return model.model_validate_json(await request.body() or b"{}")
    except ValidationError as exc:
        raise ApiError(422, None, exc.json()) from None


async def post_order(request: Request) -> JSONResponse:
    state = _shop(request)
    inner = place_order(state, await _body(request, PlaceOrder))
    row = state.table("orders")[inner]
    return JSONResponse({"inner_id": inner, "id": public_id(state, RESOURCES["orders"], inner),
                         "total": row["total"]}, 201)


async def _raw_body(request: Request, model: type[BaseModel]) -> Any:
    """Like ``_body``, but lone surrogates in JSON escapes survive (they are what the test wants)."""
    try:
        return model.model_validate(json.loads(await request.body() or b"{}"))
    except ValueError as exc:
        raise ApiError(422, None, str(exc)) from None


async def post_raw_order(request: Request) -> JSONResponse:
    """An order whose stored fields are then set to anything (robustness tests, see raw.py)."""
    state = _shop(request)
    inner = place_raw_order(state, await _raw_body(request, RawOrder))
    return JSONResponse({"inner_id": inner, "id": public_id(state, RESOURCES["orders"], inner)}, 201)


async def post_raw_product(request: Request) -> JSONResponse:
    """A product whose stored fields are then set to anything (robustness tests, see raw.py)."""
    state = _shop(request)
    req = await _raw_body(request, RawProduct)
    if any(r.get("sku") == req.sku for r in state.table("products").values()):
        raise ApiError(409, 40005, f"Product sku exists: {req.sku}")
    inner = add_raw_product(state, req)
    return JSONResponse({"inner_id": inner, "id": public_id(state, RESOURCES["products"], inner)}, 201)


async def patch_raw_product(request: Request) -> JSONResponse:
    """Set fields of an existing product to anything (robustness tests, see raw.py)."""
    state = _shop(request)
    sku = request.path_params["sku"]
    inner = next((i for i, r in state.table("products").items() if r.get("sku") == sku), None)
    if inner is None:
        raise ApiError(404, 40033, f"Product sku not found: {sku}")
    change_raw_product(state, inner, await _raw_body(request, RawProductChange))
    return JSONResponse({"inner_id": inner})


async def put_status(request: Request) -> JSONResponse:
    state = _shop(request)
    change = await _body(request, StatusChange)
    set_status(state, int(request.path_params["inner_id"]), change.status_inner_id)
    return JSONResponse({"ok": True})


async def get_product(request: Request) -> JSONResponse:
    state = _shop(request)
    sku = request.path_params["sku"]
    found = next(((i, r) for i, r in state.table("products").items() if r["sku"] == sku), None)
    if found is None:
        raise ApiError(404, 40033, f"Product sku not found: {sku}")
    inner, row = found
    return JSONResponse({"sku": sku, "inner_id": inner, "id": public_id(state, RESOURCES["products"], inner),
                         "price": row["price"], "stock1": row["stock1"], "subtract_stock": row["subtractStock"],
                         "status": row["status"], "tax_class_inner_id": getattr(row.get("taxClass"), "inner_id", None)})


async def get_writes(request: Request) -> JSONResponse:
    return JSONResponse([asdict(w) for w in _shop(request).writes])


async def get_stats(request: Request) -> JSONResponse:
    return JSONResponse(_stats(_shop(request)))


async def get_all_stats(request: Request) -> JSONResponse:
    return JSONResponse({name: _stats(state) for name, state in _sim(request).shops.items()})


async def put_faults(request: Request) -> JSONResponse:
    state = _shop(request)
    state.faults = await _body(request, FaultConfig)
    return JSONResponse(state.faults.model_dump())


async def put_token_settings(request: Request) -> JSONResponse:
    state = _shop(request)
    state.token_ttl = (await _body(request, TokenSettings)).token_ttl_seconds
    return JSONResponse({"token_ttl_seconds": state.token_ttl})


async def expire_tokens(request: Request) -> JSONResponse:
    state = _shop(request)
    state.tokens.clear()
    return JSONResponse({"ok": True})


async def reset_shop(request: Request) -> JSONResponse:
    _sim(request).reset(request.path_params["shop"])
    return JSONResponse({"ok": True})


async def reset_all(request: Request) -> JSONResponse:
    _sim(request).reset()
    return JSONResponse({"ok": True})


async def list_shops(request: Request) -> JSONResponse:
    base = f"{request.url.scheme}://{request.url.netloc}"
    return JSONResponse([{"name": name, "api_base_url": f"{base}/{name}/api",
                          "token_url": f"{base}/oauth/{name}/app/token", **spec.credentials}
                         for name, spec in _sim(request).specs.items()])


def _guarded(endpoint):  # type: ignore[no-untyped-def]
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except ApiError as exc:  # the control API's only translation point
            return JSONResponse(exc.body(), exc.status)
    return wrapper


S = "/_control/shops/{shop}"
ROUTES = [
    Route("/_control/shops", _guarded(list_shops), methods=["GET"]),
    Route("/_control/stats", _guarded(get_all_stats), methods=["GET"]),
    Route("/_control/reset", _guarded(reset_all), methods=["POST"]),
    Route(f"{S}/orders", _guarded(post_order), methods=["POST"]),
    Route(f"{S}/raw-orders", _guarded(post_raw_order), methods=["POST"]),
    Route(f"{S}/raw-products", _guarded(post_raw_product), methods=["POST"]),
    Route(S + "/raw-products/{sku}", _guarded(patch_raw_product), methods=["PATCH"]),
    Route(S + "/orders/{inner_id:int}/status", _guarded(put_status), methods=["PUT"]),
    Route(S + "/products/{sku}", _guarded(get_product), methods=["GET"]),
    Route(f"{S}/writes", _guarded(get_writes), methods=["GET"]),
    Route(f"{S}/stats", _guarded(get_stats), methods=["GET"]),
    Route(f"{S}/faults", _guarded(put_faults), methods=["PUT"]),
    Route(f"{S}/token-settings", _guarded(put_token_settings), methods=["PUT"]),
    Route(f"{S}/expire-tokens", _guarded(expire_tokens), methods=["POST"]),
    Route(f"{S}/reset", _guarded(reset_shop), methods=["POST"]),
]
