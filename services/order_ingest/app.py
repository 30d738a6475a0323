"""Wiring of the order_ingest service: polls every ShopRenter shop and turns new orders into order documents (M1, M4, M7-M20, M28)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx

from contracts.invoices import InvoiceCancelled, InvoiceIssued
from contracts.sync import SyncRequested
from polc.runtime import metrics
from polc.runtime.secrets import SecretBox
from polc.runtime.service import ServiceRuntime, ServiceSpec
from services.order_ingest import store
from services.order_ingest.api import routes
from services.order_ingest.scheduler import Scheduler
from services.order_ingest.settings import Settings
from services.order_ingest.subscribers import make_on_sync_requested, on_invoice_cancelled, on_invoice_issued

log = logging.getLogger(__name__)

__all__ = ["Settings", "build"]


class _Wakeup:
    """Lets the subscriber and the HTTP API nudge the scheduler once it exists."""

    def __init__(self) -> None:
        self.scheduler: Scheduler | None = None

    def __call__(self) -> None:
        if self.scheduler is not None:
            self.scheduler.wake()


def build(settings: Settings) -> ServiceSpec:
    """The service's subscribers, HTTP routes and resources, wired from settings."""
    wake = _Wakeup()

    @contextlib.asynccontextmanager
    async def lifespan(runtime: ServiceRuntime) -> AsyncIterator[None]:
        box = SecretBox(settings.secrets_key)
        box.warn_if_plain(runtime.spec.name)
        async with runtime.pool.acquire() as conn:
            resealed = await store.reseal_shop_secrets(conn, box.reseal)
        if resealed:
            log.info("sealed stored shop secrets with the current key", extra={"shops": resealed})
        async with httpx.AsyncClient(timeout=settings.shop_timeout_s) as http:
            scheduler = Scheduler(runtime, settings, http)
            wake.scheduler = scheduler
            task = asyncio.create_task(scheduler.run(), name="order-ingest-scheduler") \
                if settings.scheduler_enabled else None
            try:
                yield
            finally:
                wake.scheduler = None
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                await scheduler.stop()

    async def refresh_metrics(conn: asyncpg.Connection) -> None:
        for row in await store.last_successful_syncs(conn):
            if row["last_success_at"] is not None:
                metrics.SHOP_LAST_SYNC.labels(row["shop_id"]).set(row["last_success_at"].timestamp())

    return ServiceSpec(
        name="order_ingest",
        migrations=Path(__file__).parent / "migrations",
        handlers={SyncRequested: make_on_sync_requested(wake), InvoiceIssued: on_invoice_issued,
                  InvoiceCancelled: on_invoice_cancelled},
        routes=routes(settings, wake),
        lifespan=lifespan,
        refresh_metrics=refresh_metrics,
    )
