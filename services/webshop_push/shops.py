"""Connecting to a shop described by order_ingest's shop registry (read-only reference data)."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from polc.runtime.secrets import SecretBox, SecretUnavailable
from polc.shoprenter import AuthMode, RateLimit, RetryPolicy, ShopConnection
from services.webshop_push.errors import PushError
from services.webshop_push.settings import Settings


def resolve_secret(raw: str | dict[str, Any] | None, settings: Settings) -> SecretStr | None:
    """The stored credential (sealed, in the environment or plain; see ``polc.runtime.secrets``)."""
    try:
        return SecretBox(settings.secrets_key).open(raw)
    except SecretUnavailable as error:
        raise PushError(str(error)) from None


def connection(row: Any, settings: Settings) -> ShopConnection:
    """How to reach the shop a registry row describes, paced at the shop's rate."""
    secret = resolve_secret(row["secret"], settings)
    common: dict[str, Any] = dict(
        shop_id=row["shop_id"], api_base_url=row["api_base_url"], auth_mode=AuthMode(row["auth_mode"]),
        rate_limit=RateLimit(requests=int(row["rate_limit_per_s"]), margin_seconds=settings.shop_rate_margin_s,
                             allow_above_shoprenter_limit=settings.allow_fast_shops),
        retry=RetryPolicy(max_attempts=settings.shop_max_attempts, base_delay_seconds=settings.shop_retry_base_s,
                          max_delay_seconds=max(settings.shop_retry_base_s, 8.0),
                          max_elapsed_seconds=settings.shop_retry_max_elapsed_s),
        timeout_seconds=settings.shop_timeout_s, batch_size=settings.batch_size,
    )
    if row["auth_mode"] == "basic":
        return ShopConnection(**common, username=row["username"], password=secret)
    return ShopConnection(**common, token_url=row["token_url"], client_id=row["client_id"], client_secret=secret)
