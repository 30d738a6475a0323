"""The services' HTTP APIs as the back office uses them, and their failures in operator words."""

from __future__ import annotations

from typing import Any

import httpx

from backoffice.settings import Settings

SERVICE_NAMES = {"ingest": "order sync", "ledger": "stock ledger", "push": "webshop updates",
                 "invoicing": "invoicing"}


class ServiceError(Exception):
    """A service could not be reached or refused a request.

    ``kind`` is ``unreachable`` (down or too slow), ``not_found``, ``refused`` (the request was
    invalid; ``detail`` says why) or ``failed`` (the service broke).
    """

    def __init__(self, service: str, kind: str, detail: str = "", status: int | None = None) -> None:
        super().__init__(f"{service}: {kind}: {detail}")
        self.service, self.kind, self.detail, self.status = service, kind, detail, status


def explain_detail(body: Any) -> str:
    """A service's error answer as one readable line (validation errors become field: message)."""
    if not isinstance(body, dict):
        return str(body)[:500]
    parts = []
    for key in ("error", "detail"):
        value = body.get(key)
        if isinstance(value, list):
            parts.extend(_validation_item(v) for v in value)
        elif isinstance(value, dict):
            parts.append(", ".join(f"{k}: {v}" for k, v in value.items()))
        elif value and value not in ("invalid request",):
            parts.append(str(value))
    return "; ".join(p for p in parts if p)[:1000]


def _validation_item(item: Any) -> str:
    if not isinstance(item, dict):
        return str(item)
    where = ".".join(str(p) for p in item.get("loc", ()) if p not in ("body",))
    return f"{where}: {item.get('msg', '')}" if where else str(item.get("msg", ""))


class ServiceClient:
    """One service's API; every failure becomes a ``ServiceError``."""

    def __init__(self, name: str, base_url: str, timeout_s: float, transport: httpx.AsyncBaseTransport | None = None):
        self.name = name
        self.http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout_s, transport=transport)

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = await self.http.request(method, path, **kwargs)
        except (httpx.TransportError, httpx.TimeoutException) as error:
            raise ServiceError(self.name, "unreachable", type(error).__name__) from error
        if response.status_code >= 400:
            try:
                detail = explain_detail(response.json())
            except ValueError:
                detail = response.text[:500]
            kind = ("not_found" if response.status_code == 404 else
                    "unreachable" if response.status_code in (502, 503, 504) else
                    "refused" if response.status_code < 500 else "failed")
            raise ServiceError(self.name, kind, detail, response.status_code)
        return response

    async def get(self, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v not in (None, "")}
        return (await self.request("GET", path, params=clean)).json()

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        response = await self.request("POST", path, json=body if body is not None else {}, **kwargs)
        return response.json() if response.content else None

    async def put(self, path: str, body: Any) -> Any:
        return (await self.request("PUT", path, json=body)).json()

    async def patch(self, path: str, body: Any) -> Any:
        return (await self.request("PATCH", path, json=body)).json()

    async def aclose(self) -> None:
        await self.http.aclose()


class Services:
    """The four services the back office sits on."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        timeout = settings.service_timeout_s
        self.ingest = ServiceClient("ingest", settings.ingest_url, timeout, transport)
        self.ledger = ServiceClient("ledger", settings.ledger_url, timeout, transport)
        self.push = ServiceClient("push", settings.push_url, timeout, transport)
        self.invoicing = ServiceClient("invoicing", settings.invoicing_url, timeout, transport)

    def all(self) -> list[ServiceClient]:
        return [self.ingest, self.ledger, self.push, self.invoicing]

    async def aclose(self) -> None:
        for client in self.all():
            await client.aclose()
