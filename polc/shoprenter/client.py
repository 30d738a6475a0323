"""The low-level async client: one shop, paced, authenticated, retried, paginated.

Typed, resource-level calls live in `api.py`; batches in `batch.py`. This module moves
JSON in and out and turns failures into the `errors` family.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from polc.runtime import metrics
from polc.shoprenter.auth import Authenticator
from polc.shoprenter.backoff import (
    REJECTED_BEFORE_PROCESSING,
    RETRYABLE_STATUSES,
    backoff_delay,
    parse_retry_after,
)
from polc.shoprenter.config import ShopConnection
from polc.shoprenter.errors import (
    ShopRenterApiError,
    ShopRenterAuthError,
    ShopRenterDecodeError,
    ShopRenterNotFound,
    ShopRenterRetryExhausted,
    ShopRenterTransportError,
)
from polc.shoprenter.ratelimit import ShopRegistry, default_registry

log = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD"})
# The request certainly never left this process: always safe to repeat.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class ShopRenterClient:
    """Async JSON client for one shop.

    Every attempt (retries included) waits for the shop's shared rate limiter. A 401 with
    OAuth triggers one token renewal and one repeat. 429/5xx/timeouts are retried with
    jittered backoff when repeating is safe: always for GET/PUT/DELETE, for POST only when
    the shop certainly did not act (429, connection never made) unless `idempotent=True`.
    """

    def __init__(
        self,
        connection: ShopConnection,
        *,
        http: httpx.AsyncClient | None = None,
        registry: ShopRegistry | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.connection = connection
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=connection.timeout_seconds)
        self._registry = registry or default_registry()
        self._limiter = self._registry.limiter(connection.shop_id, connection.rate_limit)
        self._auth = Authenticator(connection, self._http, self._registry, clock)
        self._clock = clock
        self._rng = rng

    def __repr__(self) -> str:
        return f"ShopRenterClient(shop_id={self.connection.shop_id!r}, base={self.connection.base!r})"

    async def __aenter__(self) -> ShopRenterClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connection pool if this client created it."""
        if self._own_http:
            await self._http.aclose()

    @property
    def batch_lock(self) -> asyncio.Lock:
        """The shop's lock that keeps batches from running concurrently."""
        return self._registry.batch_lock(self.connection.shop_id)

    def url(self, path_or_href: str) -> str:
        """An absolute URL under this shop's API base.

        Hrefs returned by the API may name another host (the legacy API host, for one);
        only their path after the resource root is kept, so links always go to the
        configured base with the configured credentials.
        """
        base = self.connection.base
        if path_or_href.startswith(base):
            return path_or_href
        if "://" in path_or_href:
            parts = urlsplit(path_or_href)
            rel = parts.path
            base_path = urlsplit(base).path.rstrip("/")
            if base_path and rel.startswith(base_path + "/"):
                rel = rel[len(base_path):]
            elif rel.startswith("/api/"):
                rel = rel[len("/api"):]
            return base + rel + (f"?{parts.query}" if parts.query else "")
        return f"{base}/{path_or_href.lstrip('/')}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one call with pacing, auth and retries; return the decoded JSON (or None)."""
        method = method.upper()
        safe_to_repeat = idempotent if idempotent is not None else method in IDEMPOTENT_METHODS
        url = self.url(path)
        where = {"shop_id": self.connection.shop_id, "method": method, "path": urlsplit(url).path}
        policy = self.connection.retry
        started = self._clock()
        attempt = 0
        renewed = False
        while True:
            attempt += 1
            auth_header = await self._auth.header()
            headers = {"Authorization": auth_header, "Accept": "application/json"}
            retry_after: float | None = None
            shop = self.connection.shop_id
            try:
                resp = await self._send(method, url, params=params, json=json, headers=headers)
            except httpx.HTTPError as exc:
                metrics.SHOPRENTER_REQUESTS.labels(shop, method, "error").inc()
                if not (safe_to_repeat or isinstance(exc, _NOT_SENT)):
                    raise ShopRenterTransportError(
                        f"{type(exc).__name__}; not repeated because {method} is not idempotent", **where
                    ) from None
                failure, status = type(exc).__name__, None
            else:
                metrics.SHOPRENTER_REQUESTS.labels(shop, method, str(resp.status_code)).inc()
                if resp.status_code == 429:
                    metrics.SHOPRENTER_RATE_LIMITED.labels(shop).inc()
                if resp.status_code == 401 and self._auth.renewable and not renewed:
                    renewed = True
                    self._auth.invalidate(auth_header)
                    attempt -= 1  # a token renewal is not a retry of a failing shop
                    continue
                if resp.status_code < 400:
                    decoded, ok = _decode(resp)
                    if ok:
                        return decoded
                    if not safe_to_repeat:
                        raise ShopRenterDecodeError("success status with a malformed body", **where)
                    failure, status = "malformed body", resp.status_code
                elif resp.status_code in RETRYABLE_STATUSES and (
                    safe_to_repeat or resp.status_code in REJECTED_BEFORE_PROCESSING
                ):
                    failure, status = f"HTTP {resp.status_code}", resp.status_code
                    retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                else:
                    raise error_from_response(resp, where)
            delay = backoff_delay(policy, attempt, self._rng)
            if retry_after is not None:
                delay = max(delay, retry_after)
            elapsed = self._clock() - started
            if attempt >= policy.max_attempts or elapsed + delay > policy.max_elapsed_seconds:
                raise ShopRenterRetryExhausted(
                    f"gave up after {attempt} attempts ({failure})",
                    last_status=status, attempts=attempt, **where,
                )
            log.warning(
                "shoprenter transient failure, retrying",
                extra={**where, "failure": failure, "attempt": attempt, "delay": round(delay, 3)},
            )
            await asyncio.sleep(delay)

    async def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One attempt, holding a rate-limit lane from before it is sent until the shop answers.

        The lane is given back when the answer's headers are in: the shop counted the call
        before it answered, so reading a large body need not keep the lane closed. Sending and
        reading each have a hard deadline of `timeout_seconds` (httpx's timeout is per read or
        write), so a shared lane's lease is never outlived by its call.
        """
        timeout = self.connection.timeout_seconds
        request = self._http.build_request(method, url, timeout=timeout, **kwargs)
        async with self._limiter.slot(lease_seconds=timeout + 1.0):
            sent_at = time.perf_counter()
            try:
                async with asyncio.timeout(timeout):
                    resp = await self._http.send(request, stream=True)
            except TimeoutError:
                raise httpx.ReadTimeout(f"no answer within {timeout:g} s", request=request) from None
        try:
            async with asyncio.timeout(timeout):
                await resp.aread()
        except TimeoutError:
            raise httpx.ReadTimeout(f"no complete answer within {timeout:g} s", request=request) from None
        finally:
            await resp.aclose()
        metrics.SHOPRENTER_LATENCY.labels(self.connection.shop_id).observe(time.perf_counter() - sent_at)
        return resp

    async def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET one resource or page."""
        return await self.request("GET", path, params=params)

    async def iter_collection(
        self, resource: str, params: Mapping[str, Any] | None = None, *, full: bool = True
    ) -> AsyncIterator[dict[str, Any]]:
        """Yield every item of a collection, page by page (0-based), until `next` is null.

        Pages are requested by number with the same filters rather than by following
        `next.href`, which may point at another host. Items already yielded (by id) are
        skipped, so rows shifting between pages while the shop changes are not repeated.
        """
        seen: set[str] = set()
        page = 0
        while True:
            query = {**(params or {}), "page": page, "limit": self.connection.page_limit}
            if full:
                query["full"] = 1
            body = await self.get(resource, query)
            if not isinstance(body, dict):
                raise ShopRenterDecodeError(f"collection page is not an object: {resource}")
            for item in _items(body):
                key = str(item.get("id") or item.get("href") or "")
                if key and key in seen:
                    continue
                seen.add(key)
                yield item
            if not body.get("next"):
                return
            page += 1

    async def get_all(
        self, resource: str, params: Mapping[str, Any] | None = None, *, full: bool = True
    ) -> list[dict[str, Any]]:
        """All items of a collection as a list."""
        return [item async for item in self.iter_collection(resource, params, full=full)]


def _items(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("items")
    if isinstance(items, dict):  # an XML-to-JSON artifact: a lone item is not wrapped in a list
        items = [items]
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)]


def _decode(resp: httpx.Response) -> tuple[Any, bool]:
    if resp.status_code == 204 or not resp.content.strip():
        return None, True
    try:
        return resp.json(), True
    except ValueError:
        return None, False


def error_payload(body: Any) -> tuple[int | None, str | None]:
    """ShopRenter's inner code and message from an error body of any known shape."""
    if not isinstance(body, dict):
        return None, None
    code = None
    for key in ("innerCode", "code", "errorCode"):
        try:
            code = int(body[key])
            break
        except (KeyError, TypeError, ValueError):
            continue
    message = next((str(body[k]) for k in ("message", "error_description", "error") if body.get(k)), None)
    return code, message


def error_from_response(resp: httpx.Response, where: dict[str, str]) -> ShopRenterApiError:
    """Translate an error response into the right exception."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    inner, message = error_payload(body)
    message = message or resp.reason_phrase or "error"
    kind: type[ShopRenterApiError] = ShopRenterApiError
    if resp.status_code in (401, 403):
        kind = ShopRenterAuthError
    elif resp.status_code == 404:
        kind = ShopRenterNotFound
    return kind(message, status=resp.status_code, inner_code=inner, raw_body=resp.text, **where)
