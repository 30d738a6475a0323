"""HTTP face of the shop API: auth, rate limit, fault injection, JSON/XML, and the Batch API."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from polc.shoprenter_sim.handlers import dispatch, unwrap
from polc.shoprenter_sim.resources import ApiError
from polc.shoprenter_sim.simulator import Simulator
from polc.shoprenter_sim.store import ShopState, WriteRecord, shop_now

MAX_BATCH_ITEMS = 200


def api_base(request: Request, shop: str) -> str:
    return f"{request.url.scheme}://{request.url.netloc}/{shop}/api"


def respond(request: Request, status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """JSON when asked for with Accept; otherwise XML, the API's default."""
    if status == 204:
        return Response(status_code=204, headers=headers)
    if "application/json" in request.headers.get("accept", ""):
        text = json.dumps(payload, ensure_ascii=False)
        try:
            body = text.encode()
        except UnicodeEncodeError:  # lone surrogates (raw rows): JSON escapes, as PHP would print them
            body = json.dumps(payload).encode()
        return Response(body, status, headers, "application/json")
    return Response(_xml("response", payload), status, headers, "application/xml")


def _xml(tag: str, value: Any) -> str:
    if isinstance(value, dict):
        inner = "".join(_xml(k, v) for k, v in value.items())
    elif isinstance(value, list):
        inner = "".join(_xml("item", v) for v in value)
    else:
        inner = "" if value is None else str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f"<{tag}>{inner}</{tag}>"


def _authorized(state: ShopState, header: str) -> bool:
    creds = state.spec.credentials
    if header.startswith("Bearer "):
        return state.token_valid(header[len("Bearer "):])
    if header.startswith("Basic "):
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return user == creds["username"] and password == creds["password"]
    return False


async def _injected_fault(request: Request, state: ShopState) -> Response | None:
    faults = state.faults
    if faults.fail_next:
        status = faults.fail_next.pop(0)
        return _fault_response(request, state, status)
    rng = state.rng
    for status, p in ((429, faults.p429), (500, faults.p500), (503, faults.p503), (504, faults.p504)):
        if p and rng.random() < p:
            return _fault_response(request, state, status)
    if faults.p_timeout and rng.random() < faults.p_timeout:
        await asyncio.sleep(faults.timeout_seconds)
        return _fault_response(request, state, 504)
    return None


def _fault_response(request: Request, state: ShopState, status: int) -> Response:
    state.faults_injected += 1
    headers = {}
    if status == 429 and state.faults.retry_after_seconds is not None:
        headers["Retry-After"] = f"{state.faults.retry_after_seconds:g}"
    messages = {429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable",
                504: "Gateway Timeout. Try breaking it down in multiple smaller requests"}
    return respond(request, status, {"error": status, "code": None, "message": messages.get(status, "Error")}, headers)


async def handle_api(request: Request) -> Response:
    """Every `/{shop}/api/...` call."""
    sim: Simulator = request.app.state.simulator
    shop = request.path_params["shop"]
    try:
        state = sim.shop(shop)
    except ApiError as exc:
        return respond(request, exc.status, exc.body())
    if not state.meter.arrive(time.monotonic()):
        return respond(request, 429, {"error": 429, "code": None, "message": "Too Many Requests"})
    # Injected latency and faults (timeouts sleep) happen outside the lock: a slow answer must
    # not hold up the control API or the shop's other calls.
    if state.faults.latency_seconds:
        await asyncio.sleep(state.faults.latency_seconds)
    fault = await _injected_fault(request, state)
    if fault is not None:
        return fault
    # The body is read before the lock: a client still sending it must not hold up other calls.
    raw_body = await request.body() if request.method in ("POST", "PUT") else b""
    async with sim.lock:
        return await _serve_api(request, state, shop, raw_body)


async def _serve_api(request: Request, state: ShopState, shop: str, raw_body: bytes) -> Response:
    if not _authorized(state, request.headers.get("authorization", "")):
        return respond(request, 401, {"error": 401, "code": 40101, "message": "Unauthorized"})
    method = request.method
    parts = [p for p in request.path_params["path"].split("/") if p]
    query = dict(request.query_params)
    body: Any = None
    if method in ("POST", "PUT"):
        try:
            body = json.loads(raw_body or b"null")
        except ValueError:
            return respond(request, 400, ApiError(400, 40001, "Data parameter not found in POST/PUT!").body())
    base = api_base(request, shop)
    if parts == ["batch"] and method == "POST":
        status, payload = await _batch(state, base, body)
    else:
        status, payload = await asyncio.to_thread(_call, state, base, method, parts, query, body, via_batch=False)
    if status == 200 and state.faults.p_malformed and state.rng.random() < state.faults.p_malformed:
        return Response('{"href": "' + base + '/trunc', 200, media_type="application/json")
    return await asyncio.to_thread(respond, request, status, payload)


def _call(state: ShopState, base: str, method: str, parts: list[str], query: dict[str, str], body: Any,
          *, via_batch: bool) -> tuple[int, Any]:
    try:
        if not parts or len(parts) > 2:
            raise ApiError(404, 40401, "Resource not found!")
        status, payload = dispatch(state, base, method, parts[0], parts[1] if len(parts) > 1 else None, query, body)
    except ApiError as exc:
        status, payload = exc.status, exc.body()
    if method != "GET":
        path = "/" + "/".join(parts) + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        state.writes.append(WriteRecord(shop_now(), method, path, body, status, via_batch))
    return status, payload


async def _batch(state: ShopState, base: str, body: Any) -> tuple[int, Any]:
    try:
        requests = unwrap(body).get("requests")
    except ApiError as exc:
        return exc.status, exc.body()
    if not isinstance(requests, list) or not requests:
        return 400, ApiError(400, 40003, "Required fields: requests").body()
    if len(requests) > MAX_BATCH_ITEMS:
        return 400, ApiError(400, 40013, f"Too many requests in batch (max {MAX_BATCH_ITEMS})").body()
    if state.batch_in_progress:
        state.batch_overlaps += 1
        return 429, {"error": 429, "code": None, "message": "Another batch is still running for this shop"}
    state.batch_in_progress = True
    try:
        if state.faults.latency_seconds:
            await asyncio.sleep(state.faults.latency_seconds)
        return 200, {"requests": {"request": [_batch_item(state, base, item) for item in requests]}}
    finally:
        state.batch_in_progress = False


def _batch_item(state: ShopState, base: str, item: Any) -> dict[str, Any]:
    method = str(item.get("method", "")).upper() if isinstance(item, dict) else ""
    uri = str(item.get("uri", "")) if isinstance(item, dict) else ""
    parsed = urlsplit(uri)
    base_path = urlsplit(base).path
    faults = state.faults
    if method in ("POST", "PUT") and "data" not in item:
        status, payload = 400, ApiError(400, 40001, "Data parameter not found in POST/PUT!").body()
    elif not parsed.path.startswith(base_path + "/"):
        status, payload = 404, {"message": f'Resource matching URI "{parsed.path}" not found'}
    elif any(m in uri for m in faults.fail_batch_items_matching) or (
            faults.p_batch_item_failure and state.rng.random() < faults.p_batch_item_failure):
        status, payload = 400, ApiError(400, 40005, "Wrong data: rejected by the shop").body()
    else:
        parts = [p for p in parsed.path[len(base_path):].split("/") if p]
        status, payload = _call(state, base, method, parts, dict(parse_qsl(parsed.query)), item.get("data"),
                                via_batch=True)
    return {"method": method, "uri": uri, "response": {"header": {"statusCode": str(status)}, "body": payload}}
