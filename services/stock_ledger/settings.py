"""Settings of the stock_ledger service (environment prefix `POLC_LEDGER_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from polc.runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="POLC_LEDGER_", extra="ignore")

    http_port: int = Field(default=8102, description="Port of the service's HTTP API, health and metrics.")
    fulfil_paid_first: bool = Field(
        default=False, description="Judge paid orders before unpaid ones when allocating stock (M21).")
    fulfil_shop_priority: list[str] = Field(
        default_factory=list,
        description="Shops whose orders are judged first, in this order (JSON list); others follow, oldest first.")
