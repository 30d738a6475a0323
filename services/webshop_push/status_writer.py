"""A shop pusher's order status writes: due pending writes -> one Batch API call -> results recorded.

Runs inside the shop's pusher (``ShopWriter``), so order writes share the shop's paced client
and its 3 requests/s with the product writes. Each round downloads the shop's status list when
it was asked for, then sends up to ``batch_size`` order updates (``PUT orders/{id}`` with the
status and the invoice fields) in one Batch API call. Confirmed writes, the written state and
``ShopOrderStatusWritten`` commit in one transaction; failures wait with backoff and are
reported once as ``ShopWriteFailed``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import asyncpg

from contracts.push import ShopOrderStatusWritten, ShopWriteFailed
from polc.runtime.service import ServiceRuntime
from polc.shoprenter import BatchRequest, ShopRenterApi, ShopRenterClient, ShopRenterError
from services.webshop_push import store
from services.webshop_push.order_status import Target, Write, parse_statuses, request_body
from services.webshop_push.settings import Settings

log = logging.getLogger(__name__)


class OrderStatusWriter:
    """Order status writes of one shop, driven by that shop's pusher."""

    def __init__(self, runtime: ServiceRuntime, settings: Settings, shop_id: str, client: ShopRenterClient,
                 api: ShopRenterApi, retry_in: Callable[[int], float], error_class: Callable[[Exception], str]) -> None:
        self.runtime, self.settings, self.shop_id = runtime, settings, shop_id
        self.client, self.api = client, api
        self._retry_in, self._error_class = retry_in, error_class
        self._listed_once = False

    @property
    def pool(self) -> asyncpg.Pool:
        return self.runtime.pool

    async def round(self) -> bool:
        """Download the status list if asked, then send one batch of due order writes; False when idle."""
        busy = await self._refresh_statuses_if_asked()
        async with self.pool.acquire() as conn:
            rows = await store.due_order_status_writes(conn, self.shop_id, self.settings.batch_size)
        if not rows:
            return busy
        writes: list[tuple[Write, Any]] = []
        settled = []
        for row in rows:
            write = request_body(row["shop_order_id"], _pending(row), _written(row))
            if write is None:
                settled.append((self.shop_id, row["shop_order_id"], row["version"]))
            else:
                writes.append((write, row))
        if settled:
            async with self.pool.acquire() as conn:
                await store.drop_order_status_writes(conn, settled)
        if writes:
            await self._send(writes)
        return True

    # --- the shop's status list -------------------------------------------------------------------

    async def _refresh_statuses_if_asked(self) -> bool:
        async with self.pool.acquire() as conn:
            if not self._listed_once:  # a shop's list is downloaded by its first pusher without being asked
                await store.request_status_list(conn, self.shop_id, only_first=True)
                self._listed_once = True
            if not await store.status_list_due(conn, self.shop_id):
                return False
        try:
            statuses = await self.client.get_all("orderStatuses")
            descriptions = await self.client.get_all("orderStatusDescriptions")
        except ShopRenterError as error:
            async with self.pool.acquire() as conn:
                await store.finish_status_list(conn, self.shop_id, f"{type(error).__name__}: {error}"[:1000])
            raise
        parsed = parse_statuses(statuses, descriptions, await self._hungarian())
        async with self.pool.acquire() as conn, conn.transaction():
            await store.replace_shop_statuses(conn, self.shop_id,
                                              [(s.shop_status_id, s.inner_id, s.name, s.color) for s in parsed])
            await store.finish_status_list(conn, self.shop_id, None)
        log.info("webshop_push: shop %s has %d order statuses", self.shop_id, len(parsed))
        return True

    async def _hungarian(self) -> str | None:
        languages = await self.client.get_all("languages")
        hu = next((lang for lang in languages if str(lang.get("code", "")).lower() == "hu"), None)
        return hu.get("id") if hu else None

    # --- writes -------------------------------------------------------------------------------------

    async def _send(self, writes: list[tuple[Write, Any]]) -> None:
        requests = [BatchRequest(method="PUT", path=f"orders/{quote(w.shop_order_id, safe='=')}", data=w.body)
                    for w, _ in writes]
        try:
            result = await self.api.run_batch(requests)
        except ShopRenterError as error:
            status = getattr(error, "status", None) or getattr(error, "last_status", None)
            await self._failed([(w, row, str(error)[:1000], status) for w, row in writes], self._error_class(error))
            raise
        ok = [writes[item.index] for item in result.items if item.ok]
        failed = [(*writes[item.index], item.message or f"HTTP {item.status_code}", item.status_code)
                  for item in result.items if not item.ok]
        await self._record(ok)
        if failed:
            await self._failed(failed, None)

    async def _record(self, ok: list[tuple[Write, Any]]) -> None:
        if not ok:
            return
        now = datetime.now(UTC)
        finished, events = [], []
        for write, row in ok:
            status = write.status
            finished.append((self.shop_id, row["shop_order_id"], status.trigger if status else None,
                             status.rank if status else 0, status.shop_status_id if status else None,
                             status.status_name if status else None, write.invoice_number, row["reason"],
                             row["version"]))
            shown_id = status.shop_status_id if status else row["written_status_id"]
            shown_name = status.status_name if status else row["written_status_name"]
            if not shown_id:  # an invoice number on an order whose status polc never set: nothing to announce
                continue
            events.append(ShopOrderStatusWritten(
                shop_id=self.shop_id, shop_order_id=row["shop_order_id"],
                trigger=status.trigger if status else "invoiced", shop_status_id=shown_id,
                status_name=shown_name or shown_id, invoice_number=write.invoice_number,
                status_changed=status is not None, written_at=now))
        async with self.pool.acquire() as conn, conn.transaction():
            await store.finish_order_status_writes(conn, finished)
            if events:
                await self.runtime.enqueue(conn, events)

    async def _failed(self, failed: list[tuple[Write, Any, str, int | None]], error: str | None) -> None:
        now = datetime.now(UTC)
        rows = [(self.shop_id, row["shop_order_id"], message, status, self._retry_in(row["attempts"] + 1),
                 self.settings.report_after_attempts) for _, row, message, status in failed]
        async with self.pool.acquire() as conn, conn.transaction():
            reports = await store.fail_order_status_writes(conn, rows)
            events = [_failed_event(self.shop_id, r, error, now) for r in reports]
            if events:
                await self.runtime.enqueue(conn, events)


def _failed_event(shop_id: str, rec: Any, error: str | None, now: datetime) -> ShopWriteFailed:
    status = rec["last_status"]
    if error is None:
        error = "unavailable" if status in (None, 0, 429, 500, 502, 503, 504) else "rejected"
    return ShopWriteFailed(shop_id=shop_id, write="order_status", shop_order_id=rec["shop_order_id"], error=error,
                           http_status=status or None, detail=(rec["last_error"] or error)[:2000],
                           attempts=max(1, rec["attempts"]), will_retry=True, failed_at=now)


def _pending(row: Any) -> Target:
    return Target(trigger=row["trigger"], rank=row["rank"], shop_status_id=row["shop_status_id"],
                  status_name=row["status_name"], invoice_number=row["invoice_number"])


def _written(row: Any) -> Target | None:
    if row["written_rank"] is None:
        return None
    return Target(rank=row["written_rank"], shop_status_id=row["written_status_id"],
                  status_name=row["written_status_name"], invoice_number=row["written_invoice_number"])
