"""Connecting to a shop described by order_ingest's shop registry (read-only reference data)."""

from __future__ import annotations

import json
import os
from typing import Any

from pydantic import SecretStr

from polc.shoprenter import AuthMode, RateLimit, RetryPolicy, ShopConnection
from services.webshop_push.errors import PushError
from services.webshop_push.settings import Settings


def resolve_secret(raw: str | dict[str, Any] | None) -> SecretStr | None:
    """The stored credential: ``{"value": ...}`` or ``{"env": NAME}`` (the secret lives in the environment)."""
    if raw is None:
        return None
    stored = json.loads(raw) if isinstance(raw, str) else raw
    if "env" in stored:
        value = os.environ.get(stored["env"])
        if value is None:
            raise PushError(f"environment variable {stored['env']} with the shop secret is not set")
        return SecretStr(value)
    return SecretStr(stored["value"])


def connection(row: Any, settings: Settings) -> ShopConnection:
    """How to reach the shop a registry row describes, paced at the shop's rate."""
    secret = resolve_secret(row["secret"])
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
