"""Wiring of the stock_ledger service: the catalog, warehouses, stock ledger, reservations and stock reports (M3, M5, M21-M26, M29-M31)."""

from __future__ import annotations

from pathlib import Path

from polc.runtime.service import ServiceSpec
from services.stock_ledger.settings import Settings

__all__ = ["Settings", "build"]


def build(settings: Settings) -> ServiceSpec:
    """The service's subscribers, HTTP routes and resources, wired from settings."""
    return ServiceSpec(name="stock_ledger", migrations=Path(__file__).parent / "migrations")
