"""Authentication headers: cached OAuth client-credentials tokens or legacy HTTP Basic."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Callable

import httpx

from polc.shoprenter.config import AuthMode, ShopConnection
from polc.shoprenter.errors import ShopRenterApiError, ShopRenterAuthError, ShopRenterTransportError
from polc.shoprenter.ratelimit import ShopRegistry, TokenCache

log = logging.getLogger(__name__)


class Authenticator:
    """Produces the Authorization header for one shop and renews OAuth tokens.

    Tokens are shared per (shop, client id) through the registry, fetched under a lock so
    concurrent callers trigger one token request, and renewed `token_renew_margin_seconds`
    before they expire. ShopRenter issues no refresh token: renewal is a fresh grant.
    """

    def __init__(
        self,
        connection: ShopConnection,
        http: httpx.AsyncClient,
        registry: ShopRegistry,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._conn = connection
        self._http = http
        self._clock = clock
        self._cache: TokenCache | None = None
        if connection.auth_mode is AuthMode.OAUTH:
            self._cache = registry.token_cache(connection.shop_id, connection.client_id or "")

    def __repr__(self) -> str:
        return f"Authenticator(shop_id={self._conn.shop_id!r}, mode={self._conn.auth_mode.value})"

    @property
    def renewable(self) -> bool:
        """True when a 401 may be cured by fetching a new token."""
        return self._cache is not None

    async def header(self) -> str:
        """The Authorization header value to send now."""
        if self._cache is None:
            raw = f"{self._conn.username}:{self._conn.password.get_secret_value()}"  # type: ignore[union-attr]
            return "Basic " + base64.b64encode(raw.encode()).decode()
        cache = self._cache
        if not self._fresh(cache):
            async with cache.lock:
                if not self._fresh(cache):  # another task may have renewed meanwhile
                    await self._fetch(cache)
        return f"Bearer {cache.access_token}"

    def invalidate(self, header_value: str) -> None:
        """Forget the token that was just rejected (unless it was already replaced)."""
        if self._cache and header_value == f"Bearer {self._cache.access_token}":
            self._cache.access_token = None
            self._cache.expires_at = 0.0

    def _fresh(self, cache: TokenCache) -> bool:
        margin = self._conn.token_renew_margin_seconds
        return cache.access_token is not None and self._clock() < cache.expires_at - margin

    async def _fetch(self, cache: TokenCache) -> None:
        conn = self._conn
        body = {
            "grant_type": "client_credentials",
            "client_id": conn.client_id,
            "client_secret": conn.client_secret.get_secret_value(),  # type: ignore[union-attr]
        }
        where = {"shop_id": conn.shop_id, "method": "POST", "path": "token"}
        started = self._clock()
        try:
            resp = await self._http.post(
                conn.token_url,  # type: ignore[arg-type]
                json=body,
                headers={"Accept": "application/json", "Content-Type": "application/json"},
                timeout=conn.timeout_seconds,
            )
        except httpx.HTTPError as exc:
            raise ShopRenterTransportError(f"token request failed: {type(exc).__name__}", **where) from None
        if resp.status_code in (400, 401, 403):
            raise ShopRenterAuthError(_token_error(resp), status=resp.status_code, **where)
        if resp.status_code >= 400:
            raise ShopRenterApiError("token endpoint error", status=resp.status_code, **where)
        try:
            data = resp.json()
            token = str(data["access_token"])
            expires_in = float(data.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise ShopRenterAuthError("token response unreadable", status=resp.status_code, **where) from None
        cache.access_token = token
        cache.expires_at = started + expires_in
        log.info("shoprenter token renewed", extra={"shop_id": conn.shop_id, "expires_in": expires_in})


def _token_error(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return "token request rejected"
    if not isinstance(data, dict):
        return "token request rejected"
    parts = [str(data[k]) for k in ("error", "error_description", "hint") if data.get(k)]
    return ": ".join(parts) or "token request rejected"
