"""Shop configuration: what an operator sets, what is shown back, how a connection is built.

Credentials are write-only: they are stored apart from the shop row, never returned by the
API and never logged. Instead of the secret itself a shop may name an environment variable
that holds it (``secret_env``), so the secret never reaches the database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr

from contracts.common import ShopId, WarehouseId
from polc.runtime.secrets import SecretBox, SecretUnavailable
from polc.shoprenter import AuthMode, RateLimit, RetryPolicy, ShopConnection
from services.order_ingest.errors import IngestError
from services.order_ingest.settings import Settings

SERIES_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"


class ShopChange(BaseModel):
    """Fields an operator may change on a shop; unset fields stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=200)
    api_base_url: str | None = None
    token_url: str | None = None
    auth_mode: Literal["oauth", "basic"] | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    secret_env: str | None = Field(None, description="Environment variable holding the client secret or password.")
    warehouse_id: WarehouseId | None = None
    series_id: str | None = Field(None, pattern=SERIES_ID, description="Number series; shops may share one (M4).")
    series_prefix: str | None = Field(None, max_length=20, description="Prefix of a series created for this shop.")
    poll_interval_s: float | None = Field(None, gt=0)
    first_sync_from: AwareDatetime | None = None
    rate_limit_per_s: int | None = Field(None, ge=1)
    cancel_status_names: list[str] | None = None
    paid_status_names: list[str] | None = Field(
        None, description="Shop statuses that mean the order is paid (ShopRenter has no payment status field).")
    enabled: bool | None = None


class ShopIn(ShopChange):
    """A new shop."""

    shop_id: ShopId
    api_base_url: str
    warehouse_id: WarehouseId


def shop_row(shop_id: str, change: ShopChange, existing: dict[str, Any] | None, settings: Settings) -> dict[str, Any]:
    """The shops row after applying ``change`` (secrets excluded)."""
    row = dict(existing or {})
    row["shop_id"] = shop_id
    data = change.model_dump(exclude_unset=True, exclude={"client_secret", "password", "secret_env", "series_prefix"})
    row.update({k: v for k, v in data.items() if v is not None or k == "token_url"})
    row.setdefault("name", shop_id)
    row.setdefault("series_id", shop_id)
    row.setdefault("poll_interval_s", settings.default_poll_interval_s)
    row.setdefault("first_sync_from", datetime.now(UTC))
    row.setdefault("auth_mode", "oauth")
    keep = ("shop_id", "name", "api_base_url", "token_url", "auth_mode", "client_id", "username", "warehouse_id",
            "series_id", "poll_interval_s", "first_sync_from", "rate_limit_per_s", "cancel_status_names",
            "paid_status_names", "enabled")
    return {k: row[k] for k in keep if k in row}


def secret_of(change: ShopChange, box: SecretBox) -> dict[str, Any] | None:
    """What to store for the credentials in ``change``, if it brings any (sealed when a key is set)."""
    if change.secret_env:
        return {"env": change.secret_env}
    value = change.client_secret or change.password
    return box.seal(value.get_secret_value()) if value else None


def public_view(row: Any) -> dict[str, Any]:
    """A shop as the API shows it: everything but credentials."""
    out = {k: row[k] for k in row.keys()}
    for key in ("first_sync_from", "created_at", "updated_at"):
        if out.get(key) is not None:
            out[key] = out[key].isoformat()
    out["cancel_status_names"] = list(out.get("cancel_status_names") or [])
    out["paid_status_names"] = list(out.get("paid_status_names") or [])
    return out


def resolve_secret(stored: dict[str, Any] | None, box: SecretBox) -> SecretStr | None:
    """The shop's secret from what is stored (sealed, in the environment, or plain)."""
    try:
        return box.open(stored)
    except SecretUnavailable as error:
        raise IngestError(str(error)) from None


def connection(row: Any, secret: SecretStr | None, settings: Settings) -> ShopConnection:
    """How to reach the shop ``row`` describes."""
    rate = int(row["rate_limit_per_s"])
    common = dict(
        shop_id=row["shop_id"], api_base_url=row["api_base_url"], auth_mode=AuthMode(row["auth_mode"]),
        rate_limit=RateLimit(requests=rate, allow_above_shoprenter_limit=settings.allow_fast_shops),
        retry=RetryPolicy(max_attempts=settings.shop_max_attempts, base_delay_seconds=settings.shop_retry_base_s,
                          max_delay_seconds=max(settings.shop_retry_base_s, 8.0)),
        timeout_seconds=settings.shop_timeout_s,
    )
    if row["auth_mode"] == "basic":
        return ShopConnection(**common, username=row["username"], password=secret)
    return ShopConnection(**common, token_url=row["token_url"], client_id=row["client_id"], client_secret=secret)
