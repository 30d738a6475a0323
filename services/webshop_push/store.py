"""All of webshop_push's SQL: one async function per statement, connection first.

The shop registry (``<registry>.shops`` and ``<registry>.shop_secrets``) belongs to
order_ingest and is only read here; every function that reads it takes the schema name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg

#: Advisory lock namespace of "this process pushes to this shop".
PUSHER_LOCK_NAMESPACE = 7_301_226
#: NOTIFY channel that wakes a shop's pusher; the payload is the shop id.
PENDING_CHANNEL = "polc_push_pending"


def _registry(schema: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise ValueError(f"invalid registry schema {schema!r}")
    return schema


# --- back-office state ------------------------------------------------------------------------

async def upsert_stock_level(conn: asyncpg.Connection, warehouse_id: str, sku: str, version: int,
                             physical: Decimal, reserved: Decimal, free: Decimal, cause: dict[str, Any],
                             changed_at: datetime) -> bool:
    """Store the figures if ``version`` is newer than the stored one; True when it was."""
    return bool(await conn.fetchval(
        """INSERT INTO stock_levels (warehouse_id, sku, version, physical, reserved, free, cause, changed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (warehouse_id, sku) DO UPDATE SET version = EXCLUDED.version, physical = EXCLUDED.physical,
               reserved = EXCLUDED.reserved, free = EXCLUDED.free, cause = EXCLUDED.cause,
               changed_at = EXCLUDED.changed_at, received_at = now()
           WHERE stock_levels.version < EXCLUDED.version
           RETURNING true""", warehouse_id, sku, version, physical, reserved, free, cause, changed_at))


async def get_stock_level(conn: asyncpg.Connection, warehouse_id: str, sku: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM stock_levels WHERE warehouse_id = $1 AND sku = $2", warehouse_id, sku)


async def upsert_product(conn: asyncpg.Connection, sku: str, name: str, vat: str, net_price: Decimal, currency: str,
                         shop_ids: Sequence[str], is_stock_item: bool, created_at: datetime) -> None:
    """Record a created product; a price already known from a newer price change is kept."""
    await conn.execute(
        """INSERT INTO products (sku, name, vat, net_price, currency, price_version, shop_ids, is_stock_item, created_at)
           VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)
           ON CONFLICT (sku) DO UPDATE SET name = EXCLUDED.name, vat = EXCLUDED.vat, shop_ids = EXCLUDED.shop_ids,
               is_stock_item = EXCLUDED.is_stock_item, created_at = EXCLUDED.created_at, updated_at = now(),
               net_price = COALESCE(products.net_price, EXCLUDED.net_price),
               currency = CASE WHEN products.net_price IS NULL THEN EXCLUDED.currency ELSE products.currency END""",
        sku, name, vat, net_price, currency, list(shop_ids), is_stock_item, created_at)


async def upsert_price(conn: asyncpg.Connection, sku: str, net_price: Decimal, currency: str, version: int) -> bool:
    """Store a price if ``version`` is newer than the stored one; True when it was."""
    return bool(await conn.fetchval(
        """INSERT INTO products (sku, net_price, currency, price_version) VALUES ($1, $2, $3, $4)
           ON CONFLICT (sku) DO UPDATE SET net_price = EXCLUDED.net_price, currency = EXCLUDED.currency,
               price_version = EXCLUDED.price_version, updated_at = now()
           WHERE products.price_version < EXCLUDED.price_version
           RETURNING true""", sku, net_price, currency, version))


async def get_product(conn: asyncpg.Connection, sku: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM products WHERE sku = $1", sku)


# --- pending writes: coalesced, newest version wins ---------------------------------------------

_COALESCE = """ON CONFLICT (shop_id, sku, kind) DO UPDATE SET version = EXCLUDED.version, reason = EXCLUDED.reason,
                   warehouse_id = EXCLUDED.warehouse_id, state = 'pending',
                   next_attempt_at = CASE WHEN pending_writes.state = 'missing' THEN now()
                                          ELSE pending_writes.next_attempt_at END
               WHERE pending_writes.version < EXCLUDED.version
               RETURNING shop_id"""


async def enqueue_stock_writes(conn: asyncpg.Connection, registry: str, warehouse_id: str, sku: str, version: int,
                               reason: dict[str, Any]) -> list[str]:
    """A pending stock write for every enabled shop fed by ``warehouse_id``; the shops touched."""
    rows = await conn.fetch(
        f"""INSERT INTO pending_writes (shop_id, sku, kind, version, warehouse_id, reason)
            SELECT s.shop_id, $2, 'stock', $3, $1, $4 FROM {_registry(registry)}.shops s
             WHERE s.warehouse_id = $1 AND s.enabled
               AND NOT EXISTS (SELECT 1 FROM pushed_state p WHERE p.shop_id = s.shop_id AND p.sku = $2
                                  AND p.kind = 'stock' AND p.version >= $3)
            {_COALESCE}""", warehouse_id, sku, version, reason)
    return [r["shop_id"] for r in rows]


async def enqueue_product_writes(conn: asyncpg.Connection, registry: str, sku: str, kind: str, version: int,
                                 shop_ids: Sequence[str] | None, reason: dict[str, Any]) -> list[str]:
    """A pending price or create write for every enabled shop (or those in ``shop_ids``); the shops touched."""
    rows = await conn.fetch(
        f"""INSERT INTO pending_writes (shop_id, sku, kind, version, warehouse_id, reason)
            SELECT s.shop_id, $1, $2, $3, s.warehouse_id, $5 FROM {_registry(registry)}.shops s
             WHERE s.enabled AND ($4::text[] IS NULL OR cardinality($4::text[]) = 0 OR s.shop_id = ANY($4::text[]))
               AND NOT EXISTS (SELECT 1 FROM pushed_state p WHERE p.shop_id = s.shop_id AND p.sku = $1
                                  AND p.kind = $2 AND p.version >= $3)
            {_COALESCE}""", sku, kind, version, list(shop_ids) if shop_ids is not None else None, reason)
    return [r["shop_id"] for r in rows]


async def enqueue_write(conn: asyncpg.Connection, shop_id: str, sku: str, kind: str, version: int,
                        warehouse_id: str | None, reason: dict[str, Any]) -> None:
    """One pending write (reconcile, a stock push after a product was created)."""
    await conn.execute(
        f"""INSERT INTO pending_writes (shop_id, sku, kind, version, warehouse_id, reason)
            VALUES ($1, $2, $3, $4, $5, $6) {_COALESCE}""", shop_id, sku, kind, version, warehouse_id, reason)


async def notify_pending(conn: asyncpg.Connection, shop_ids: Sequence[str]) -> None:
    for shop_id in sorted(set(shop_ids)):
        await conn.execute("SELECT pg_notify($1, $2)", PENDING_CHANNEL, shop_id)


async def due_writes(conn: asyncpg.Connection, shop_id: str, limit: int) -> list[asyncpg.Record]:
    """Due pending writes of a shop with the current values they should write, oldest first."""
    return await conn.fetch(
        """SELECT w.shop_id, w.sku, w.kind, w.version, w.warehouse_id, w.reason, w.first_seen_at, w.attempts,
                  w.solo, w.state, m.shop_product_id,
                  l.version AS stock_version, l.free, l.changed_at AS stock_changed_at,
                  p.net_price, p.currency, p.price_version, p.name, p.vat, p.shop_ids, p.created_at AS product_created_at,
                  COALESCE(st.safety_buffer, 0) AS safety_buffer, COALESCE(st.create_missing, 'meant') AS create_missing
             FROM pending_writes w
             LEFT JOIN sku_map m ON m.shop_id = w.shop_id AND m.sku = w.sku
             LEFT JOIN stock_levels l ON l.warehouse_id = w.warehouse_id AND l.sku = w.sku
             LEFT JOIN products p ON p.sku = w.sku
             LEFT JOIN shop_settings st ON st.shop_id = w.shop_id
            WHERE w.shop_id = $1 AND w.next_attempt_at <= now()
            ORDER BY w.solo DESC, w.first_seen_at, w.sku, w.kind
            LIMIT $2""", shop_id, limit)


async def has_due_writes(conn: asyncpg.Connection, shop_id: str) -> bool:
    return bool(await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pending_writes WHERE shop_id = $1 AND next_attempt_at <= now())", shop_id))


async def next_due_in(conn: asyncpg.Connection, shop_id: str) -> float | None:
    """Seconds until the shop's next pending write is due, None when nothing is pending."""
    value = await conn.fetchval(
        """SELECT extract(epoch FROM min(t) - now()) FROM (
               SELECT min(next_attempt_at) AS t FROM pending_writes WHERE shop_id = $1
               UNION ALL SELECT min(next_attempt_at) FROM order_status_pending WHERE shop_id = $1
               UNION ALL SELECT requested_at FROM shop_status_lists
                          WHERE shop_id = $1 AND (fetched_at IS NULL OR requested_at > fetched_at)) due""", shop_id)
    return None if value is None else float(value)


async def finish_writes(conn: asyncpg.Connection, rows: Sequence[tuple]) -> None:
    """Record confirmed writes and drop their pending rows unless a newer version came meanwhile.

    Each row: (shop_id, sku, kind, value, version, shop_product_id, warehouse_id, free, safety_buffer,
    sync_watermark, reason, first_seen_at, pending_version).
    """
    if not rows:
        return
    await conn.executemany(
        """INSERT INTO pushed_state (shop_id, sku, kind, value, version, shop_product_id, warehouse_id, free,
                                     safety_buffer, sync_watermark, reason, first_seen_at, pushed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
           ON CONFLICT (shop_id, sku, kind) DO UPDATE SET value = EXCLUDED.value, version = EXCLUDED.version,
               shop_product_id = EXCLUDED.shop_product_id, warehouse_id = EXCLUDED.warehouse_id, free = EXCLUDED.free,
               safety_buffer = EXCLUDED.safety_buffer, sync_watermark = EXCLUDED.sync_watermark,
               reason = EXCLUDED.reason, first_seen_at = EXCLUDED.first_seen_at, pushed_at = now()""",
        [r[:12] for r in rows])
    await conn.executemany(
        "DELETE FROM pending_writes WHERE shop_id = $1 AND sku = $2 AND kind = $3 AND version <= $4",
        [(r[0], r[1], r[2], r[12]) for r in rows])


async def drop_writes(conn: asyncpg.Connection, rows: Sequence[tuple[str, str, str, int]]) -> None:
    """Drop pending writes that have nothing left to do: (shop_id, sku, kind, version)."""
    await conn.executemany(
        "DELETE FROM pending_writes WHERE shop_id = $1 AND sku = $2 AND kind = $3 AND version <= $4", list(rows))


async def fail_writes(conn: asyncpg.Connection, rows: Sequence[tuple]) -> list[asyncpg.Record]:
    """Count a failed try and schedule the next; returns rows now due for a report.

    Each row: (shop_id, sku, kind, error, http_status, retry_in_s, solo, state, report_after).
    """
    out = []
    for r in rows:
        rec = await conn.fetchrow(
            """UPDATE pending_writes SET attempts = attempts + 1, last_error = $4, last_status = $5,
                   next_attempt_at = now() + make_interval(secs => $6), solo = $7, state = $8
                WHERE shop_id = $1 AND sku = $2 AND kind = $3
                RETURNING shop_id, sku, kind, attempts, last_error, last_status, state,
                          (NOT reported AND attempts >= $9) AS report""", *r)
        if rec is not None and rec["report"]:
            out.append(rec)
    if out:
        await conn.executemany("UPDATE pending_writes SET reported = true WHERE shop_id = $1 AND sku = $2 AND kind = $3",
                               [(r["shop_id"], r["sku"], r["kind"]) for r in out])
    return out


async def list_pending(conn: asyncpg.Connection, shop_id: str | None, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT shop_id, sku, kind, version, state, attempts, solo, last_error, last_status, first_seen_at,
                  next_attempt_at, reason FROM pending_writes WHERE ($1::text IS NULL OR shop_id = $1)
            ORDER BY shop_id, first_seen_at LIMIT $2""", shop_id, limit)


async def pending_count(conn: asyncpg.Connection, shop_id: str | None = None) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM pending_writes WHERE ($1::text IS NULL OR shop_id = $1)", shop_id)


async def pending_counts_per_shop(conn: asyncpg.Connection, registry: str) -> dict[str, int]:
    """Pending writes of every enabled shop (zero included)."""
    rows = await conn.fetch(
        f"""SELECT s.shop_id, count(w.sku) AS n FROM {_registry(registry)}.shops s
              LEFT JOIN pending_writes w ON w.shop_id = s.shop_id
             WHERE s.enabled GROUP BY s.shop_id""")
    return {r["shop_id"]: r["n"] for r in rows}


# --- SKU -> shop product id ------------------------------------------------------------------

async def put_sku_ids(conn: asyncpg.Connection, shop_id: str, pairs: Sequence[tuple[str, str]]) -> None:
    await conn.executemany(
        """INSERT INTO sku_map (shop_id, sku, shop_product_id) VALUES ($1, $2, $3)
           ON CONFLICT (shop_id, sku) DO UPDATE SET shop_product_id = EXCLUDED.shop_product_id, found_at = now()""",
        [(shop_id, sku, pid) for sku, pid in pairs])


async def enqueue_changed_prices(conn: asyncpg.Connection, shop_id: str, warehouse_id: str | None,
                                 skus: Sequence[str]) -> None:
    """Price writes for SKUs just found in a shop they were not meant for, whose back-office price
    changed since creation and was never pushed there (the change went out before the SKU was found)."""
    await conn.execute(
        f"""INSERT INTO pending_writes (shop_id, sku, kind, version, warehouse_id, reason)
            SELECT $1, p.sku, 'price', p.price_version, $2, $4 FROM products p
             WHERE p.sku = ANY($3::text[]) AND p.price_version > 1
               AND cardinality(p.shop_ids) > 0 AND NOT ($1 = ANY(p.shop_ids))
               AND NOT EXISTS (SELECT 1 FROM pushed_state s WHERE s.shop_id = $1 AND s.sku = p.sku
                                  AND s.kind = 'price' AND s.version >= p.price_version)
            {_COALESCE}""", shop_id, warehouse_id, list(skus), {"event": "found_in_shop"})


async def forget_sku_ids(conn: asyncpg.Connection, shop_id: str, skus: Sequence[str]) -> None:
    await conn.execute("DELETE FROM sku_map WHERE shop_id = $1 AND sku = ANY($2)", shop_id, list(skus))


async def sku_ids(conn: asyncpg.Connection, shop_id: str) -> dict[str, str]:
    return {r["sku"]: r["shop_product_id"] for r in await conn.fetch(
        "SELECT sku, shop_product_id FROM sku_map WHERE shop_id = $1", shop_id)}


# --- shops: order_ingest's registry (read-only) and this service's settings ------------------------

async def enabled_shops(conn: asyncpg.Connection, registry: str) -> list[asyncpg.Record]:
    """Enabled shops with what it takes to connect; None when the registry does not exist yet."""
    reg = _registry(registry)
    return await conn.fetch(
        f"""SELECT s.shop_id, s.api_base_url, s.token_url, s.auth_mode, s.client_id, s.username, s.warehouse_id,
                   s.rate_limit_per_s, x.secret
              FROM {reg}.shops s LEFT JOIN {reg}.shop_secrets x USING (shop_id)
             WHERE s.enabled ORDER BY s.shop_id""")


async def registry_shop(conn: asyncpg.Connection, registry: str, shop_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT shop_id, warehouse_id, enabled FROM {_registry(registry)}.shops WHERE shop_id = $1", shop_id)


async def registry_shop_ids(conn: asyncpg.Connection, registry: str) -> list[str]:
    return [r["shop_id"] for r in await conn.fetch(
        f"SELECT shop_id FROM {_registry(registry)}.shops WHERE enabled ORDER BY shop_id")]


async def get_shop_settings(conn: asyncpg.Connection, shop_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM shop_settings WHERE shop_id = $1", shop_id)


async def put_shop_settings(conn: asyncpg.Connection, shop_id: str, safety_buffer: Decimal, create_missing: str,
                            fence: str) -> asyncpg.Record:
    return await conn.fetchrow(
        """INSERT INTO shop_settings (shop_id, safety_buffer, create_missing, fence) VALUES ($1, $2, $3, $4)
           ON CONFLICT (shop_id) DO UPDATE SET safety_buffer = EXCLUDED.safety_buffer,
               create_missing = EXCLUDED.create_missing, fence = EXCLUDED.fence, updated_at = now()
           RETURNING *""", shop_id, safety_buffer, create_missing, fence)


async def try_lock_shop(conn: asyncpg.Connection, shop_id: str) -> bool:
    return await conn.fetchval("SELECT pg_try_advisory_lock($1, hashtext($2))", PUSHER_LOCK_NAMESPACE, shop_id)


async def set_pusher_status(conn: asyncpg.Connection, shop_id: str, owner: str, state: str, detail: str | None) -> None:
    await conn.execute(
        """INSERT INTO pusher_status (shop_id, owner, state, detail) VALUES ($1, $2, $3, $4)
           ON CONFLICT (shop_id) DO UPDATE SET owner = EXCLUDED.owner, state = EXCLUDED.state,
               detail = EXCLUDED.detail, updated_at = now()""", shop_id, owner, state, detail)


async def pusher_statuses(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM pusher_status ORDER BY shop_id")


# --- the fence ---------------------------------------------------------------------------------

async def add_fence_request(conn: asyncpg.Connection, request_id: str, shop_id: str, not_before: datetime) -> None:
    await conn.execute("INSERT INTO fence_requests (request_id, shop_id, not_before) VALUES ($1, $2, $3)",
                       request_id, shop_id, not_before)


async def record_sync(conn: asyncpg.Connection, shop_id: str, request_id: str | None, watermark: datetime,
                      finished_at: datetime, order_ids: Sequence[str] | None) -> None:
    await conn.execute(
        """INSERT INTO sync_watermarks (shop_id, request_id, watermark, finished_at, order_ids)
           VALUES ($1, $2, $3, $4, $5)""", shop_id, request_id, watermark, finished_at,
        list(order_ids) if order_ids is not None else None)


async def covering_syncs(conn: asyncpg.Connection, shop_id: str, not_before: datetime) -> list[asyncpg.Record]:
    """Completed polls whose watermark covers ``not_before``, earliest first."""
    return await conn.fetch(
        """SELECT watermark, finished_at, order_ids FROM sync_watermarks
            WHERE shop_id = $1 AND watermark >= $2 ORDER BY watermark LIMIT 5""", shop_id, not_before)


async def record_shop_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, stock_skus: Sequence[str]) -> None:
    await conn.execute(
        """INSERT INTO shop_orders (shop_id, shop_order_id, stock_skus) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING""", shop_id, shop_order_id, sorted(set(stock_skus)))


async def record_reservation(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, sku: str, version: int) -> None:
    await conn.execute(
        """INSERT INTO ledger_reservations (shop_id, shop_order_id, sku, version) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING""", shop_id, shop_order_id, sku, version)


async def orders_state(conn: asyncpg.Connection, shop_id: str, order_ids: Sequence[str]) -> list[asyncpg.Record]:
    """For each order id: whether OrderReceived arrived, its stock SKUs and the SKUs the ledger reserved."""
    return await conn.fetch(
        """SELECT i.id AS shop_order_id, o.stock_skus,
                  COALESCE((SELECT array_agg(r.sku) FROM ledger_reservations r
                             WHERE r.shop_id = $1 AND r.shop_order_id = i.id), '{}') AS reserved_skus
             FROM unnest($2::text[]) AS i(id)
             LEFT JOIN shop_orders o ON o.shop_id = $1 AND o.shop_order_id = i.id""", shop_id, list(order_ids))


# --- explain -----------------------------------------------------------------------------------

async def pushed(conn: asyncpg.Connection, shop_id: str, sku: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM pushed_state WHERE shop_id = $1 AND sku = $2 ORDER BY kind", shop_id, sku)


async def pending_of(conn: asyncpg.Connection, shop_id: str, sku: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM pending_writes WHERE shop_id = $1 AND sku = $2 ORDER BY kind", shop_id, sku)


async def sku_id(conn: asyncpg.Connection, shop_id: str, sku: str) -> str | None:
    return await conn.fetchval("SELECT shop_product_id FROM sku_map WHERE shop_id = $1 AND sku = $2", shop_id, sku)


async def shops_holding(conn: asyncpg.Connection, sku: str) -> list[str]:
    """Shops where the SKU was found (whether or not the product was meant for them)."""
    return [r["shop_id"] for r in await conn.fetch("SELECT shop_id FROM sku_map WHERE sku = $1", sku)]


# --- reconcile ---------------------------------------------------------------------------------

async def add_reconcile_run(conn: asyncpg.Connection, run_id: str, shop_id: str, dry_run: bool) -> None:
    await conn.execute("INSERT INTO reconcile_runs (run_id, shop_id, dry_run) VALUES ($1, $2, $3)",
                       run_id, shop_id, dry_run)


async def next_reconcile_run(conn: asyncpg.Connection, shop_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT * FROM reconcile_runs WHERE shop_id = $1 AND state = 'pending' ORDER BY requested_at LIMIT 1", shop_id)


async def finish_reconcile_run(conn: asyncpg.Connection, run_id: str, state: str, result: dict[str, Any]) -> None:
    await conn.execute("UPDATE reconcile_runs SET state = $2, result = $3, finished_at = now() WHERE run_id = $1",
                       run_id, state, json.loads(json.dumps(result, default=str)))


async def get_reconcile_run(conn: asyncpg.Connection, run_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM reconcile_runs WHERE run_id = $1", run_id)


async def expected_state(conn: asyncpg.Connection, shop_id: str, warehouse_id: str) -> list[asyncpg.Record]:
    """What the back office says the shop should show: stock of the shop's warehouse and prices."""
    return await conn.fetch(
        """SELECT COALESCE(l.sku, p.sku) AS sku, l.version AS stock_version, l.free, p.net_price, p.price_version,
                  p.shop_ids, COALESCE(st.safety_buffer, 0) AS safety_buffer
             FROM (SELECT * FROM stock_levels WHERE warehouse_id = $2) l
             FULL JOIN products p ON p.sku = l.sku
             LEFT JOIN shop_settings st ON st.shop_id = $1
            ORDER BY 1""", shop_id, warehouse_id)


async def recent_sync_order_ids(conn: asyncpg.Connection, shop_id: str, since: datetime,
                                up_to: datetime) -> list[str]:
    """Order ids reported by polls of the shop received since ``since`` with watermarks up to ``up_to``."""
    return list(await conn.fetchval(
        """SELECT COALESCE(array_agg(DISTINCT o), '{}') FROM sync_watermarks, unnest(order_ids) AS o
            WHERE shop_id = $1 AND received_at >= $2 AND watermark <= $3""", shop_id, since, up_to))


async def enqueue_all_stock(conn: asyncpg.Connection, shop_id: str, warehouse_id: str, reason: dict[str, Any]) -> int:
    """A stock write of every SKU the warehouse has, e.g. after the shop's safety buffer changed."""
    rows = await conn.fetch(
        """INSERT INTO pending_writes (shop_id, sku, kind, version, warehouse_id, reason)
           SELECT $1, sku, 'stock', version, warehouse_id, $3 FROM stock_levels WHERE warehouse_id = $2
           ON CONFLICT (shop_id, sku, kind) DO NOTHING RETURNING sku""", shop_id, warehouse_id, reason)
    return len(rows)


# --- order status write-back -------------------------------------------------------------------

#: Advisory lock namespace of "one back-office event of this shop order is being recorded".
ORDER_STATUS_LOCK_NAMESPACE = 7_301_227


async def lock_shop_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str) -> None:
    """Serialise events of one shop order arriving on different topics (held until commit)."""
    await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", ORDER_STATUS_LOCK_NAMESPACE,
                       f"{shop_id}:{shop_order_id}")


async def status_mapping(conn: asyncpg.Connection, shop_id: str, trigger: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM order_status_map WHERE shop_id = $1 AND trigger = $2", shop_id, trigger)


async def status_map(conn: asyncpg.Connection, shop_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM order_status_map WHERE shop_id = $1 ORDER BY trigger", shop_id)


async def put_status_mapping(conn: asyncpg.Connection, shop_id: str, trigger: str, shop_status_id: str,
                             status_name: str) -> None:
    await conn.execute(
        """INSERT INTO order_status_map (shop_id, trigger, shop_status_id, status_name) VALUES ($1, $2, $3, $4)
           ON CONFLICT (shop_id, trigger) DO UPDATE SET shop_status_id = EXCLUDED.shop_status_id,
               status_name = EXCLUDED.status_name, updated_at = now()""", shop_id, trigger, shop_status_id, status_name)


async def delete_status_mapping(conn: asyncpg.Connection, shop_id: str, trigger: str) -> None:
    await conn.execute("DELETE FROM order_status_map WHERE shop_id = $1 AND trigger = $2", shop_id, trigger)


async def shop_statuses(conn: asyncpg.Connection, shop_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT * FROM shop_order_statuses WHERE shop_id = $1 ORDER BY inner_id NULLS LAST, shop_status_id", shop_id)


async def replace_shop_statuses(conn: asyncpg.Connection, shop_id: str, rows: Sequence[tuple]) -> None:
    """The shop's downloaded status list: (shop_status_id, inner_id, name, color) per status."""
    await conn.execute("DELETE FROM shop_order_statuses WHERE shop_id = $1", shop_id)
    await conn.executemany(
        """INSERT INTO shop_order_statuses (shop_id, shop_status_id, inner_id, name, color)
           VALUES ($1, $2, $3, $4, $5)""", [(shop_id, *r) for r in rows])


async def request_status_list(conn: asyncpg.Connection, shop_id: str, *, only_first: bool = False) -> None:
    """Ask the shop's pusher to download the status list (``only_first``: unless it ever was)."""
    await conn.execute(
        f"""INSERT INTO shop_status_lists (shop_id) VALUES ($1)
            ON CONFLICT (shop_id) DO {'NOTHING' if only_first else 'UPDATE SET requested_at = now()'}""", shop_id)


async def status_list_due(conn: asyncpg.Connection, shop_id: str) -> bool:
    """Whether the shop's status list was asked for since it was last downloaded."""
    return bool(await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM shop_status_lists WHERE shop_id = $1 AND requested_at <= now()
                             AND (fetched_at IS NULL OR requested_at > fetched_at))""", shop_id))


async def status_list(conn: asyncpg.Connection, shop_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM shop_status_lists WHERE shop_id = $1", shop_id)


async def finish_status_list(conn: asyncpg.Connection, shop_id: str, error: str | None) -> None:
    await conn.execute(
        """UPDATE shop_status_lists SET fetched_at = CASE WHEN $2::text IS NULL THEN now() ELSE fetched_at END,
               error = $2, requested_at = CASE WHEN $2::text IS NULL THEN requested_at ELSE now() + interval '30 s' END
            WHERE shop_id = $1""", shop_id, error)


async def order_status_state(conn: asyncpg.Connection, shop_id: str,
                             shop_order_id: str) -> tuple[asyncpg.Record | None, asyncpg.Record | None]:
    """What polc last wrote to the shop order, and what waits to be written."""
    written = await conn.fetchrow("SELECT * FROM order_status_written WHERE shop_id = $1 AND shop_order_id = $2",
                                  shop_id, shop_order_id)
    pending = await conn.fetchrow("SELECT * FROM order_status_pending WHERE shop_id = $1 AND shop_order_id = $2",
                                  shop_id, shop_order_id)
    return written, pending


async def put_order_status_pending(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, trigger: str | None,
                                   rank: int, shop_status_id: str | None, status_name: str | None,
                                   invoice_number: str | None, reason: dict[str, Any]) -> None:
    """The order's pending write, replaced by the merged one; a new version, due now."""
    await conn.execute(
        """INSERT INTO order_status_pending (shop_id, shop_order_id, trigger, rank, shop_status_id, status_name,
                                             invoice_number, reason)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (shop_id, shop_order_id) DO UPDATE SET trigger = EXCLUDED.trigger, rank = EXCLUDED.rank,
               shop_status_id = EXCLUDED.shop_status_id, status_name = EXCLUDED.status_name,
               invoice_number = EXCLUDED.invoice_number, reason = EXCLUDED.reason,
               version = order_status_pending.version + 1, next_attempt_at = now()""",
        shop_id, shop_order_id, trigger, rank, shop_status_id, status_name, invoice_number, reason)


async def record_shop_cancel(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, status_name: str | None,
                             reason: dict[str, Any]) -> None:
    """The shop itself cancelled the order: it is final, nothing is written to it any more."""
    await conn.execute(
        """INSERT INTO order_status_written (shop_id, shop_order_id, trigger, rank, shop_status_id, status_name, reason)
           VALUES ($1, $2, 'cancelled', 4, NULL, $3, $4)
           ON CONFLICT (shop_id, shop_order_id) DO UPDATE SET trigger = 'cancelled', rank = 4, shop_status_id = NULL,
               status_name = EXCLUDED.status_name, reason = EXCLUDED.reason, written_at = now()""",
        shop_id, shop_order_id, status_name, reason)


async def log_order_status_event(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, trigger: str,
                                 message_id: str | None, invoice_number: str | None, outcome: str,
                                 detail: str | None) -> None:
    await conn.execute(
        """INSERT INTO order_status_events (shop_id, shop_order_id, trigger, message_id, invoice_number, outcome, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        shop_id, shop_order_id, trigger, message_id, invoice_number, outcome, detail)


async def due_order_status_writes(conn: asyncpg.Connection, shop_id: str, limit: int) -> list[asyncpg.Record]:
    """Due pending order writes of a shop with what was last written to each order, oldest first."""
    return await conn.fetch(
        """SELECT p.*, w.rank AS written_rank, w.shop_status_id AS written_status_id,
                  w.status_name AS written_status_name, w.invoice_number AS written_invoice_number
             FROM order_status_pending p
             LEFT JOIN order_status_written w USING (shop_id, shop_order_id)
            WHERE p.shop_id = $1 AND p.next_attempt_at <= now()
            ORDER BY p.first_seen_at, p.shop_order_id LIMIT $2""", shop_id, limit)


async def finish_order_status_writes(conn: asyncpg.Connection, rows: Sequence[tuple]) -> None:
    """Record confirmed order writes; drop the pending row unless news arrived meanwhile.

    Each row: (shop_id, shop_order_id, trigger, rank, shop_status_id, status_name, invoice_number, reason,
    pending_version). A write without a status keeps the written status; without a number, the number.
    """
    if not rows:
        return
    await conn.executemany(
        """INSERT INTO order_status_written (shop_id, shop_order_id, trigger, rank, shop_status_id, status_name,
                                             invoice_number, reason)
           VALUES ($1, $2, COALESCE($3, 'invoiced'), $4, $5, $6, $7, $8)
           ON CONFLICT (shop_id, shop_order_id) DO UPDATE SET
               trigger = COALESCE($3, order_status_written.trigger),
               rank = GREATEST(order_status_written.rank, EXCLUDED.rank),
               shop_status_id = COALESCE($5, order_status_written.shop_status_id),
               status_name = COALESCE($6, order_status_written.status_name),
               invoice_number = COALESCE($7, order_status_written.invoice_number),
               reason = EXCLUDED.reason, written_at = now()""", [r[:8] for r in rows])
    await conn.executemany(
        "DELETE FROM order_status_pending WHERE shop_id = $1 AND shop_order_id = $2 AND version <= $3",
        [(r[0], r[1], r[8]) for r in rows])


async def drop_order_status_writes(conn: asyncpg.Connection, rows: Sequence[tuple[str, str, int]]) -> None:
    """Drop pending order writes the shop already shows: (shop_id, shop_order_id, version)."""
    await conn.executemany(
        "DELETE FROM order_status_pending WHERE shop_id = $1 AND shop_order_id = $2 AND version <= $3", list(rows))


async def fail_order_status_writes(conn: asyncpg.Connection, rows: Sequence[tuple]) -> list[asyncpg.Record]:
    """Count a failed try and schedule the next; returns rows now due for a report.

    Each row: (shop_id, shop_order_id, error, http_status, retry_in_s, report_after).
    """
    out = []
    for r in rows:
        rec = await conn.fetchrow(
            """UPDATE order_status_pending SET attempts = attempts + 1, last_error = $3, last_status = $4,
                   next_attempt_at = now() + make_interval(secs => $5)
                WHERE shop_id = $1 AND shop_order_id = $2
                RETURNING shop_id, shop_order_id, attempts, last_error, last_status,
                          (NOT reported AND attempts >= $6) AS report""", *r)
        if rec is not None and rec["report"]:
            out.append(rec)
    if out:
        await conn.executemany(
            "UPDATE order_status_pending SET reported = true WHERE shop_id = $1 AND shop_order_id = $2",
            [(r["shop_id"], r["shop_order_id"]) for r in out])
    return out


async def order_status_events(conn: asyncpg.Connection, shop_id: str, shop_order_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT trigger, message_id, invoice_number, outcome, detail, seen_at FROM order_status_events
            WHERE shop_id = $1 AND shop_order_id = $2 ORDER BY id""", shop_id, shop_order_id)


async def list_order_status_pending(conn: asyncpg.Connection, shop_id: str | None,
                                    limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT shop_id, shop_order_id, trigger, shop_status_id, status_name, invoice_number, version, attempts,
                  last_error, last_status, first_seen_at, next_attempt_at, reason
             FROM order_status_pending WHERE ($1::text IS NULL OR shop_id = $1)
            ORDER BY shop_id, first_seen_at LIMIT $2""", shop_id, limit)
