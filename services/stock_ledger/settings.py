"""Settings of the stock_ledger service (environment prefix `POLC_LEDGER_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from polc.runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="POLC_LEDGER_", extra="ignore")

    http_port: int = Field(default=8102, description="Port of the service's HTTP API, health and metrics.")
