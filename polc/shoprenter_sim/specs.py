"""Configuration models of the simulator: shops and the faults injected into them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ShopSpec(BaseModel):
    """One simulated shop. Credentials default to values derived from the name."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    client_id: str | None = None
    client_secret: str | None = None
    username: str | None = None
    password: str | None = None
    token_ttl_seconds: float = Field(3600.0, gt=0)
    rate_limit_per_second: int = Field(3, ge=1, description="Requests allowed in any 1 s window.")
    seed: int = Field(1, description="Random seed for generated orders.")
    seed_orders: int = Field(3, ge=0, description="Orders placed when the shop is (re)built.")

    @property
    def credentials(self) -> dict[str, str]:
        """The shop's effective credentials (OAuth and Basic)."""
        return {
            "client_id": self.client_id or f"{self.name}-client",
            "client_secret": self.client_secret or f"{self.name}-secret",
            "username": self.username or f"{self.name}-api",
            "password": self.password or f"{self.name}-password",
        }

    @classmethod
    def coerce(cls, value: ShopSpec | str) -> ShopSpec:
        """Accept a bare shop name wherever a spec is expected."""
        return value if isinstance(value, ShopSpec) else cls(name=value)


class FaultConfig(BaseModel):
    """Faults injected into one shop's API (not the token endpoint, not the control API).

    Probabilities are per request. `fail_next` is a deterministic queue: the next requests
    get these statuses, one each, before any probabilistic fault is considered.
    """

    p429: float = Field(0.0, ge=0, le=1)
    p500: float = Field(0.0, ge=0, le=1)
    p503: float = Field(0.0, ge=0, le=1)
    p504: float = Field(0.0, ge=0, le=1)
    p_timeout: float = Field(0.0, ge=0, le=1, description="Hang for timeout_seconds, then 504.")
    timeout_seconds: float = Field(5.0, ge=0)
    p_malformed: float = Field(0.0, ge=0, le=1, description="200 with a truncated JSON body.")
    latency_seconds: float = Field(0.0, ge=0, description="Added to every API response.")
    retry_after_seconds: float | None = Field(None, description="Retry-After sent with 429s.")
    fail_next: list[int] = Field(default_factory=list, description="Statuses for the next requests.")
    p_batch_item_failure: float = Field(0.0, ge=0, le=1)
    fail_batch_items_matching: list[str] = Field(
        default_factory=list, description="Batch items whose uri contains one of these fail with 400."
    )
