"""Wiring of the invoicing service: invoices orders one by one or in baskets and e-mails the PDFs (M2, M6, M23)."""

from __future__ import annotations

from pathlib import Path

from polc.runtime.service import ServiceSpec
from services.invoicing.settings import Settings

__all__ = ["Settings", "build"]


def build(settings: Settings) -> ServiceSpec:
    """The service's subscribers, HTTP routes and resources, wired from settings."""
    return ServiceSpec(name="invoicing", migrations=Path(__file__).parent / "migrations")
