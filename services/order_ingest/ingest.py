"""One poll of one shop: read what changed, file new orders, apply status changes, retry reviews.

Called by the scheduler while it holds the shop's lock. Pages of changed orders are read
ahead while the previous page is filed. The orders of a page are planned and matched in
memory; the ones that cannot be imported go to review with their reason, the others are
filed together in one transaction (see :func:`filing.file_chunk`), so a bad order never
blocks the rest. Should a chunk fail as a whole, its orders are filed one by one, each in its
own transaction. The cursor moves only when the whole poll finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from pydantic import TypeAdapter, ValidationError

from polc.shoprenter import ShopRenterClient
from polc.shoprenter.models.types import SrDateTime, id_from_href

from services.order_ingest import downloads, filing, store
from services.order_ingest.cursor import Cursor, advance, gaps_from_json, gaps_to_json, plan_poll
from services.order_ingest.documents import plan_order
from services.order_ingest.errors import AlreadyIngested, NeedsReview
from services.order_ingest.reference import Reference, ServiceItem, ShopProduct, vat_key_from_row
from services.order_ingest.settings import Settings
from services.order_ingest.text import clip, normalise, storable

log = logging.getLogger(__name__)
_WHEN = TypeAdapter(SrDateTime)
CHUNK = 200


@dataclass
class PollResult:
    started_at: datetime
    received: int = 0
    changed: int = 0
    quarantined: int = 0
    skipped: int = 0
    received_ids: list[str] = field(default_factory=list)
    cursor: Cursor = field(default_factory=Cursor)
    given_up_gaps: list[int] = field(default_factory=list)


@dataclass
class ShopCache:
    """Statuses and tax classes of one shop, reused for ``reference_cache_s``."""

    statuses: dict[str, str] = field(default_factory=dict)
    tax_classes: dict[str, str] = field(default_factory=dict)
    loaded_at: float = float("-inf")


class ShopPoll:
    """Everything one poll of one shop needs."""

    def __init__(self, *, pool: asyncpg.Pool, enqueue: filing.Enqueue, settings: Settings, shop: Any,
                 client: ShopRenterClient, cache: ShopCache) -> None:
        self.pool, self.enqueue, self.settings, self.shop = pool, enqueue, settings, shop
        self.client, self.cache = client, cache
        self.shop_id: str = shop["shop_id"]
        self.ref: Reference | None = None
        self.customers: dict[str, dict[str, Any]] = {}

    async def run(self, started_at: datetime) -> PollResult:
        async with self.pool.acquire() as conn:
            row = await store.get_cursor(conn, self.shop_id)
        cursor = Cursor(row["updated_watermark"], row["max_inner_id"], gaps_from_json(row["gaps"]))
        plan = plan_poll(cursor, first_sync_from=self.shop["first_sync_from"],
                         overlap=timedelta(seconds=self.settings.cursor_overlap_s))
        result = PollResult(started_at=started_at)
        reader = _ReadAhead(downloads.iter_changed_orders(self.client, plan.updated_at_min), CHUNK)
        try:
            await self._load_reference()
            await self._read(reader, cursor, plan, result)
        finally:
            await reader.aclose()
        if result.given_up_gaps:
            log.warning("%s: orders with innerId %s never appeared; no longer looked for",
                        self.shop_id, result.given_up_gaps)
        return result

    async def _read(self, reader: _ReadAhead, cursor: Cursor, plan: Any, result: PollResult) -> None:
        async with self.pool.acquire() as conn:
            retry_ids = await store.reviews_to_retry(conn, self.shop_id, self.settings.review_retry_s)
        done: set[str] = set()
        seen: list[tuple[int, datetime | None]] = []

        async def prepare(raws: list[dict[str, Any]]) -> _Planned | None:
            seen.extend((_inner_id(r), _updated(r)) for r in raws)
            fresh = {str(r.get("id")): r for r in raws if str(r.get("id")) not in done}
            done.update(fresh)
            return await self._prepare_chunk(sorted(fresh.values(), key=_inner_id), result) if fresh else None

        # A page is planned while the one before it is being filed: planning is this process's
        # work, filing mostly the database's. Chunks are filed one after the other, in page order.
        filing: asyncio.Task[None] | None = None
        try:
            async for page in reader.lists():
                planned = await prepare(page)
                if filing is not None:
                    await filing
                filing = asyncio.create_task(self._file_chunk(planned, result)) if planned else None
            if filing is not None:
                await filing
        finally:
            if filing is not None and not filing.done():
                # The poll failed or is being stopped while a chunk is filed: that chunk's
                # transaction ends as it would have (committed or rolled back), not cut short.
                with contextlib.suppress(Exception):
                    await asyncio.shield(filing)
        if plan.gap_inner_id_min is not None:
            gap_raws = [raw async for raw in
                        downloads.iter_orders_from(self.client, plan.gap_inner_id_min, plan.gap_inner_id_max)]
            for start in range(0, len(gap_raws), CHUNK):
                await self._file_chunk(await prepare(gap_raws[start:start + CHUNK]), result)
        missing = [i for i in retry_ids if i not in done]
        retried = sorted((await downloads.orders_by_id(self.client, missing)).values(), key=_inner_id)
        for start in range(0, len(retried), CHUNK):
            chunk = retried[start:start + CHUNK]
            done.update(str(r.get("id")) for r in chunk)
            await self._file_chunk(await self._prepare_chunk(chunk, result), result)
        result.cursor, result.given_up_gaps = advance(cursor, seen, max_gap_polls=self.settings.max_gap_polls)

    async def save(self, result: PollResult, conn: asyncpg.Connection) -> None:
        c = result.cursor
        await store.save_cursor(conn, self.shop_id, c.updated_watermark, c.max_inner_id, gaps_to_json(c.gaps),
                                float(self.shop["poll_interval_s"]))

    async def _load_reference(self) -> None:
        fresh = time.monotonic() - self.cache.loaded_at < self.settings.reference_cache_s
        if not fresh:
            self.cache.statuses = await downloads.statuses(self.client)
            self.cache.tax_classes = await downloads.tax_classes(self.client)
            self.cache.loaded_at = time.monotonic()
        async with self.pool.acquire() as conn:
            vat = {r["short_name"]: vat_key_from_row(r) for r in await store.list_vat_keys(conn)}
            services = await store.list_service_items(conn)
            async with conn.transaction():
                await filing.record_products(conn, self.enqueue, self.shop_id, [], vat)
        self.ref = Reference(
            vat_keys=vat, statuses=dict(self.cache.statuses),
            service_items={r["match_name"]: ServiceItem(r["service_id"], r["name"], r["kind"], r["vat_short_name"])
                           for r in services},
            cancel_status_names=frozenset(normalise(n) for n in self.shop["cancel_status_names"]),
            paid_status_names=frozenset(normalise(n) for n in self.shop["paid_status_names"]),
            tolerance=self.settings.totals_tolerance, max_line_quantity=self.settings.max_line_quantity)

    async def _prepare_chunk(self, raws: list[dict[str, Any]], result: PollResult) -> _Planned | None:
        """Everything a chunk needs before its new orders are filed: unfinished checkouts skipped,
        new products and customers downloaded, status changes of filed orders applied, and the
        new orders planned. None when there is nothing to file."""
        raws = await asyncio.to_thread(lambda: [storable(r) for r in raws])
        ids = [str(r.get("id")) for r in raws]
        async with self.pool.acquire() as conn:
            filed = {r["shop_order_id"]: r for r in await store.stored_orders(conn, self.shop_id, ids)}
        if any(_status_id(r) and _status_id(r) not in self.ref.statuses for r in raws):
            self.cache.statuses = await downloads.statuses(self.client)
            self.ref.statuses = dict(self.cache.statuses)
        unfinished = [r for r in raws if str(r.get("id")) not in filed and not _status_id(r)]
        if unfinished:
            await self._skip_unfinished(unfinished, result)
        new = [r for r in raws if str(r.get("id")) not in filed and self._wanted(r, result)]
        await self._download_for(new)
        for raw in raws:
            stored = filed.get(str(raw.get("id")))
            if stored is not None and _status_id(raw) and _status_id(raw) != stored["status_id"]:
                result.changed += await self._status(raw)
        return await self._plan_chunk(new) if new else None

    async def _plan_chunk(self, raws: list[dict[str, Any]]) -> _Planned:
        """Plan every order in memory; the ones that cannot be imported are held with their reason.

        Planning is CPU work and runs on a worker thread: the event loop stays free to take in
        the answer to the page read ahead as it arrives, and a rate-limit lane opens only a
        window after its answer was read, so every millisecond the answer waits costs as much.
        """
        return await asyncio.to_thread(self._plan_all, raws)

    def _plan_all(self, raws: list[dict[str, Any]]) -> _Planned:
        planned = _Planned(raws)
        for raw in raws:
            try:
                plan = plan_order(self.shop_id, raw, self.ref)
            except NeedsReview as problem:
                planned.held.append((raw, problem))
                continue
            except ValidationError as error:
                planned.held.append((raw, unreadable(error)))
                continue
            if plan.cancelled:
                planned.skipped += 1
            else:
                planned.plans.append((raw, plan))
        return planned

    async def _file_chunk(self, planned: _Planned | None, result: PollResult) -> None:
        """File the good orders of a planned chunk together and hold the others for review."""
        if planned is None:
            return
        try:
            async with self.pool.acquire() as conn, conn.transaction():
                filed_ids, more = await filing.file_chunk(conn, self.enqueue, self.shop, planned.plans, self.customers)
                await store.forget_skipped(conn, self.shop_id, filed_ids)
                for raw, problem in planned.held:
                    await filing.hold_for_review(conn, self.enqueue, self.shop_id, raw, problem)
        except (filing.ChunkConflict, asyncpg.DataError, ValidationError) as error:
            log.warning("%s: a chunk of %d orders is filed one by one: %s", self.shop_id, len(planned.raws), error)
            for raw in planned.raws:
                await self._file(raw, result)
            return
        result.skipped += planned.skipped
        result.received += len(filed_ids)
        result.received_ids.extend(filed_ids)
        result.quarantined += len(planned.held) + len(more)
        for raw, problem in planned.held + more:
            log.info("%s: order %s held for review: %s", self.shop_id, raw.get("innerId"), problem.reason)

    async def _skip_unfinished(self, raws: list[dict[str, Any]], result: PollResult) -> None:
        """Orders without a status are checkouts the customer has not finished (ShopRenter: no
        orderStatus means "not completed"; abandoned carts): not imported, but counted, logged and
        listed under ``GET /skipped``. Should one get a status later, its next change brings it in."""
        detail = "the order has no status: a checkout the customer has not finished, not an order yet"
        rows = [(str(r.get("id")), _inner_id(r) or None, "unfinished_checkout", detail) for r in raws]
        async with self.pool.acquire() as conn:
            await store.record_skipped(conn, self.shop_id, rows)
        result.skipped += len(rows)
        for raw in raws:
            log.info("%s: order %s skipped: %s", self.shop_id, raw.get("innerId"), detail)

    def _wanted(self, raw: dict[str, Any], result: PollResult) -> bool:
        """New orders worth filing: completed (not abandoned carts), placed since the first-sync date."""
        if not _status_id(raw):
            return False
        placed = _created(raw)
        if placed is not None and placed < self.shop["first_sync_from"]:
            result.skipped += 1
            return False
        return True

    async def _download_for(self, raws: list[dict[str, Any]]) -> None:
        skus = sorted({str(p.get("sku")).strip() for r in raws for p in _lines(r) if p.get("sku")})
        async with self.pool.acquire() as conn:
            known = {r["sku"]: r for r in await store.shop_products(conn, self.shop_id, skus)}
        unknown = [s for s in skus if s not in known]
        # Customers downloaded by an earlier chunk of this poll count as known: that chunk may
        # still be being filed, and the record is kept for every later order of theirs.
        registered = sorted({c for r in raws if (c := id_from_href(_href(r.get("customer"))))
                             and c not in self.customers and c not in self.ref.missing_customers})
        async with self.pool.acquire() as conn:
            known_customers = await store.known_shop_customers(conn, self.shop_id, registered)
        # One after the other: requests started together could reach the shop bunched up.
        found = await downloads.products(self.client, unknown, self.cache.tax_classes, self.ref.unreadable_products)
        missing: set[str] = set()
        self.customers.update(await downloads.customers(
            self.client, [c for c in registered if c not in known_customers], missing))
        self.ref.missing_customers = self.ref.missing_customers | missing
        if unknown:
            async with self.pool.acquire() as conn, conn.transaction():
                await filing.record_products(conn, self.enqueue, self.shop_id, list(found.values()),
                                             self.ref.vat_keys)
            known.update({sku: None for sku in found})
            self.ref.products.update(found)
        for sku, row in known.items():
            if row is not None:
                self.ref.products[sku] = ShopProduct(
                    sku=sku, shop_product_id=row["shop_product_id"], name=row["name"], unit=row["unit"],
                    vat_short_name=row["vat_short_name"], net_price=row["net_price"],
                    is_stock_item=row["is_stock_item"])

    async def _file(self, raw: dict[str, Any], result: PollResult) -> None:
        try:
            plan = plan_order(self.shop_id, raw, self.ref)
            if plan.cancelled:
                result.skipped += 1
                return
            async with self.pool.acquire() as conn, conn.transaction():
                await filing.file_order(conn, self.enqueue, self.shop, plan,
                                        self.customers.get(plan.party.shop_customer_id or ""))
                await store.forget_skipped(conn, self.shop_id, [plan.shop_order_id])
            result.received += 1
            result.received_ids.append(plan.shop_order_id)
        except (NeedsReview, asyncpg.DataError, ValidationError) as error:
            problem = error if isinstance(error, NeedsReview) else unreadable(error) \
                if isinstance(error, ValidationError) else NeedsReview(
                "malformed_data", f"the order cannot be stored: {error}")
            async with self.pool.acquire() as conn, conn.transaction():
                await filing.hold_for_review(conn, self.enqueue, self.shop_id, raw, problem)
            result.quarantined += 1
            log.info("%s: order %s held for review: %s", self.shop_id, raw.get("innerId"), problem.reason)
        except AlreadyIngested:
            log.info("%s: order %s was filed by another poll", self.shop_id, raw.get("innerId"))

    async def _status(self, raw: dict[str, Any]) -> int:
        status_id = _status_id(raw)
        if not status_id:
            return 0
        changed_at = _updated(raw) or datetime.now(UTC)
        async with self.pool.acquire() as conn, conn.transaction():
            return await filing.apply_status(conn, self.enqueue, self.shop_id, str(raw.get("id")), status_id,
                                             self.ref.statuses.get(status_id, status_id), self.ref, changed_at,
                                             push_schema=self.settings.push_schema)


@dataclass
class _Planned:
    """A chunk's new orders, planned: the ones to file, the ones held for review, the cancelled."""

    raws: list[dict[str, Any]]
    plans: list[tuple[dict[str, Any], Any]] = field(default_factory=list)
    held: list[tuple[dict[str, Any], NeedsReview]] = field(default_factory=list)
    skipped: int = 0


class _ReadAhead:
    """Items of an async iterator in lists of ``size``, read from the moment it is made.

    The next list is read while the caller works on this one, so the shop's pages arrive at
    the pace the rate limit allows while orders are being filed.
    """

    def __init__(self, items: AsyncIterator[dict[str, Any]], size: int) -> None:
        self._queue: asyncio.Queue[list[dict[str, Any]] | BaseException | None] = asyncio.Queue(maxsize=2)
        self._items, self._size = items, size
        self._task = asyncio.create_task(self._produce())

    async def _produce(self) -> None:
        batch: list[dict[str, Any]] = []
        try:
            async for item in self._items:
                batch.append(item)
                if len(batch) >= self._size:
                    await self._queue.put(batch)
                    batch = []
            if batch:
                await self._queue.put(batch)
            await self._queue.put(None)
        except Exception as error:  # handed to the reader, which raises it
            await self._queue.put(error)

    async def lists(self) -> AsyncIterator[list[dict[str, Any]]]:
        while (got := await self._queue.get()) is not None:
            if isinstance(got, BaseException):
                raise got
            yield got

    async def aclose(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


def unreadable(error: ValidationError) -> NeedsReview:
    """A review reason for order data that does not make a valid order document."""
    detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors(include_url=False))
    return NeedsReview("malformed_data", clip(f"the order data cannot be read: {detail}", 1000))


def _href(value: Any) -> str | None:
    return value.get("href") if isinstance(value, dict) else None


def _status_id(raw: dict[str, Any]) -> str | None:
    return id_from_href(_href(raw.get("orderStatus")))


def _lines(raw: dict[str, Any]) -> list[dict[str, Any]]:
    lines = raw.get("orderProducts")
    lines = [lines] if isinstance(lines, dict) and "href" not in lines else lines
    return [p for p in lines if isinstance(p, dict)] if isinstance(lines, list) else []


def _inner_id(raw: dict[str, Any]) -> int:
    try:
        return int(str(raw.get("innerId") or 0))
    except ValueError:
        return 0


def _when(value: Any) -> datetime | None:
    try:
        return _WHEN.validate_python(value)
    except ValueError:
        return None


def _updated(raw: dict[str, Any]) -> datetime | None:
    return _when(raw.get("dateUpdated"))


def _created(raw: dict[str, Any]) -> datetime | None:
    return _when(raw.get("dateCreated"))
