"""Settings of the order_ingest service (environment prefix `POLC_INGEST_`)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from polc.runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="POLC_INGEST_", extra="ignore")

    http_port: int = Field(default=8101, description="Port of the service's HTTP API, health and metrics.")
    default_poll_interval_s: float = Field(default=300.0, gt=0, description="Poll interval of a shop that sets none (M19: 5 minutes).")
    scheduler_tick_s: float = Field(default=1.0, gt=0, description="How often an instance looks for due shops and sync requests.")
    scheduler_enabled: bool = Field(default=True, description="Poll shops from this instance (off: API and subscriber only).")
    max_concurrent_shops: int = Field(default=4, ge=1, description="Shops one instance polls at the same time.")
    cursor_overlap_s: float = Field(default=600.0, ge=0, description="How far before the newest seen dateUpdated each poll re-reads.")
    max_gap_polls: int = Field(default=12, ge=1, description="Polls an innerId gap is looked for before it is reported and dropped.")
    failure_retry_s: float = Field(default=30.0, gt=0, description="Delay before a failed poll is repeated (capped by the poll interval).")
    review_retry_s: float = Field(default=900.0, gt=0, description="Open review items are tried again at most this often.")
    totals_tolerance: Decimal = Field(default=Decimal("1.00"), ge=0, description="Largest accepted |shop TOTAL - recomputed gross|.")
    max_line_quantity: Decimal = Field(
        default=Decimal("10000"), gt=0,
        description="Largest quantity one order line may have; a line above it waits in review as implausible.")
    reference_cache_s: float = Field(default=3600.0, ge=0, description="How long a shop's statuses and tax classes are reused.")
    shop_timeout_s: float = Field(default=30.0, gt=0, description="Timeout of one ShopRenter request.")
    shop_max_attempts: int = Field(default=6, ge=1, description="Attempts per ShopRenter request.")
    shop_retry_base_s: float = Field(default=0.5, ge=0, description="First retry delay of a ShopRenter request.")
    allow_fast_shops: bool = Field(default=False, description="Accept shop rate limits above ShopRenter's 3 req/s (simulators only).")
    push_schema: str = Field(default="webshop_push", pattern=r"^[a-z_][a-z0-9_]*$",
                             description="Schema of webshop_push, whose record of the order statuses polc wrote is "
                                         "read (never written) so a poll does not import them as shop changes.")
