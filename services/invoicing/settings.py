"""Settings of the invoicing service (environment prefix `POLC_INVOICING_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from polc.runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="POLC_INVOICING_", extra="ignore")

    http_port: int = Field(default=8104, description="Port of the service's HTTP API, health and metrics.")
