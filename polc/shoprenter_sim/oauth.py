"""The OAuth 2 client-credentials token endpoint: POST /oauth/{shop}/app/token."""

from __future__ import annotations

import base64
import json
import secrets
import time

from starlette.requests import Request
from starlette.responses import JSONResponse

from polc.shoprenter_sim.resources import ApiError
from polc.shoprenter_sim.simulator import Simulator


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _invalid_request(param: str) -> JSONResponse:
    return JSONResponse({"error": "invalid_request",
                         "error_description": "The request is missing a required parameter.",
                         "hint": f"Check the `{param}` parameter", "message": "The request is missing a required parameter."},
                        400)


async def token(request: Request) -> JSONResponse:
    """Issue a JWT-shaped Bearer token; there is no refresh token, by design of the API."""
    sim: Simulator = request.app.state.simulator
    try:
        state = sim.shop(request.path_params["shop"])
    except ApiError:
        return JSONResponse({"error": "invalid_client", "error_description": "Client authentication failed",
                             "message": "Client authentication failed"}, 401)
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return _invalid_request("grant_type")
    for param in ("grant_type", "client_id", "client_secret"):
        if not body.get(param):
            return _invalid_request(param)
    if body["grant_type"] != "client_credentials":
        return JSONResponse({"error": "unsupported_grant_type", "error_description": "Unsupported grant type",
                             "message": "Unsupported grant type"}, 400)
    creds = state.spec.credentials
    if body["client_id"] != creds["client_id"] or body["client_secret"] != creds["client_secret"]:
        return JSONResponse({"error": "invalid_client", "error_description": "Client authentication failed",
                             "message": "Client authentication failed"}, 401)
    ttl = state.token_ttl
    claims = {"sub": body["client_id"], "shop": state.spec.name, "exp": int(time.time() + ttl),
              "scopes": ["order.order:read", "product.product:read", "product.product:write"]}
    access = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.{secrets.token_urlsafe(16)}"
    state.issue_token(access)
    return JSONResponse({"token_type": "Bearer", "expires_in": int(ttl) if ttl >= 1 else ttl, "access_token": access})
