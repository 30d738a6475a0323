"""Shop pushers: exactly one per shop across all instances, writing pending changes in batches.

Each instance looks for enabled shops every few seconds and tries to take a shop's
PostgreSQL advisory lock on a connection of its own. Whoever holds the lock is the shop's
only pusher, so the shop's rate limit (3 requests/s) is kept by one paced client; when the
instance dies its connection closes, the lock is released and another instance takes over.
A pusher checks its lock connection before every round and stops if it is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

import asyncpg
import httpx

from polc.runtime.service import ServiceRuntime
from polc.shoprenter import ShopRegistry
from polc.shoprenter.shared_pacing import PostgresPacer
from services.webshop_push import store
from services.webshop_push.settings import Settings
from services.webshop_push.shop_writer import ShopWriter

log = logging.getLogger(__name__)


class Pushers:
    """The shop pushers of one instance."""

    def __init__(self, runtime: ServiceRuntime, settings: Settings) -> None:
        self.runtime, self.settings = runtime, settings
        self.owner = f"{uuid.uuid4().hex[:8]}"
        # Shared with every other process that talks to the same shops (ingest, push, replicas).
        self.registry = ShopRegistry(pacer=PostgresPacer(runtime.pool))
        self.http: httpx.AsyncClient | None = None
        self._running: dict[str, tuple[asyncio.Task, ShopWriter]] = {}
        self._listener: asyncpg.Connection | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> None:
        self.http = httpx.AsyncClient(timeout=self.settings.shop_timeout_s)
        self._task = asyncio.create_task(self._supervise(), name="webshop_push-pushers")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for shop_id in list(self._running):
            await self._stop_shop(shop_id)
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()
        if self.http is not None:
            await self.http.aclose()

    def wake(self, shop_id: str) -> None:
        running = self._running.get(shop_id)
        if running:
            running[1].wake.set()

    @property
    def shops(self) -> list[str]:
        return sorted(self._running)

    async def _supervise(self) -> None:
        while True:
            try:
                await self._ensure_listener()
                await self._scan()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # keep supervising; a broken scan is retried on the next tick
                log.warning("webshop_push: shop scan failed: %s: %s", type(error).__name__, error)
                self._listener = None
            await asyncio.sleep(self.settings.shop_scan_s)

    async def _ensure_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        self._listener = await asyncpg.connect(self.runtime.dsn)
        await self._listener.add_listener(store.PENDING_CHANNEL, lambda *args: self.wake(args[3]))

    async def _scan(self) -> None:
        async with self.runtime.pool.acquire() as conn:
            try:
                rows = await store.enabled_shops(conn, self.settings.shop_registry_schema)
            except (asyncpg.UndefinedTableError, asyncpg.InvalidSchemaNameError):
                log.info("webshop_push: shop registry not there yet; waiting")
                return
        wanted = {r["shop_id"]: r for r in rows}
        for shop_id, (task, _) in list(self._running.items()):
            if task.done() and not task.cancelled() and task.exception() is not None:
                error = task.exception()
                log.error("webshop_push: pusher of shop %s stopped: %s: %s; restarting it",
                          shop_id, type(error).__name__, error)
            if shop_id not in wanted or task.done():
                await self._stop_shop(shop_id)
        for shop_id, row in wanted.items():
            if shop_id not in self._running:
                await self._try_start(row)

    async def _try_start(self, row: Any) -> None:
        lock_conn = await asyncpg.connect(self.runtime.dsn)
        try:
            if not await store.try_lock_shop(lock_conn, row["shop_id"]):
                await lock_conn.close()
                return
        except BaseException:
            await lock_conn.close()
            raise
        try:
            writer = ShopWriter(self.runtime, self.settings, row, lock_conn, self.http, self.registry, self.owner)
        except BaseException:  # e.g. the shop's secret is missing: free the shop for a better configured instance
            await lock_conn.close()
            raise
        task = asyncio.create_task(writer.run(), name=f"webshop_push-{row['shop_id']}")
        self._running[row["shop_id"]] = (task, writer)
        log.info("webshop_push: %s now pushes to shop %s", self.owner, row["shop_id"])

    async def _stop_shop(self, shop_id: str) -> None:
        task, writer = self._running.pop(shop_id)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await writer.close()
