"""Settings of the back office (environment prefix ``POLC_BACKOFFICE_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_state_dir() -> Path:
    return Path(os.environ.get("POLC_HOME", ".polc")) / "backoffice"


class Settings(BaseSettings):
    """Where the back office listens, which services it talks to, and how users sign in."""

    model_config = SettingsConfigDict(env_prefix="POLC_BACKOFFICE_", extra="ignore")

    http_host: str = Field(default="127.0.0.1", description="Address the web back office listens on.")
    http_port: int = Field(default=8100, description="Port of the web back office; 0 picks a free one.")
    ingest_url: str = Field(default="http://127.0.0.1:8101", description="order_ingest HTTP API.")
    ledger_url: str = Field(default="http://127.0.0.1:8102", description="stock_ledger HTTP API.")
    push_url: str = Field(default="http://127.0.0.1:8103", description="webshop_push HTTP API.")
    invoicing_url: str = Field(default="http://127.0.0.1:8104", description="invoicing HTTP API.")
    service_timeout_s: float = Field(default=60.0, gt=0, description="Timeout of one call to a service.")
    state_dir: Path = Field(default_factory=_default_state_dir,
                            description="Folder of the user file and the session key (default $POLC_HOME/backoffice).")
    admin_user: str = Field(default="admin", min_length=1, description="User created on first start.")
    admin_password: SecretStr | None = Field(
        default=None, description="Password of the admin user; when unset, one is generated on first start and printed once.")
    secret_key: SecretStr | None = Field(
        default=None, description="Key signing the session cookies; when unset, one is generated and kept in state_dir.")
    session_max_age_s: int = Field(default=12 * 3600, gt=0, description="Sessions expire after this long.")
    https_only_cookies: bool = Field(default=False, description="Send the session cookie over HTTPS only.")
    default_language: Literal["hu", "en"] = Field(default="hu", description="Language of the UI before a user switches.")
    basket_id: str = Field(default="default", description="The invoicing basket this back office fills.")
    timezone: str = Field(default="Europe/Budapest", description="Time zone dates are shown in.")
    basket_wait_s: float = Field(default=10.0, ge=0, description="How long 'To basket' waits to see the orders arrive.")
    log_level: str = Field(default="INFO", description="Log level.")

    @property
    def users_file(self) -> Path:
        return self.state_dir / "users.json"

    @property
    def key_file(self) -> Path:
        return self.state_dir / "session.key"
