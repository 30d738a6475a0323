"""Wiring of the webshop_push service: writes free stock, prices and new products to the shops (M26-M27, M29-M31)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from polc.runtime import metrics
from polc.runtime.service import ServiceRuntime, ServiceSpec
from services.webshop_push import api, store
from services.webshop_push.pusher import Pushers
from services.webshop_push.settings import Settings
from services.webshop_push.subscribers import handlers

__all__ = ["Settings", "build"]


def build(settings: Settings) -> ServiceSpec:
    """The service's subscribers, HTTP routes and resources, wired from settings."""

    @contextlib.asynccontextmanager
    async def lifespan(runtime: ServiceRuntime) -> AsyncIterator[None]:
        if not settings.pusher_enabled:
            yield
            return
        pushers = Pushers(runtime, settings)
        runtime.pushers = pushers  # the HTTP API and tests see which shops this instance pushes to
        await pushers.start()
        try:
            yield
        finally:
            await pushers.stop()

    async def refresh_metrics(conn: asyncpg.Connection) -> None:
        try:
            counts = await store.pending_counts_per_shop(conn, settings.shop_registry_schema)
        except asyncpg.UndefinedTableError:
            return  # the shop registry is not there yet
        for shop_id, count in counts.items():
            metrics.SHOP_PENDING_WRITES.labels(shop_id).set(count)

    return ServiceSpec(
        name="webshop_push",
        migrations=Path(__file__).parent / "migrations",
        handlers=handlers(settings.shop_registry_schema),
        routes=api.routes(settings),
        lifespan=lifespan,
        refresh_metrics=refresh_metrics,
    )
