"""Builds the NAV reporter from the invoicing settings and runs it for the service's lifetime."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import httpx

from services.invoicing.nav.client import ENDPOINTS, NavClient
from services.invoicing.nav.messages import Credentials, Software
from services.invoicing.nav.reporter import Reporter, ReporterConfig
from services.invoicing.settings import Settings

log = logging.getLogger(__name__)


def base_url(settings: Settings) -> str:
    if settings.nav_url:
        return settings.nav_url
    if settings.nav_environment not in ENDPOINTS:
        raise ValueError(f"POLC_INVOICING_NAV_ENVIRONMENT must be one of {sorted(ENDPOINTS)}")
    return ENDPOINTS[settings.nav_environment]


def credentials(settings: Settings) -> Credentials:
    tax = settings.nav_tax_number or settings.seller_tax_number.replace("-", "")[:8]
    return Credentials(login=settings.nav_login, password=settings.nav_password.get_secret_value(),
                       signature_key=settings.nav_signature_key.get_secret_value(),
                       exchange_key=settings.nav_exchange_key.get_secret_value(), tax_number=tax)


def software(settings: Settings) -> Software:
    return Software(software_id=settings.nav_software_id, name="polc", main_version=settings.nav_software_version,
                    dev_name=settings.nav_software_dev_name, dev_contact=settings.nav_software_dev_contact)


def config(settings: Settings) -> ReporterConfig:
    return ReporterConfig(batch_size=settings.nav_batch_size, batch_wait_s=settings.nav_batch_wait_s,
                          poll_interval_s=settings.nav_poll_interval_s, retry_delay_s=settings.nav_retry_delay_s,
                          recover_after_s=settings.nav_recover_after_s,
                          request_timeout_s=settings.nav_request_timeout_s, compress=settings.nav_compress)


@contextlib.asynccontextmanager
async def running_reporter(settings: Settings, pool, enqueue) -> AsyncIterator[Reporter | None]:  # noqa: ANN001
    """The reporter task while the service runs; nothing when reporting is off."""
    if not settings.nav_enabled:
        log.info("NAV reporting is off (POLC_INVOICING_NAV_ENABLED); reports wait as pending")
        yield None
        return
    url = base_url(settings)
    async with httpx.AsyncClient(timeout=settings.nav_request_timeout_s) as http:
        reporter = Reporter(pool=pool, enqueue=enqueue, client=NavClient(http, url, credentials(settings),
                                                                         software(settings)),
                            config=config(settings))
        task = asyncio.create_task(reporter.run_forever(), name="invoicing-nav-reporter")
        log.info("reporting invoices to NAV at %s as %s", url, settings.nav_login)
        try:
            yield reporter
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
