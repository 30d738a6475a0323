"""All SQL of order_ingest: one async function per statement, connection first."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg

#: Namespace of the session advisory locks that make one instance poll a shop at a time.
SHOP_LOCK_NAMESPACE = 41_004


# --- shops and series ---------------------------------------------------------------------

SHOP_COLUMNS = """s.shop_id, s.name, s.api_base_url, s.token_url, s.auth_mode, s.client_id, s.username,
    s.warehouse_id, s.series_id, s.poll_interval_s, s.first_sync_from, s.rate_limit_per_s,
    s.cancel_status_names, s.paid_status_names, s.enabled, s.created_at, s.updated_at, n.prefix AS series_prefix"""


async def list_shops(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT {SHOP_COLUMNS} FROM shops s JOIN number_series n USING (series_id) ORDER BY shop_id")


async def get_shop(conn: asyncpg.Connection, shop_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"SELECT {SHOP_COLUMNS} FROM shops s JOIN number_series n USING (series_id) WHERE shop_id = $1", shop_id)


async def get_shop_secret(conn: asyncpg.Connection, shop_id: str) -> dict[str, Any] | None:
    raw = await conn.fetchval("SELECT secret FROM shop_secrets WHERE shop_id = $1", shop_id)
    return json.loads(raw) if raw else None


async def ensure_series(conn: asyncpg.Connection, series_id: str, prefix: str) -> None:
    await conn.execute("INSERT INTO number_series (series_id, prefix) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                       series_id, prefix)


async def upsert_shop(conn: asyncpg.Connection, values: dict[str, Any]) -> None:
    cols = list(values)
    params = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c != "shop_id")
    await conn.execute(
        f"INSERT INTO shops ({', '.join(cols)}) VALUES ({params}) "
        f"ON CONFLICT (shop_id) DO UPDATE SET {updates}, updated_at = now()",
        *values.values())
    await conn.execute("INSERT INTO sync_cursors (shop_id) VALUES ($1) ON CONFLICT DO NOTHING", values["shop_id"])


async def set_shop_secret(conn: asyncpg.Connection, shop_id: str, secret: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO shop_secrets (shop_id, secret) VALUES ($1, $2) "
        "ON CONFLICT (shop_id) DO UPDATE SET secret = EXCLUDED.secret", shop_id, json.dumps(secret))


async def reseal_shop_secrets(conn: asyncpg.Connection, reseal: Callable[[str], dict[str, Any] | None]) -> int:
    """Seal plain stored secrets (and those of an older key) with the current key; returns how many."""
    changed = 0
    async with conn.transaction():
        for row in await conn.fetch("SELECT shop_id, secret FROM shop_secrets ORDER BY shop_id FOR UPDATE"):
            sealed = reseal(row["secret"])
            if sealed is not None:
                await conn.execute("UPDATE shop_secrets SET secret = $2 WHERE shop_id = $1",
                                   row["shop_id"], json.dumps(sealed))
                changed += 1
    return changed


async def list_series(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT series_id, prefix, next_value, width FROM number_series ORDER BY series_id")


async def take_number(conn: asyncpg.Connection, series_id: str) -> tuple[str, int, int]:
    """The next value of a series, taken in the caller's transaction (gapless: a rollback returns it)."""
    row = await conn.fetchrow(
        "UPDATE number_series SET next_value = next_value + 1 WHERE series_id = $1 "
        "RETURNING prefix, next_value - 1 AS value, width", series_id)
    return row["prefix"], row["value"], row["width"]


async def take_numbers(conn: asyncpg.Connection, series_id: str, count: int) -> tuple[str, int, int]:
    """``count`` consecutive values of a series in the caller's transaction: (prefix, first, width)."""
    row = await conn.fetchrow(
        "UPDATE number_series SET next_value = next_value + $2 WHERE series_id = $1 "
        "RETURNING prefix, next_value - $2 AS first, width", series_id, count)
    return row["prefix"], row["first"], row["width"]


# --- scheduling, locks, cursors, sync requests ---------------------------------------------------

async def due_shops(conn: asyncpg.Connection) -> list[str]:
    """Enabled shops whose poll is due or that have a sync request waiting."""
    return [r["shop_id"] for r in await conn.fetch(
        """SELECT s.shop_id FROM shops s JOIN sync_cursors c USING (shop_id)
           WHERE s.enabled AND (c.next_due_at <= now()
                 OR EXISTS (SELECT 1 FROM sync_requests r WHERE r.shop_id = s.shop_id AND r.state = 'pending'
                            AND (r.not_before IS NULL OR r.not_before <= now())))
           ORDER BY c.next_due_at""")]


async def try_lock_shop(conn: asyncpg.Connection, shop_id: str) -> bool:
    return await conn.fetchval("SELECT pg_try_advisory_lock($1, hashtext($2))", SHOP_LOCK_NAMESPACE, shop_id)


async def unlock_shop(conn: asyncpg.Connection, shop_id: str) -> None:
    await conn.execute("SELECT pg_advisory_unlock($1, hashtext($2))", SHOP_LOCK_NAMESPACE, shop_id)


async def get_cursor(conn: asyncpg.Connection, shop_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT *, next_due_at <= now() AS due FROM sync_cursors WHERE shop_id = $1", shop_id)


async def mark_poll_started(conn: asyncpg.Connection, shop_id: str) -> datetime:
    return await conn.fetchval(
        "UPDATE sync_cursors SET last_started_at = now() WHERE shop_id = $1 RETURNING last_started_at", shop_id)


async def save_cursor(conn: asyncpg.Connection, shop_id: str, watermark: datetime | None, max_inner_id: int,
                      gaps: dict[str, int], next_due_in_s: float) -> None:
    await conn.execute(
        """UPDATE sync_cursors SET updated_watermark = $2, max_inner_id = $3, gaps = $4::jsonb,
                  next_due_at = now() + make_interval(secs => $5), last_success_at = now(), last_error = NULL,
                  polls = polls + 1
           WHERE shop_id = $1""", shop_id, watermark, max_inner_id, json.dumps(gaps), next_due_in_s)


async def record_poll_failure(conn: asyncpg.Connection, shop_id: str, error: str, retry_in_s: float) -> None:
    await conn.execute(
        "UPDATE sync_cursors SET last_error = $2, next_due_at = now() + make_interval(secs => $3) WHERE shop_id = $1",
        shop_id, error, retry_in_s)


async def make_due(conn: asyncpg.Connection, shop_id: str) -> None:
    await conn.execute("UPDATE sync_cursors SET next_due_at = now() WHERE shop_id = $1", shop_id)


async def add_sync_request(conn: asyncpg.Connection, request_id: str, shop_id: str, requested_by: str,
                           not_before: datetime | None) -> bool:
    return await conn.fetchval(
        """INSERT INTO sync_requests (request_id, shop_id, requested_by, not_before) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING RETURNING true""", request_id, shop_id, requested_by, not_before) or False


async def pending_requests(conn: asyncpg.Connection, shop_id: str) -> list[str]:
    """Requests a poll starting now answers: those without ``not_before`` or whose moment has come."""
    return [r["request_id"] for r in await conn.fetch(
        """SELECT request_id FROM sync_requests WHERE shop_id = $1 AND state = 'pending'
                  AND (not_before IS NULL OR not_before <= now()) ORDER BY requested_at""",
        shop_id)]


#: Channel on which a committed sync request wakes the schedulers of every instance.
SYNC_CHANNEL = "polc_order_ingest_sync"


async def notify_sync_requested(conn: asyncpg.Connection, shop_id: str) -> None:
    """Wake the schedulers once the caller's transaction commits (NOTIFY is delivered on commit)."""
    await conn.execute("SELECT pg_notify($1, $2)", SYNC_CHANNEL, shop_id)


async def finish_requests(conn: asyncpg.Connection, request_ids: Sequence[str], state: str,
                          result: dict[str, Any]) -> None:
    await conn.execute(
        "UPDATE sync_requests SET state = $2, finished_at = now(), result = $3::jsonb WHERE request_id = ANY($1)",
        list(request_ids), state, json.dumps(result, default=str))


async def get_sync_request(conn: asyncpg.Connection, request_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM sync_requests WHERE request_id = $1", request_id)


async def sync_status(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT c.shop_id, c.updated_watermark, c.max_inner_id, c.gaps, c.next_due_at, c.last_started_at,
                  c.last_success_at, c.last_error, c.polls FROM sync_cursors c ORDER BY shop_id""")


# --- reference data ----------------------------------------------------------------------------

async def list_vat_keys(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM vat_keys ORDER BY short_name")


async def upsert_vat_key(conn: asyncpg.Connection, short_name: str, category: str, rate: Decimal | None,
                         nav_case: str | None, exemption_reason: str | None) -> None:
    await conn.execute(
        """INSERT INTO vat_keys (short_name, category, rate, nav_case, exemption_reason) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (short_name) DO UPDATE SET category = EXCLUDED.category, rate = EXCLUDED.rate,
               nav_case = EXCLUDED.nav_case, exemption_reason = EXCLUDED.exemption_reason""",
        short_name, category, rate, nav_case, exemption_reason)


async def list_service_items(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM service_items ORDER BY name")


async def upsert_service_item(conn: asyncpg.Connection, service_id: str, name: str, match_name: str, kind: str,
                              vat_short_name: str | None) -> None:
    await conn.execute(
        """INSERT INTO service_items (service_id, name, match_name, kind, vat_short_name) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (match_name) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
               vat_short_name = EXCLUDED.vat_short_name""", service_id, name, match_name, kind, vat_short_name)


async def ensure_service_items(conn: asyncpg.Connection, items: Sequence[tuple[str, str, str, str]]) -> dict[str, str]:
    """(service_id, name, match_name, kind) rows created where their name is new; match name -> id."""
    if items:
        await conn.executemany(
            "INSERT INTO service_items (service_id, name, match_name, kind) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (match_name) DO NOTHING", items)
    rows = await conn.fetch("SELECT match_name, service_id FROM service_items WHERE match_name = ANY($1)",
                            [i[2] for i in items])
    return {r["match_name"]: r["service_id"] for r in rows}


async def ensure_payment_method(conn: asyncpg.Connection, code: str, name: str, shop_id: str) -> None:
    await conn.execute("INSERT INTO payment_methods (code, name, first_shop) VALUES ($1, $2, $3) "
                       "ON CONFLICT DO NOTHING", code, name, shop_id)


async def ensure_shipping_method(conn: asyncpg.Connection, name: str, code: str | None, shop_id: str) -> None:
    await conn.execute("INSERT INTO shipping_methods (name, code, first_shop) VALUES ($1, $2, $3) "
                       "ON CONFLICT DO NOTHING", name, code, shop_id)


async def ensure_payment_methods(conn: asyncpg.Connection, rows: Sequence[tuple[str, str]], shop_id: str) -> None:
    """(code, name) rows recorded where new."""
    if rows:
        await conn.execute(
            """INSERT INTO payment_methods (code, name, first_shop)
               SELECT c, n, $3 FROM unnest($1::text[], $2::text[]) AS m (c, n) ON CONFLICT DO NOTHING""",
            [r[0] for r in rows], [r[1] for r in rows], shop_id)


async def ensure_shipping_methods(conn: asyncpg.Connection, rows: Sequence[tuple[str, str | None]],
                                  shop_id: str) -> None:
    """(name, code) rows recorded where new."""
    if rows:
        await conn.execute(
            """INSERT INTO shipping_methods (name, code, first_shop)
               SELECT n, c, $3 FROM unnest($1::text[], $2::text[]) AS m (n, c) ON CONFLICT DO NOTHING""",
            [r[0] for r in rows], [r[1] for r in rows], shop_id)


async def list_methods(conn: asyncpg.Connection) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    return (await conn.fetch("SELECT * FROM payment_methods ORDER BY code"),
            await conn.fetch("SELECT * FROM shipping_methods ORDER BY name"))


async def shop_products(conn: asyncpg.Connection, shop_id: str, skus: Sequence[str]) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM shop_products WHERE shop_id = $1 AND sku = ANY($2)", shop_id, list(skus))


async def insert_shop_products(conn: asyncpg.Connection, rows: Sequence[tuple]) -> None:
    """(shop_id, sku, shop_product_id, name, unit, vat_short_name, net_price, is_stock_item) rows, new ones only."""
    await conn.executemany(
        """INSERT INTO shop_products (shop_id, sku, shop_product_id, name, unit, vat_short_name, net_price,
                                      is_stock_item) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT DO NOTHING""", rows)


async def claim_unannounced_products(conn: asyncpg.Connection, shop_id: str) -> list[asyncpg.Record]:
    """Products of the shop not yet announced whose VAT key is known, marked announced."""
    return await conn.fetch(
        """UPDATE shop_products p SET announced = true FROM vat_keys v
           WHERE p.shop_id = $1 AND NOT p.announced AND p.shop_product_id IS NOT NULL
             AND v.short_name = p.vat_short_name RETURNING p.*""", shop_id)


# --- customers -------------------------------------------------------------------------------

async def customer_by_shop_id(conn: asyncpg.Connection, shop_id: str, shop_customer_id: str) -> str | None:
    return await conn.fetchval("SELECT customer_id FROM customers WHERE shop_id = $1 AND shop_customer_id = $2",
                               shop_id, shop_customer_id)


async def known_shop_customers(conn: asyncpg.Connection, shop_id: str, shop_customer_ids: Sequence[str]) -> set[str]:
    """Which of the shop's registered customer ids have a back-office customer."""
    return {r["shop_customer_id"] for r in await conn.fetch(
        "SELECT shop_customer_id FROM customers WHERE shop_id = $1 AND shop_customer_id = ANY($2)",
        shop_id, list(shop_customer_ids))}


async def customers_matching(conn: asyncpg.Connection, shop_id: str, shop_customer_ids: Sequence[str],
                             match_keys: Sequence[str]) -> list[asyncpg.Record]:
    """Customers with one of the shop's customer ids or one of the match keys."""
    return await conn.fetch(
        """SELECT customer_id, shop_id, shop_customer_id, match_key FROM customers
           WHERE (shop_id = $1 AND shop_customer_id = ANY($2)) OR match_key = ANY($3) ORDER BY customer_id""",
        shop_id, list(shop_customer_ids), list(match_keys))


CUSTOMER_FIELDS = ("shop_id", "shop_customer_id", "match_key", "name", "email", "phone", "company", "tax_number",
                   "billing_address", "shipping_address")


async def insert_customers(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> list[asyncpg.Record]:
    """New customers in one statement; those a concurrent insert created first are left out of the answer.

    Addresses are JSON text, kept as the jsonb the pool's codec writes for a string (like ``insert_customer``)."""
    if not rows:
        return []
    columns = [[r[f] for r in rows] for f in CUSTOMER_FIELDS]
    return await conn.fetch(
        """INSERT INTO customers (customer_id, shop_id, shop_customer_id, match_key, name, email, phone, company,
                                  tax_number, billing_address, shipping_address)
           SELECT 'C' || lpad(nextval('customer_numbers')::text, 6, '0'), s, sc, k, n, e, p, c, t, to_jsonb(b), to_jsonb(sh)
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::text[], $9::text[], $10::text[]) WITH ORDINALITY AS v (s, sc, k, n, e, p, c, t, b, sh, i)
           ORDER BY i
           ON CONFLICT DO NOTHING RETURNING customer_id, shop_id, shop_customer_id, match_key""", *columns)


async def customers_by_match_key(conn: asyncpg.Connection, key: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT customer_id, shop_id, shop_customer_id FROM customers WHERE match_key = $1 ORDER BY customer_id", key)


async def insert_customer(conn: asyncpg.Connection, values: dict[str, Any]) -> str | None:
    """A new customer; None when a concurrent insert created the same one first."""
    return await conn.fetchval(
        """INSERT INTO customers (customer_id, shop_id, shop_customer_id, match_key, name, email, phone, company,
                                  tax_number, billing_address, shipping_address)
           VALUES ('C' || lpad(nextval('customer_numbers')::text, 6, '0'), $1, $2, $3, $4, $5, $6, $7, $8,
                   $9::jsonb, $10::jsonb)
           ON CONFLICT DO NOTHING RETURNING customer_id""",
        values["shop_id"], values["shop_customer_id"], values["match_key"], values["name"], values["email"],
        values["phone"], values["company"], values["tax_number"], values["billing_address"],
        values["shipping_address"])


async def list_customers(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM customers ORDER BY customer_id LIMIT $1", limit)


# --- orders ------------------------------------------------------------------------------------

async def stored_orders(conn: asyncpg.Connection, shop_id: str, shop_order_ids: Sequence[str]) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT shop_id, shop_order_id, order_number, warehouse_id, status_id, status_name, is_open
           FROM orders WHERE shop_id = $1 AND shop_order_id = ANY($2)""", shop_id, list(shop_order_ids))


async def lock_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT shop_id, shop_order_id, order_number, warehouse_id, status_id, status_name, is_open
           FROM orders WHERE shop_id = $1 AND shop_order_id = $2 FOR UPDATE""", shop_id, shop_order_id)


async def insert_order(conn: asyncpg.Connection, values: dict[str, Any]) -> bool:
    """File an order document; False when the shop order was already filed (no duplicate)."""
    return await conn.fetchval(
        """INSERT INTO orders (shop_id, shop_order_id, inner_id, order_number, series_id, customer_id, warehouse_id,
                               status_id, status_name, is_open, gross_total, shop_updated_at, document, is_paid)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14)
           ON CONFLICT DO NOTHING RETURNING true""",
        values["shop_id"], values["shop_order_id"], values["inner_id"], values["order_number"], values["series_id"],
        values["customer_id"], values["warehouse_id"], values["status_id"], values["status_name"],
        values["is_open"], values["gross_total"], values["shop_updated_at"], values["document"],
        values.get("is_paid", False)) or False


ORDER_FIELDS = ("shop_order_id", "inner_id", "order_number", "customer_id", "status_id", "status_name", "is_paid",
                "gross_total", "shop_updated_at", "document")


async def insert_orders(conn: asyncpg.Connection, shop_id: str, series_id: str, warehouse_id: str,
                        rows: Sequence[dict[str, Any]]) -> list[str]:
    """File order documents in one statement; the shop order ids filed (already filed ones are left out).

    ``document`` is JSON text, kept as the jsonb the pool's codec writes for a string (like ``insert_order``)."""
    if not rows:
        return []
    columns = [[r[f] for r in rows] for f in ORDER_FIELDS]
    return [r["shop_order_id"] for r in await conn.fetch(
        """INSERT INTO orders (shop_id, shop_order_id, inner_id, order_number, series_id, customer_id, warehouse_id,
                               status_id, status_name, is_open, is_paid, gross_total, shop_updated_at, document)
           SELECT $1, o, i, n, $2, c, $3, si, sn, true, p, g, u, to_jsonb(d)
           FROM unnest($4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[],
                       $11::numeric[], $12::timestamptz[], $13::text[]) AS v (o, i, n, c, si, sn, p, g, u, d)
           ON CONFLICT DO NOTHING RETURNING shop_order_id""",
        shop_id, series_id, warehouse_id, *columns)]


async def mark_invoiced(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, state: str,
                        invoice_number: str, at: datetime) -> bool:
    """Record an order's invoice (``invoiced``) or its storno (``invoice_cancelled``, with the number
    of the invoice cancelled) and close the order; False for an order not filed here."""
    return await conn.fetchval(
        """UPDATE orders SET invoice_state = $3, invoice_number = $4, invoiced_at = $5,
                  is_open = false, changed_at = now()
           WHERE shop_id = $1 AND shop_order_id = $2 RETURNING true""",
        shop_id, shop_order_id, state, invoice_number, at) or False


async def update_order_status(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, status_id: str,
                              status_name: str, is_open: bool) -> None:
    await conn.execute(
        """UPDATE orders SET status_id = $3, status_name = $4, is_open = $5, changed_at = now()
           WHERE shop_id = $1 AND shop_order_id = $2""", shop_id, shop_order_id, status_id, status_name, is_open)


#: Order list filters by name: the SQL condition each adds.
ORDER_STATES = {
    "open": "o.is_open",
    "closed": "NOT o.is_open",
    "invoiced": "o.invoice_state = 'invoiced'",
    "not_invoiced": "o.invoice_state IS DISTINCT FROM 'invoiced'",
}


def _like_pattern(text: str) -> str:
    """``text`` as a literal substring pattern for ILIKE (its own % and _ match themselves)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# The order's code in the shop, from its document (stored as JSON text in a jsonb value).
_SHOP_ORDER_CODE = "((o.document #>> '{}')::jsonb ->> 'shop_order_code')"

_ORDER_LIST_FROM = """
      FROM orders o JOIN customers c USING (customer_id)
     WHERE ($1::text IS NULL OR o.shop_id = $1) AND {condition}
       AND NOT EXISTS (
           SELECT 1 FROM unnest($2::text[]) AS word
            WHERE concat_ws(' ', o.order_number, o.shop_order_id, """ + _SHOP_ORDER_CODE + """, o.status_name,
                            c.name, c.email, o.invoice_number) NOT ILIKE word)"""


async def list_orders(conn: asyncpg.Connection, shop_id: str | None, limit: int, *, search: str | None = None,
                      state: str | None = None, offset: int = 0,
                      newest_first: bool = False) -> tuple[list[asyncpg.Record], int]:
    """One page of orders with their customer, matching the filters, and how many match in all.

    Every word of ``search`` is a case-insensitive substring of the order number, the shop's order
    id or code, the status, the customer's name or e-mail, or the invoice number, in any order.
    """
    direction = "DESC" if newest_first else "ASC"
    where = _ORDER_LIST_FROM.replace("{condition}", ORDER_STATES.get(state or "", "true"))
    words = [_like_pattern(w) for w in (search or "").split()]
    rows = await conn.fetch(
        f"""SELECT o.shop_id, o.shop_order_id, o.inner_id, o.order_number, o.customer_id, o.warehouse_id,
                   o.status_name, o.is_open, o.is_paid, o.gross_total, o.received_at, o.invoice_number,
                   o.invoice_state, {_SHOP_ORDER_CODE} AS shop_order_code,
                   c.name AS customer_name, c.email AS customer_email, count(*) OVER () AS matching
            {where}
             ORDER BY o.received_at {direction}, o.order_number {direction}
             LIMIT $3 OFFSET $4""",
        shop_id, words, limit, offset)
    if rows:
        return rows, rows[0]["matching"]
    total = 0 if offset == 0 else await conn.fetchval(f"SELECT count(*) {where}", shop_id, words)
    return rows, total


async def get_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM orders WHERE shop_id = $1 AND shop_order_id = $2", shop_id, shop_order_id)


# --- review queue ---------------------------------------------------------------------------

async def upsert_review(conn: asyncpg.Connection, values: dict[str, Any]) -> bool:
    """Hold an order in review; True when it is new there or its reason changed (worth announcing)."""
    return await conn.fetchval(
        """WITH before AS (SELECT reason, state FROM review_items WHERE shop_id = $1 AND shop_order_id = $2)
           INSERT INTO review_items AS r (shop_id, shop_order_id, inner_id, shop_order_code, reason, detail,
                                         difference, raw)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
           ON CONFLICT (shop_id, shop_order_id) DO UPDATE SET reason = EXCLUDED.reason, detail = EXCLUDED.detail,
               difference = EXCLUDED.difference, raw = EXCLUDED.raw, attempts = r.attempts + 1,
               last_tried_at = now(), retry_requested = false, state = 'open', resolved_at = NULL
           RETURNING NOT EXISTS (SELECT 1 FROM before WHERE before.reason = $5 AND before.state = 'open')""",
        values["shop_id"], values["shop_order_id"], values["inner_id"], values["shop_order_code"], values["reason"],
        values["detail"], values["difference"], values["raw"])


async def resolve_reviews(conn: asyncpg.Connection, shop_id: str, shop_order_ids: Sequence[str],
                          state: str) -> list[asyncpg.Record]:
    """Close the open review items of these orders; (shop_order_id, resolved_by, resolved_at) of each closed."""
    return await conn.fetch(
        """UPDATE review_items SET state = $3, resolved_at = now(), resolved_by = COALESCE(resolved_by, 'auto'),
                  retry_requested = false
           WHERE shop_id = $1 AND shop_order_id = ANY($2) AND state = 'open'
           RETURNING shop_order_id, resolved_by, resolved_at""", shop_id, list(shop_order_ids), state)


async def resolve_review(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, state: str,
                         resolved_by: str | None, note: str | None) -> asyncpg.Record | None:
    """Close an open review item; its resolver (or None if it was not open)."""
    return await conn.fetchrow(
        """UPDATE review_items SET state = $3, resolved_at = now(),
                  resolved_by = COALESCE($4, resolved_by, 'auto'), note = COALESCE($5, note), retry_requested = false
           WHERE shop_id = $1 AND shop_order_id = $2 AND state = 'open' RETURNING resolved_by, resolved_at""",
        shop_id, shop_order_id, state, resolved_by, note)


async def reviews_to_retry(conn: asyncpg.Connection, shop_id: str, older_than_s: float) -> list[str]:
    return [r["shop_order_id"] for r in await conn.fetch(
        """SELECT shop_order_id FROM review_items WHERE shop_id = $1 AND state = 'open'
           AND (retry_requested OR last_tried_at < now() - make_interval(secs => $2)) ORDER BY inner_id""",
        shop_id, older_than_s)]


async def request_review_retry(conn: asyncpg.Connection, *, shop_id: str | None = None,
                               shop_order_id: str | None = None, reason: str | None = None,
                               by: str | None = None) -> list[str]:
    """Ask the next poll to import open review items again; the shops concerned."""
    rows = await conn.fetch(
        """UPDATE review_items SET retry_requested = true, resolved_by = COALESCE($4, resolved_by)
           WHERE state = 'open' AND ($1::text IS NULL OR shop_id = $1) AND ($2::text IS NULL OR shop_order_id = $2)
             AND ($3::text IS NULL OR reason = $3) RETURNING shop_id""", shop_id, shop_order_id, reason, by)
    return sorted({r["shop_id"] for r in rows})


async def list_reviews(conn: asyncpg.Connection, state: str | None, shop_id: str | None) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT shop_id, shop_order_id, inner_id, shop_order_code, reason, detail, difference, state, attempts,
                  first_seen_at, last_tried_at, resolved_at, resolved_by, note, raw FROM review_items
           WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR shop_id = $2)
           ORDER BY first_seen_at""", state, shop_id)


# --- skipped orders -------------------------------------------------------------------------

async def record_skipped(conn: asyncpg.Connection, shop_id: str, rows: Sequence[tuple[str, int | None, str, str]]) -> None:
    """Remember orders a poll did not import on purpose: (shop order id, inner id, reason, detail)."""
    await conn.executemany(
        """INSERT INTO skipped_orders (shop_id, shop_order_id, inner_id, reason, detail) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (shop_id, shop_order_id) DO UPDATE SET reason = EXCLUDED.reason, detail = EXCLUDED.detail,
               inner_id = EXCLUDED.inner_id, last_seen_at = now()""",
        [(shop_id, *row) for row in rows])


async def forget_skipped(conn: asyncpg.Connection, shop_id: str, shop_order_ids: Sequence[str]) -> None:
    """Filed orders are no longer skipped."""
    await conn.execute("DELETE FROM skipped_orders WHERE shop_id = $1 AND shop_order_id = ANY($2)",
                       shop_id, list(shop_order_ids))


async def list_skipped(conn: asyncpg.Connection, shop_id: str | None, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT shop_id, shop_order_id, inner_id, reason, detail, first_seen_at, last_seen_at FROM skipped_orders
           WHERE $1::text IS NULL OR shop_id = $1 ORDER BY last_seen_at DESC LIMIT $2""", shop_id, limit)


async def last_successful_syncs(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    """Each enabled shop's last successful poll (None before the first)."""
    return await conn.fetch(
        "SELECT s.shop_id, c.last_success_at FROM shops s LEFT JOIN sync_cursors c USING (shop_id) WHERE s.enabled")


# --- order statuses polc wrote itself (webshop_push's record, read-only) -------------------------

async def written_by_polc(conn: asyncpg.Connection, push_schema: str, shop_id: str, shop_order_id: str,
                          status_id: str) -> bool:
    """Whether webshop_push wrote (or is writing) this status to the shop order.

    The pending row exists before the write leaves and the written row after it is confirmed,
    so a poll that sees the status sees one of them. False while webshop_push has no tables.
    """
    if await conn.fetchval("SELECT to_regclass($1)", f"{push_schema}.order_status_written") is None:
        return False
    return bool(await conn.fetchval(
        f"""SELECT EXISTS (SELECT 1 FROM {push_schema}.order_status_written
                            WHERE shop_id = $1 AND shop_order_id = $2 AND shop_status_id = $3)
                OR EXISTS (SELECT 1 FROM {push_schema}.order_status_pending
                            WHERE shop_id = $1 AND shop_order_id = $2 AND shop_status_id = $3)""",
        shop_id, shop_order_id, status_id))
