"""Connection settings for one ShopRenter shop: where it lives, how to authenticate, how fast to go.

Everything shop-specific lives here, so a real shop works by configuration alone.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

#: ShopRenter's documented ceiling: 3 requests per application, per shop, per second.
SHOPRENTER_MAX_REQUESTS_PER_SECOND = 3.0


class AuthMode(str, Enum):
    """How the client proves who it is."""

    OAUTH = "oauth"  # client credentials -> short-lived Bearer token (the current scheme)
    BASIC = "basic"  # legacy API user name + password


class RetryPolicy(BaseModel):
    """Jittered exponential backoff, bounded both in attempts and in total time."""

    model_config = ConfigDict(frozen=True)

    max_attempts: int = Field(6, ge=1, description="Attempts per call, the first one included.")
    base_delay_seconds: float = Field(0.5, ge=0, description="Delay before the first retry.")
    max_delay_seconds: float = Field(8.0, ge=0, description="Cap of one computed delay.")
    max_elapsed_seconds: float = Field(
        60.0, gt=0, description="A retry that would end after this much time is not attempted."
    )


class RateLimit(BaseModel):
    """At most `requests` calls in any window of `period_seconds` on the shop's side.

    Each window is counted from a call's completion (see ``ratelimit``), which makes the
    limit hold whatever the network delays; `margin_seconds` only covers the difference
    between the shop's clock rate and ours.
    """

    model_config = ConfigDict(frozen=True)

    requests: int = Field(3, ge=1)
    period_seconds: float = Field(1.0, gt=0)
    margin_seconds: float = Field(0.02, ge=0)
    allow_above_shoprenter_limit: bool = Field(
        False,
        description="Only for simulators configured with a higher limit; real shops reject it.",
    )

    @model_validator(mode="after")
    def _within_shoprenter_limit(self) -> RateLimit:
        rate = self.requests / self.period_seconds
        if rate > SHOPRENTER_MAX_REQUESTS_PER_SECOND and not self.allow_above_shoprenter_limit:
            raise ValueError(
                f"{rate:g} req/s exceeds ShopRenter's {SHOPRENTER_MAX_REQUESTS_PER_SECOND:g} req/s"
            )
        return self


class ShopConnection(BaseModel):
    """How to reach and authenticate against one shop's API.

    `shop_id` is polc's key for the shop; rate limiter, token cache and batch lock are shared
    by every client in the process that uses the same `shop_id`.
    """

    model_config = ConfigDict(frozen=True)

    shop_id: str = Field(min_length=1)
    api_base_url: str = Field(description="e.g. https://myshop.api2.myshoprenter.hu/api")
    auth_mode: AuthMode = AuthMode.OAUTH
    token_url: str | None = Field(
        None, description="OAuth token endpoint, e.g. https://oauth.app.shoprenter.net/myshop/app/token"
    )
    client_id: str | None = None
    client_secret: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    rate_limit: RateLimit = RateLimit()
    retry: RetryPolicy = RetryPolicy()
    timeout_seconds: float = Field(30.0, gt=0, description="Per-request timeout.")
    token_renew_margin_seconds: float = Field(
        60.0, ge=0, description="A token is renewed this long before it expires."
    )
    page_limit: int = Field(200, ge=1, le=200, description="Items per page (ShopRenter max 200).")
    batch_size: int = Field(200, ge=1, le=200, description="Requests per Batch API call.")

    @model_validator(mode="after")
    def _credentials_match_mode(self) -> ShopConnection:
        if self.auth_mode is AuthMode.OAUTH:
            if not (self.token_url and self.client_id and self.client_secret):
                raise ValueError("oauth needs token_url, client_id and client_secret")
        elif not (self.username and self.password):
            raise ValueError("basic auth needs username and password")
        return self

    @property
    def base(self) -> str:
        """The API base without a trailing slash."""
        return self.api_base_url.rstrip("/")

    @classmethod
    def for_shop(cls, shop_name: str, client_id: str, client_secret: str, **overrides: object) -> ShopConnection:
        """A connection to a real shop by its ShopRenter name, using the documented hosts."""
        values: dict[str, object] = {
            "shop_id": shop_name,
            "api_base_url": f"https://{shop_name}.api2.myshoprenter.hu/api",
            "token_url": f"https://oauth.app.shoprenter.net/{shop_name}/app/token",
            "client_id": client_id,
            "client_secret": SecretStr(client_secret),
        }
        values.update(overrides)
        return cls.model_validate(values)
