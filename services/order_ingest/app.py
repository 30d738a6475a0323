"""Wiring of the order_ingest service: polls every ShopRenter shop and turns new orders into order documents (M1, M4, M7-M20, M28)."""

from __future__ import annotations

from pathlib import Path

from polc.runtime.service import ServiceSpec
from services.order_ingest.settings import Settings

__all__ = ["Settings", "build"]


def build(settings: Settings) -> ServiceSpec:
    """The service's subscribers, HTTP routes and resources, wired from settings."""
    return ServiceSpec(name="order_ingest", migrations=Path(__file__).parent / "migrations")
