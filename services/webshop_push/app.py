"""Wiring of the webshop_push service: writes free stock, prices and new products to the shops (M26-M27, M29-M31)."""

from __future__ import annotations

from pathlib import Path

from polc.runtime.service import ServiceSpec
from services.webshop_push.settings import Settings

__all__ = ["Settings", "build"]


def build(settings: Settings) -> ServiceSpec:
    """The service's subscribers, HTTP routes and resources, wired from settings."""
    return ServiceSpec(name="webshop_push", migrations=Path(__file__).parent / "migrations")
