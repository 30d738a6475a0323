"""Login and CSRF guards, as ASGI middleware inside the signed-session middleware.

Every page but the login page, health and static files needs a signed-in user. Every request
that changes something (POST, PUT, PATCH, DELETE) must carry the session's CSRF token, as the
``csrf_token`` form field or the ``X-CSRF-Token`` header; the body is read once, checked and
handed on unchanged.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import parse_qs, quote

from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC_PREFIXES = ("/login", "/health", "/static/", "/lang")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MAX_FORM_BYTES = 2 * 1024 * 1024


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, created when missing."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _wants_json(scope: Scope) -> bool:
    headers = dict(scope.get("headers") or [])
    return b"application/json" in headers.get(b"accept", b"") or scope["path"].endswith(".json")


class RequireLogin:
    """Sends visitors without a signed-in session to the login page (401 for JSON callers)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(PUBLIC_PREFIXES) or scope["session"].get("user"):
            await self.app(scope, receive, send)
            return
        response: Response
        if _wants_json(scope) or scope["method"] != "GET":
            response = JSONResponse({"error": "login required"}, status_code=401)
        else:
            target = scope["path"] + (("?" + scope["query_string"].decode()) if scope.get("query_string") else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        await response(scope, receive, send)


class CsrfProtect:
    """Refuses state-changing requests without the session's CSRF token."""

    def __init__(self, app: ASGIApp, refuse: Any) -> None:
        self.app = app
        self.refuse = refuse  # builds the 403 page: (scope) -> Response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            await self.app(scope, receive, send)
            return
        body, too_big = await _read_body(receive)
        expected = scope["session"].get("csrf")
        given = _token_of(scope, body)
        if too_big or not expected or not given or not hmac.compare_digest(given, expected):
            await self.refuse(scope)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return b"", True
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks), False


def _token_of(scope: Scope, body: bytes) -> str | None:
    headers = dict(scope.get("headers") or [])
    if b"x-csrf-token" in headers:
        return headers[b"x-csrf-token"].decode("latin-1")
    if headers.get(b"content-type", b"").startswith(b"application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("utf-8", "replace")).get("csrf_token")
        return values[0] if values else None
    return None


def _replay(body: bytes, original: Receive) -> Receive:
    """The body already read, then whatever the client sends next (its disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
