"""Settings of the webshop_push service (environment prefix `POLC_PUSH_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from polc.runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="POLC_PUSH_", extra="ignore")

    http_port: int = Field(default=8103, description="Port of the service's HTTP API, health and metrics.")
    pusher_enabled: bool = Field(default=True, description="Run shop pushers in this instance (off: subscriber and API only).")
    shop_scan_s: float = Field(default=2.0, gt=0, description="How often an instance looks for shops it could push to.")
    idle_poll_s: float = Field(default=1.0, gt=0, description="Longest sleep of an idle pusher between looks at its pending writes.")
    handover_quiet_s: float = Field(default=1.2, ge=0, description="Pause before a pusher's first request to a shop it just "
                                    "took over, so the previous owner's requests leave the rate window.")
    linger_s: float = Field(default=0.02, ge=0, description="Wait after a wake-up so close changes leave in one batch.")
    batch_size: int = Field(default=200, ge=1, le=200, description="Product writes per Batch API call (ShopRenter max 200).")
    fence_resend_s: float = Field(default=15.0, gt=0, description="A fence still waiting after this long asks order_ingest again.")
    fence_poll_s: float = Field(default=0.05, gt=0, description="How often a waiting fence looks at the database.")
    retry_base_s: float = Field(default=1.0, gt=0, description="First delay before a failed write is tried again.")
    retry_max_s: float = Field(default=300.0, gt=0, description="Largest delay between tries of a failed write.")
    report_after_attempts: int = Field(default=3, ge=1, description="Failed tries before ShopWriteFailed is published.")
    missing_retry_s: float = Field(default=600.0, gt=0, description="How often a SKU the shop lacks is looked for again.")
    shop_timeout_s: float = Field(default=30.0, gt=0, description="Timeout of one ShopRenter request.")
    shop_max_attempts: int = Field(default=6, ge=1, description="Attempts per ShopRenter request inside the client.")
    shop_retry_base_s: float = Field(default=0.5, ge=0, description="First retry delay of a ShopRenter request.")
    shop_retry_max_elapsed_s: float = Field(default=60.0, gt=0, description="Longest time the client keeps retrying one request.")
    shop_rate_margin_s: float = Field(default=0.02, ge=0, description="Extra seconds added to each shop's 1 s rate window "
                                      "counted from each call's completion (more margin, fewer requests per second).")
    allow_fast_shops: bool = Field(default=False, description="Accept shop rate limits above ShopRenter's 3 req/s (simulators only).")
    shop_registry_schema: str = Field(default="order_ingest", description="Schema holding the shop registry (read-only).")
