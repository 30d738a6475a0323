"""Which shop is polled when, by which instance: every interval (M19) and on request (M20).

Every instance looks for due shops each tick. A shop is polled only while its instance holds
the shop's PostgreSQL session advisory lock, so with several instances each shop is polled by
exactly one at a time; a crashed instance's lock goes with its connection. The cursor is read
again under the lock, so a poll another instance just finished is not repeated.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx

from contracts.base import Message
from contracts.sync import ShopSyncFailed, SyncCompleted
from polc.shoprenter import (
    ShopRegistry,
    ShopRenterAuthError,
    ShopRenterClient,
    ShopRenterDecodeError,
    ShopRenterError,
    ShopRenterRetryExhausted,
    ShopRenterTransportError,
)
from polc.runtime.secrets import SecretBox
from polc.shoprenter.shared_pacing import PostgresPacer
from services.order_ingest import shops, store
from services.order_ingest.errors import IngestError
from services.order_ingest.ingest import PollResult, ShopCache, ShopPoll
from services.order_ingest.settings import Settings

log = logging.getLogger(__name__)


class Scheduler:
    """Polls due shops of one instance; ``wake()`` makes it look at once."""

    def __init__(self, runtime: Any, settings: Settings, http: httpx.AsyncClient) -> None:
        self.runtime, self.settings, self.http = runtime, settings, http
        # Shared with every other process that talks to the same shops (ingest, push, replicas).
        self.registry = ShopRegistry(pacer=PostgresPacer(runtime.pool))
        self.secrets = SecretBox(settings.secrets_key)
        self.caches: dict[str, ShopCache] = {}
        self.running: dict[str, asyncio.Task] = {}
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.max_concurrent_shops)

    def wake(self) -> None:
        self._wake.set()

    async def _listen(self) -> asyncpg.Connection | None:
        """A connection on which committed sync requests (of any instance's consumer) wake this scheduler."""
        try:
            conn = await asyncpg.connect(self.settings.database_url.get_secret_value())
            await conn.add_listener(store.SYNC_CHANNEL, lambda *_: self.wake())
            return conn
        except (OSError, asyncpg.PostgresError) as error:
            log.warning("sync requests are picked up every tick only: cannot listen: %s", error)
            return None

    async def run(self) -> None:
        listener = await self._listen()
        try:
            await self._loop()
        finally:
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.close()

    async def _loop(self) -> None:
        while True:
            try:
                async with self.runtime.pool.acquire() as conn:
                    due = await store.due_shops(conn)
                for shop_id in due:
                    if shop_id not in self.running:
                        task = asyncio.create_task(self._poll_locked(shop_id), name=f"ingest-{shop_id}")
                        self.running[shop_id] = task
                        task.add_done_callback(lambda _t, s=shop_id: self.running.pop(s, None))
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("scheduler cannot read due shops: %s", error)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.scheduler_tick_s)

    async def stop(self) -> None:
        for task in list(self.running.values()):
            task.cancel()
        for task in list(self.running.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _poll_locked(self, shop_id: str) -> None:
        async with self._slots, self.runtime.pool.acquire() as lock_conn:
            if not await store.try_lock_shop(lock_conn, shop_id):
                return
            try:
                await self._poll_if_due(shop_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bug in one shop's poll must not stop the others
                log.exception("%s: poll crashed", shop_id)
                async with self.runtime.pool.acquire() as conn:
                    await store.record_poll_failure(conn, shop_id, "internal error, see the service log",
                                                    self.settings.failure_retry_s)
            finally:
                await store.unlock_shop(lock_conn, shop_id)

    async def _poll_if_due(self, shop_id: str) -> None:
        async with self.runtime.pool.acquire() as conn:
            shop = await store.get_shop(conn, shop_id)
            cursor = await store.get_cursor(conn, shop_id)
            requests = await store.pending_requests(conn, shop_id)
            if shop is None or not shop["enabled"] or not (cursor["due"] or requests):
                return
            secret = await store.get_shop_secret(conn, shop_id)
            started = await store.mark_poll_started(conn, shop_id)
        trigger = "request" if requests else "schedule"
        try:
            connection = shops.connection(shop, shops.resolve_secret(secret, self.secrets), self.settings)
            async with ShopRenterClient(connection, http=self.http, registry=self.registry) as client:
                counter = _Counter(client)
                poll = ShopPoll(pool=self.runtime.pool, enqueue=self.runtime.enqueue, settings=self.settings,
                                shop=shop, client=client, cache=self.caches.setdefault(shop_id, ShopCache()))
                result = await poll.run(started)
        except (ShopRenterError, IngestError, ValueError) as error:
            await self._failed(shop, requests, trigger, error)
            return
        except (OSError, asyncpg.PostgresError):
            raise
        except Exception as error:  # a bug: answer the requests, keep the cursor, poll again later
            log.exception("%s: poll crashed", shop_id)
            await self._failed(shop, requests, trigger, error)
            return
        await self._completed(poll, result, requests, trigger, counter.count)

    async def _completed(self, poll: ShopPoll, result: PollResult, requests: list[str], trigger: str,
                         api_requests: int) -> None:
        finished = datetime.now(UTC)
        common = dict(shop_id=poll.shop_id, trigger=trigger, started_at=result.started_at, finished_at=finished,
                      watermark=result.started_at, orders_received=result.received, orders_changed=result.changed,
                      orders_quarantined=result.quarantined, api_requests=api_requests,
                      order_ids=tuple(result.received_ids))
        messages: list[Message] = [SyncCompleted(**common, request_id=r) for r in requests] or [SyncCompleted(**common)]
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            await poll.save(result, conn)
            await store.finish_requests(conn, requests, "done", messages[0].model_dump(mode="json"))
            await self.runtime.enqueue(conn, messages)
        log.info("%s: poll done: %d received, %d changed, %d in review, %d skipped, %d API requests", poll.shop_id,
                 result.received, result.changed, result.quarantined, result.skipped, api_requests)

    async def _failed(self, shop: Any, requests: list[str], trigger: str, error: Exception) -> None:
        kind, detail = classify(error)
        log.warning("%s: poll failed (%s): %s", shop["shop_id"], kind, detail)
        async with self.runtime.pool.acquire() as conn, conn.transaction():
            cursor = await store.get_cursor(conn, shop["shop_id"])
            common = dict(shop_id=shop["shop_id"], trigger=trigger, error=kind, detail=detail[:2000],
                          failed_at=datetime.now(UTC), last_success_at=cursor["last_success_at"])
            messages = [ShopSyncFailed(**common, request_id=r) for r in requests] or [ShopSyncFailed(**common)]
            await store.record_poll_failure(conn, shop["shop_id"], f"{kind}: {detail}"[:2000],
                                            min(self.settings.failure_retry_s, float(shop["poll_interval_s"])))
            await store.finish_requests(conn, requests, "failed", messages[0].model_dump(mode="json"))
            await self.runtime.enqueue(conn, messages)


def classify(error: Exception) -> tuple[str, str]:
    """The ShopSyncFailed error class and an operator-readable detail (never credentials)."""
    if isinstance(error, ShopRenterAuthError):
        return "auth", str(error)
    if isinstance(error, ShopRenterRetryExhausted):
        return ("rate_limited" if error.last_status == 429 else "unavailable"), str(error)
    if isinstance(error, ShopRenterTransportError):
        return "unavailable", str(error)
    if isinstance(error, ShopRenterDecodeError):
        return "bad_response", str(error)
    return "other", str(error) or type(error).__name__


class _Counter:
    """Counts the API requests one poll sends (token requests excluded)."""

    def __init__(self, client: ShopRenterClient) -> None:
        self.count = 0
        original = client.request

        async def counted(method: str, path: str, **kwargs: Any) -> Any:
            self.count += 1
            return await original(method, path, **kwargs)

        client.request = counted  # type: ignore[method-assign]
