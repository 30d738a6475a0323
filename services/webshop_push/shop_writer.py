"""One shop's pusher: due pending writes -> fence -> one batch -> results recorded with their events.

A round reads the shop's due pending writes, finds missing shop product ids (one batch of
lookups), creates products that are meant for the shop, waits for the no-oversell fence when
stock is to be written, reads the newest values and sends them in one Batch API call. The
results, the pushed state and the ShopStockPushed/ShopPricePushed/ShopWriteFailed events
commit in one transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx

from contracts.push import ShopPricePushed, ShopProductCreated, ShopStockPushed, ShopWriteFailed
from contracts.sync import SyncRequested
from polc.runtime.service import ServiceRuntime
from polc.shoprenter import (
    BatchRequest,
    ProductUpdate,
    ShopRegistry,
    ShopRenterApi,
    ShopRenterApiError,
    ShopRenterAuthError,
    ShopRenterClient,
    ShopRenterError,
    ShopRenterRetryExhausted,
)
from services.webshop_push import coalescing, fence, store
from services.webshop_push.coalescing import Pending, ProductWrite
from services.webshop_push.reconcile import Reconciler
from services.webshop_push.settings import Settings
from services.webshop_push.shops import connection
from services.webshop_push.status_writer import OrderStatusWriter
from services.webshop_push.stock import meant_for, shop_quantity

log = logging.getLogger(__name__)

WRITE_KIND = {"stock": "stock", "price": "price", "create": "create_product"}
#: How far back polls are looked at for orders the ledger must have reserved.
FENCE_LOOKBACK = timedelta(minutes=15)


class LockLost(Exception):
    """The connection holding the shop's advisory lock is gone: another instance may push now."""


class ShopWriter:
    """The only pusher of one shop while it holds the shop's lock."""

    def __init__(self, runtime: ServiceRuntime, settings: Settings, row: Any, lock_conn: asyncpg.Connection,
                 http: httpx.AsyncClient, registry: ShopRegistry, owner: str) -> None:
        self.runtime, self.settings, self.row = runtime, settings, row
        self.shop_id: str = row["shop_id"]
        self.lock_conn, self.owner = lock_conn, owner
        self.client = ShopRenterClient(connection(row, settings), http=http, registry=registry)
        self.api = ShopRenterApi(self.client)
        self.order_statuses = OrderStatusWriter(runtime, settings, self.shop_id, self.client, self.api,
                                                self._retry_in, _error_class)
        self.wake = asyncio.Event()
        self._status: tuple[str, str | None] | None = None
        self._tax_classes: dict[str, str] | None = None
        self._language_id: str | None = None

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.lock_conn.close()

    @property
    def pool(self) -> asyncpg.Pool:
        return self.runtime.pool

    async def run(self) -> None:
        await self._set_status("starting", None)
        # The previous owner's last requests may still be inside the shop's rate window.
        await asyncio.sleep(self.settings.handover_quiet_s)
        failures = 0
        while True:
            try:
                await self._check_lock()
                await self._reconcile_if_asked()
                busy = await self.round()
                busy = await self.order_statuses.round() or busy
                failures = 0
            except LockLost:
                log.warning("webshop_push: lost the lock of shop %s; stopping its pusher", self.shop_id)
                return
            except asyncio.CancelledError:
                raise
            except (ShopRenterError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                failures += 1
                delay = min(self.settings.retry_max_s, self.settings.retry_base_s * 2 ** min(failures, 10))
                log.warning("webshop_push: round for shop %s failed (%s: %s); again in %.1fs",
                            self.shop_id, type(error).__name__, error, delay)
                with contextlib.suppress(Exception):
                    await self._set_status("backing_off", f"{type(error).__name__}: {error}"[:500])
                await self._sleep(delay)
                continue
            if not busy:
                await self._idle()

    async def _check_lock(self) -> None:
        try:
            await self.lock_conn.fetchval("SELECT 1")
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as error:
            raise LockLost(str(error)) from error

    async def _idle(self) -> None:
        async with self.pool.acquire() as conn:
            due_in = await store.next_due_in(conn, self.shop_id)
        await self._set_status("idle" if due_in is None else "waiting_retry", None)
        wait = self.settings.idle_poll_s if due_in is None else max(0.0, min(due_in, self.settings.idle_poll_s))
        await self._sleep(wait)
        if self.settings.linger_s:
            await asyncio.sleep(self.settings.linger_s)

    async def _sleep(self, seconds: float) -> None:
        self.wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.wake.wait(), timeout=seconds)

    async def _set_status(self, state: str, detail: str | None) -> None:
        if self._status == (state, detail):
            return
        async with self.pool.acquire() as conn:
            await store.set_pusher_status(conn, self.shop_id, self.owner, state, detail)
        self._status = (state, detail)

    # --- one round --------------------------------------------------------------------------

    async def round(self) -> bool:
        """Do one round of work; False when nothing was due."""
        size = self.settings.batch_size
        async with self.pool.acquire() as conn:
            rows = await store.due_writes(conn, self.shop_id, size * 2)
        if not rows:
            return False
        plan = coalescing.plan(rows, size)
        if plan.nothing_to_do:
            async with self.pool.acquire() as conn:
                await store.drop_writes(conn, [(self.shop_id, p.sku, p.kind, p.version) for p in plan.nothing_to_do])
        if plan.creates:
            await self._create_products(plan.creates[:10])
            return True
        if plan.unknown_ids:
            await self._find_product_ids(plan.unknown_ids[:size])
            return True
        if not (plan.writes or plan.solo):
            return bool(plan.nothing_to_do)
        watermark = None
        if any(p.kind == "stock" for w in plan.writes + plan.solo for p in w.parts) and await self._fence_on():
            watermark = await self._wait_for_fence(datetime.now(UTC))
            async with self.pool.acquire() as conn:  # the values decided after the fence opened
                plan = coalescing.plan(await store.due_writes(conn, self.shop_id, size * 2), size)
        await self._set_status("pushing", None)
        if plan.writes:
            await self._send_batch(plan.writes, watermark)
        for write in plan.solo[:1]:
            await self._send_solo(write, watermark)
        return True

    async def _fence_on(self) -> bool:
        async with self.pool.acquire() as conn:
            settings = await store.get_shop_settings(conn, self.shop_id)
        return settings is None or settings["fence"] == "sync"

    # --- the no-oversell fence ----------------------------------------------------------------

    async def _wait_for_fence(self, not_before: datetime) -> datetime | None:
        """Ask order_ingest for a poll covering ``not_before`` and wait until the fence opens."""
        await self._request_sync(not_before)
        sent = time.monotonic()
        while True:
            async with self.pool.acquire() as conn:
                syncs = await store.covering_syncs(conn, self.shop_id, not_before)
                orders = []
                if syncs:
                    recent = await store.recent_sync_order_ids(
                        conn, self.shop_id, datetime.now(UTC) - FENCE_LOOKBACK, syncs[0]["watermark"])
                    ids = fence.orders_to_check(syncs, recent)
                    orders = await store.orders_state(conn, self.shop_id, ids) if ids else []
            state = fence.check(not_before, syncs, orders)
            if state.open:
                return state.watermark
            await self._set_status("fenced", f"waiting for {state.waiting_for}")
            if time.monotonic() - sent > self.settings.fence_resend_s:
                await self._request_sync(not_before)
                sent = time.monotonic()
            await self._check_lock()
            await self._sleep(self.settings.fence_poll_s)

    async def _request_sync(self, not_before: datetime) -> None:
        request_id = f"push-{uuid.uuid4().hex[:16]}"
        async with self.pool.acquire() as conn, conn.transaction():
            await store.add_fence_request(conn, request_id, self.shop_id, not_before)
            await self.runtime.enqueue(conn, [SyncRequested(shop_id=self.shop_id, request_id=request_id,
                                                            requested_by="webshop_push", not_before=not_before)])

    # --- writes -----------------------------------------------------------------------------

    async def _send_batch(self, writes: list[ProductWrite], watermark: datetime | None) -> None:
        updates = [ProductUpdate(product_id=w.product_id, price=w.price, stock1=w.stock) for w in writes]
        try:
            result = await self.api.update_products(updates)
        except ShopRenterError as error:
            await self._record_failure(writes, error)
            raise
        ok = [writes[item.index] for item in result.items if item.ok]
        failed = [(writes[item.index], item.status_code, item.message or f"HTTP {item.status_code}")
                  for item in result.items if not item.ok]
        await self._record(ok, failed, watermark, solo_after_failure=len(writes) > 1)

    async def _send_solo(self, write: ProductWrite, watermark: datetime | None) -> None:
        try:
            await self.api.update_product(ProductUpdate(product_id=write.product_id, price=write.price,
                                                        stock1=write.stock))
        except ShopRenterApiError as error:
            await self._record([], [(write, error.status, error.message)], watermark, solo_after_failure=True)
            return
        except ShopRenterError as error:
            await self._record_failure([write], error)
            raise
        await self._record([write], [], watermark, solo_after_failure=False)

    async def _record(self, ok: list[ProductWrite], failed: list[tuple[ProductWrite, int, str]],
                      watermark: datetime | None, *, solo_after_failure: bool) -> None:
        now = datetime.now(UTC)
        finished, events = [], []
        for write in ok:
            for part in write.parts:
                finished.append(self._pushed_row(write, part, watermark))
                events.append(self._pushed_event(write, part, watermark, now))
        not_found = [w.sku for w, status, _ in failed if status == 404]
        failures = []
        for write, status, message in failed:
            for part in write.parts:
                if status == 404:  # the id went stale: look it up again next round
                    failures.append((self.shop_id, part.sku, part.kind, message, status, 0.0, False, "pending",
                                     self.settings.report_after_attempts))
                else:
                    failures.append((self.shop_id, part.sku, part.kind, message, status,
                                     self._retry_in(part.row["attempts"] + 1), solo_after_failure, "pending",
                                     self.settings.report_after_attempts))
        async with self.pool.acquire() as conn, conn.transaction():
            await store.finish_writes(conn, finished)
            if not_found:
                await store.forget_sku_ids(conn, self.shop_id, not_found)
            reports = await store.fail_writes(conn, failures)
            events += [self._failed_event(r, will_retry=True, now=now) for r in reports]
            if events:
                await self.runtime.enqueue(conn, events)

    async def _record_failure(self, writes: list[ProductWrite], error: ShopRenterError) -> None:
        """The whole call failed (shop down, auth, retries exhausted): every part waits and is tried again."""
        status = getattr(error, "status", None) or getattr(error, "last_status", None)
        rows = [(self.shop_id, p.sku, p.kind, str(error)[:1000], status, self._retry_in(p.row["attempts"] + 1),
                 p.row["solo"], "pending", self.settings.report_after_attempts) for w in writes for p in w.parts]
        async with self.pool.acquire() as conn, conn.transaction():
            reports = await store.fail_writes(conn, rows)
            events = [self._failed_event(r, will_retry=True, now=datetime.now(UTC),
                                         error=_error_class(error)) for r in reports]
            if events:
                await self.runtime.enqueue(conn, events)

    def _retry_in(self, attempts: int) -> float:
        return min(self.settings.retry_max_s, self.settings.retry_base_s * 2 ** max(0, attempts - 1))

    def _pushed_row(self, write: ProductWrite, part: Pending, watermark: datetime | None) -> tuple:
        row = part.row
        # The value read is the newest known, so it settles the pending version too (which may be a
        # synthetic one, e.g. after a product was created in the shop).
        if part.kind == "stock":
            version = max(row["stock_version"], part.version)
            return (self.shop_id, part.sku, "stock", write.stock, version, write.product_id, row["warehouse_id"],
                    row["free"], row["safety_buffer"], watermark, row["reason"], row["first_seen_at"], version)
        version = max(row["price_version"], part.version)
        return (self.shop_id, part.sku, "price", write.price, version, write.product_id, None, None, None, None,
                row["reason"], row["first_seen_at"], version)

    def _pushed_event(self, write: ProductWrite, part: Pending, watermark: datetime | None, now: datetime):
        row = part.row
        if part.kind == "stock":
            return ShopStockPushed(shop_id=self.shop_id, sku=part.sku, shop_product_id=write.product_id,
                                   quantity=write.stock, warehouse_id=row["warehouse_id"],
                                   stock_version=row["stock_version"], free=row["free"],
                                   safety_buffer=row["safety_buffer"], sync_watermark=watermark, pushed_at=now)
        return ShopPricePushed(shop_id=self.shop_id, sku=part.sku, shop_product_id=write.product_id,
                               net_price=write.price, currency=row["currency"] or "HUF",
                               price_version=max(1, row["price_version"]), pushed_at=now)

    def _failed_event(self, rec: Any, *, will_retry: bool, now: datetime, error: str | None = None) -> ShopWriteFailed:
        status = rec["last_status"]
        if error is None:
            error = "sku_not_in_shop" if rec["state"] == "missing" else (
                "unavailable" if status in (None, 0, 429, 500, 502, 503, 504) else "rejected")
        return ShopWriteFailed(shop_id=self.shop_id, write=WRITE_KIND[rec["kind"]], sku=rec["sku"], error=error,
                               http_status=status or None, detail=(rec["last_error"] or error)[:2000],
                               attempts=max(1, rec["attempts"]), will_retry=will_retry, failed_at=now)

    # --- product ids and creation --------------------------------------------------------------

    async def _find_product_ids(self, items: list[Pending]) -> None:
        """Look up missing SKUs in one batch; create or report those the shop does not have."""
        skus = sorted({p.sku for p in items})
        requests = [BatchRequest(method="GET", path=f"products?sku={quote(sku, safe='')}&full=1") for sku in skus]
        result = await self.api.run_batch(requests)
        found: list[tuple[str, str]] = []
        unanswered: set[str] = set()
        for item in result.items:
            sku = skus[item.index]
            if not item.ok:
                unanswered.add(sku)
                continue
            body = item.body if isinstance(item.body, dict) else {}
            matches = body.get("items") or []
            matches = [matches] if isinstance(matches, dict) else matches
            pid = next((m.get("id") for m in matches if isinstance(m, dict) and m.get("sku") == sku), None)
            if pid:
                found.append((sku, pid))
        found_skus = {s for s, _ in found}
        missing = [p for p in items if p.sku not in found_skus and p.sku not in unanswered]
        await self._settle_lookups(found, missing, [p for p in items if p.sku in unanswered])

    async def _settle_lookups(self, found: list[tuple[str, str]], missing: list[Pending],
                              unanswered: list[Pending]) -> None:
        now = datetime.now(UTC)
        failures = [(self.shop_id, p.sku, p.kind, "the shop did not answer the SKU lookup", None,
                     self._retry_in(p.row["attempts"] + 1), False, "pending", self.settings.report_after_attempts)
                    for p in unanswered]
        async with self.pool.acquire() as conn, conn.transaction():
            await store.put_sku_ids(conn, self.shop_id, found)
            await store.enqueue_changed_prices(conn, self.shop_id, self.row["warehouse_id"], [s for s, _ in found])
            for p in missing:
                row = p.row
                if row["name"] is not None and row["create_missing"] == "meant" and meant_for(row["shop_ids"], self.shop_id):
                    await store.enqueue_write(conn, self.shop_id, p.sku, "create", 1, row["warehouse_id"],
                                              {"event": "missing_in_shop", "found_by": p.kind})
                    failures.append((self.shop_id, p.sku, p.kind, "not in the shop yet; being created", 404, 0.5,
                                     False, "pending", 1_000_000))
                else:
                    why = ("the product is not meant for this shop" if row["name"] is not None
                           else "the back office has not announced this product")
                    if row["name"] is not None and row["create_missing"] != "meant":
                        why = "the shop is set not to get products created"
                    failures.append((self.shop_id, p.sku, p.kind, f"SKU not in the shop and not created: {why}", 404,
                                     self.settings.missing_retry_s, False, "missing", 1))
            reports = await store.fail_writes(conn, failures)
            events = [self._failed_event(r, will_retry=True, now=now) for r in reports]
            if events:
                await self.runtime.enqueue(conn, events)

    async def _create_products(self, items: list[Pending]) -> None:
        for item in items:
            row = item.row
            if row["create_missing"] != "meant" or not meant_for(row["shop_ids"], self.shop_id):
                async with self.pool.acquire() as conn:
                    await store.drop_writes(conn, [(self.shop_id, item.sku, "create", item.version)])
                continue
            existing = await self.api.find_product_by_sku(item.sku)
            if existing is not None and existing.id:
                language = await self._language()
                try:  # a creation cut short before the name: name it and switch it on now
                    if row["name"] and language:
                        await self.api.complete_product(existing, row["name"], language, activate=True)
                except ShopRenterApiError as error:
                    await self._create_failed(item, error)
                    continue
                await self._created(item, existing.id, created=False, stock=None)
                continue
            stock = await self._initial_stock(item)
            try:
                product = await self.api.create_product(
                    item.sku, price=row["net_price"] or Decimal(0), tax_class_id=await self._tax_class(row["vat"]),
                    stock1=stock if stock is not None else Decimal(0), name=row["name"],
                    language_id=await self._language(), active=True)
            except ShopRenterApiError as error:
                await self._create_failed(item, error)
                continue
            await self._created(item, product.id, created=True, stock=stock)

    async def _initial_stock(self, item: Pending) -> Decimal | None:
        async with self.pool.acquire() as conn:
            level = await store.get_stock_level(conn, self.row["warehouse_id"], item.sku)
        if level is None:
            return None
        return shop_quantity(level["free"], item.row["safety_buffer"])

    async def _created(self, item: Pending, product_id: str, *, created: bool, stock: Decimal | None) -> None:
        now = datetime.now(UTC)
        row = item.row
        async with self.pool.acquire() as conn, conn.transaction():
            await store.put_sku_ids(conn, self.shop_id, [(item.sku, product_id)])
            await store.finish_writes(conn, [(self.shop_id, item.sku, "create", None, 1, product_id, None, None, None,
                                              None, row["reason"], row["first_seen_at"], item.version)])
            # Stock and price go out as ordinary writes: the newest values, versioned and explained.
            await store.enqueue_write(conn, self.shop_id, item.sku, "price", max(1, row["price_version"] or 0), None,
                                      {"event": "product_created_in_shop" if created else "product_found_in_shop"})
            await store.enqueue_write(conn, self.shop_id, item.sku, "stock", 0, self.row["warehouse_id"],
                                      {"event": "product_created_in_shop" if created else "product_found_in_shop"})
            await conn.execute("UPDATE pending_writes SET state = 'pending', next_attempt_at = now() "
                               "WHERE shop_id = $1 AND sku = $2 AND kind <> 'create'", self.shop_id, item.sku)
            if created:
                await self.runtime.enqueue(conn, [ShopProductCreated(shop_id=self.shop_id, sku=item.sku,
                                                                     shop_product_id=product_id, created_at=now)])

    async def _create_failed(self, item: Pending, error: ShopRenterApiError) -> None:
        failures = [(self.shop_id, item.sku, "create", str(error)[:1000], error.status,
                     self._retry_in(item.row["attempts"] + 1), False, "pending", self.settings.report_after_attempts)]
        async with self.pool.acquire() as conn, conn.transaction():
            reports = await store.fail_writes(conn, failures)
            events = [self._failed_event(r, will_retry=True, now=datetime.now(UTC)) for r in reports]
            if events:
                await self.runtime.enqueue(conn, events)

    async def _tax_class(self, vat: str | None) -> str | None:
        if self._tax_classes is None:
            self._tax_classes = {str(t.name): t.id for t in await self.api.list_tax_classes() if t.id}
        return self._tax_classes.get(vat or "")

    async def _language(self) -> str | None:
        if self._language_id is None:
            languages = await self.client.get_all("languages")
            hu = next((lang for lang in languages if str(lang.get("code", "")).lower() == "hu"), None)
            chosen = hu or (languages[0] if languages else None)
            self._language_id = chosen.get("id") if chosen else ""
        return self._language_id or None

    # --- reconcile ----------------------------------------------------------------------------

    async def _reconcile_if_asked(self) -> None:
        async with self.pool.acquire() as conn:
            run = await store.next_reconcile_run(conn, self.shop_id)
        if run is None:
            return
        await self._set_status("reconciling", run["run_id"])
        reconciler = Reconciler(self.pool, self.api, self.shop_id, self.row["warehouse_id"])
        try:
            result = await reconciler.run(dry_run=run["dry_run"])
            state = "done"
        except ShopRenterError as error:
            result, state = {"error": str(error)}, "failed"
        async with self.pool.acquire() as conn:
            await store.finish_reconcile_run(conn, run["run_id"], state, result)
        self.wake.set()


def _error_class(error: ShopRenterError) -> str:
    if isinstance(error, ShopRenterAuthError):
        return "auth"
    if isinstance(error, ShopRenterRetryExhausted):
        return "unavailable"
    if isinstance(error, ShopRenterApiError):
        return "unavailable" if error.status >= 500 or error.status == 429 else "rejected"
    return "unavailable"
