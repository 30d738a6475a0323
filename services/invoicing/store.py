"""All of the invoicing service's SQL: one function per statement, connection first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from contracts.common import OrderRef

# Orders ----------------------------------------------------------------------------------------


async def insert_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, order_number: str,
                       document: dict) -> bool:
    """Keep the order document; an order already known is left as it is."""
    row = await conn.fetchval(
        """INSERT INTO orders (shop_id, shop_order_id, order_number, document) VALUES ($1, $2, $3, $4)
           ON CONFLICT (shop_id, shop_order_id) DO NOTHING RETURNING true""",
        shop_id, shop_order_id, order_number, document)
    return bool(row)


async def cancel_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str, at: datetime) -> bool:
    return await conn.fetchval(
        """UPDATE orders SET status = 'cancelled', cancelled_at = $3
           WHERE shop_id = $1 AND shop_order_id = $2 AND status = 'open' RETURNING true""",
        shop_id, shop_order_id, at) or False


async def get_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT o.shop_id, o.shop_order_id, o.order_number, o.document, o.status, o.received_at,
                  i.invoice_number
           FROM orders o LEFT JOIN invoices i
             ON i.shop_id = o.shop_id AND i.shop_order_id = o.shop_order_id AND i.kind = 'invoice'
           WHERE o.shop_id = $1 AND o.shop_order_id = $2""", shop_id, shop_order_id)


# Baskets ---------------------------------------------------------------------------------------


async def add_to_basket(conn: asyncpg.Connection, basket_id: str, refs: Sequence[OrderRef], by: str) -> int:
    result = await conn.execute(
        """INSERT INTO basket_items (basket_id, shop_id, shop_order_id, added_by)
           SELECT $1, s, o, $4 FROM unnest($2::text[], $3::text[]) AS t(s, o)
           ON CONFLICT DO NOTHING""",
        basket_id, [r.shop_id for r in refs], [r.shop_order_id for r in refs], by)
    return int(result.split()[-1])


async def remove_from_basket(conn: asyncpg.Connection, basket_id: str, refs: Sequence[OrderRef]) -> int:
    result = await conn.execute(
        """DELETE FROM basket_items b USING unnest($2::text[], $3::text[]) AS t(s, o)
           WHERE b.basket_id = $1 AND b.shop_id = t.s AND b.shop_order_id = t.o""",
        basket_id, [r.shop_id for r in refs], [r.shop_order_id for r in refs])
    return int(result.split()[-1])


async def remove_invoiced_from_baskets(conn: asyncpg.Connection, shop_ids: Sequence[str],
                                       shop_order_ids: Sequence[str]) -> None:
    await conn.execute(
        """DELETE FROM basket_items b USING unnest($1::text[], $2::text[]) AS t(s, o)
           WHERE b.shop_id = t.s AND b.shop_order_id = t.o""", list(shop_ids), list(shop_order_ids))


async def list_basket(conn: asyncpg.Connection, basket_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT b.shop_id, b.shop_order_id, b.added_at, b.added_by, o.order_number, o.status,
                  (o.document->>'gross_total') AS gross_total, i.invoice_number
           FROM basket_items b
           LEFT JOIN orders o ON o.shop_id = b.shop_id AND o.shop_order_id = b.shop_order_id
           LEFT JOIN invoices i ON i.shop_id = b.shop_id AND i.shop_order_id = b.shop_order_id AND i.kind = 'invoice'
           WHERE b.basket_id = $1 ORDER BY b.added_at, b.shop_id, b.shop_order_id""", basket_id)


# Numbering and invoices ------------------------------------------------------------------------


async def next_sequence(conn: asyncpg.Connection, series: str, year: int) -> int:
    """Take the next number of (series, year); the row stays locked until the transaction ends."""
    return await conn.fetchval(
        """INSERT INTO series_counters (series, year, last_sequence) VALUES ($1, $2, 1)
           ON CONFLICT (series, year) DO UPDATE SET last_sequence = series_counters.last_sequence + 1
           RETURNING last_sequence""", series, year)


async def insert_invoice(conn: asyncpg.Connection, *, number: str, series: str, year: int, sequence: int,
                         kind: str, shop_id: str, shop_order_id: str, original: str | None,
                         batch_id: str | None, document: dict, issued_at: datetime) -> None:
    await conn.execute(
        """INSERT INTO invoices (invoice_number, series, year, sequence, kind, shop_id, shop_order_id,
                                 original_invoice_number, batch_id, document, issued_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)""",
        number, series, year, sequence, kind, shop_id, shop_order_id, original, batch_id, document, issued_at)


async def invoice_of_order(conn: asyncpg.Connection, shop_id: str, shop_order_id: str) -> str | None:
    return await conn.fetchval(
        "SELECT invoice_number FROM invoices WHERE shop_id = $1 AND shop_order_id = $2 AND kind = 'invoice'",
        shop_id, shop_order_id)


async def get_invoice(conn: asyncpg.Connection, number: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT i.invoice_number, i.kind, i.series, i.year, i.sequence, i.shop_id, i.shop_order_id,
                  i.original_invoice_number, i.batch_id, i.document, i.issued_at, p.sha256 AS pdf_sha256,
                  s.invoice_number AS cancelled_by,
                  e.status AS email_status, e.to_address, e.attempts AS email_attempts, e.error AS email_error,
                  e.detail AS email_detail, e.sent_at AS email_sent_at, e.batch_id AS email_batch_id
           FROM invoices i
           LEFT JOIN invoice_pdfs p ON p.invoice_number = i.invoice_number
           LEFT JOIN invoices s ON s.original_invoice_number = i.invoice_number AND s.kind = 'storno'
           LEFT JOIN invoice_emails e ON e.invoice_number = i.invoice_number
           WHERE i.invoice_number = $1""", number)


async def lock_invoice(conn: asyncpg.Connection, number: str) -> asyncpg.Record | None:
    """The invoice, locked against a concurrent storno of it."""
    return await conn.fetchrow(
        "SELECT invoice_number, kind, series, document FROM invoices WHERE invoice_number = $1 FOR SHARE", number)


async def storno_of(conn: asyncpg.Connection, number: str) -> str | None:
    return await conn.fetchval(
        "SELECT invoice_number FROM invoices WHERE original_invoice_number = $1 AND kind = 'storno'", number)


async def list_invoices(conn: asyncpg.Connection, *, shop_id: str | None, shop_order_id: str | None,
                        batch_id: str | None, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT i.invoice_number, i.kind, i.shop_id, i.shop_order_id, i.batch_id, i.issued_at,
                  (i.document->'totals'->>'gross') AS gross, p.sha256 AS pdf_sha256, e.status AS email_status
           FROM invoices i
           LEFT JOIN invoice_pdfs p ON p.invoice_number = i.invoice_number
           LEFT JOIN invoice_emails e ON e.invoice_number = i.invoice_number
           WHERE ($1::text IS NULL OR i.shop_id = $1) AND ($2::text IS NULL OR i.shop_order_id = $2)
             AND ($3::text IS NULL OR i.batch_id = $3)
           ORDER BY i.series, i.year, i.sequence LIMIT $4""", shop_id, shop_order_id, batch_id, limit)


async def numbers_of_series(conn: asyncpg.Connection, series: str, year: int) -> list[int]:
    return [r["sequence"] for r in await conn.fetch(
        "SELECT sequence FROM invoices WHERE series = $1 AND year = $2 ORDER BY sequence", series, year)]


# PDFs ------------------------------------------------------------------------------------------


async def queue_render(conn: asyncpg.Connection, number: str, email: bool) -> None:
    await conn.execute("INSERT INTO render_queue (invoice_number, email) VALUES ($1, $2)", number, email)


async def claim_render(conn: asyncpg.Connection) -> asyncpg.Record | None:
    """The oldest invoice waiting for its PDF, locked for this transaction."""
    rows = await claim_renders(conn, 1)
    return rows[0] if rows else None


async def claim_renders(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Up to ``limit`` of the oldest invoices waiting for their PDFs, locked for this transaction."""
    return await conn.fetch(
        """SELECT q.invoice_number, q.email, i.kind, i.batch_id, i.document
           FROM render_queue q JOIN invoices i USING (invoice_number)
           ORDER BY q.queued_at, q.invoice_number LIMIT $1 FOR UPDATE OF q SKIP LOCKED""", limit)


async def insert_pdfs(conn: asyncpg.Connection, pdfs: Sequence[tuple[str, bytes, str]]) -> None:
    """Store rendered PDFs, ``(invoice number, bytes, SHA-256)`` each, in one statement."""
    numbers, data, digests = zip(*pdfs, strict=True) if pdfs else ((), (), ())
    await conn.execute(
        """INSERT INTO invoice_pdfs (invoice_number, pdf, sha256)
           SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[])""", list(numbers), list(data), list(digests))


async def unqueue_renders(conn: asyncpg.Connection, numbers: Sequence[str]) -> None:
    await conn.execute("DELETE FROM render_queue WHERE invoice_number = ANY($1::text[])", list(numbers))


async def get_pdf(conn: asyncpg.Connection, number: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT pdf, sha256 FROM invoice_pdfs WHERE invoice_number = $1", number)


async def render_backlog(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM render_queue")


# Batches ---------------------------------------------------------------------------------------


async def create_batch(conn: asyncpg.Connection, *, batch_id: str, kind: str, basket_id: str, email_after: bool,
                       resend: bool, requested_by: str) -> bool:
    """Record a batch; False when the batch id is already known (a repeated command)."""
    return bool(await conn.fetchval(
        """INSERT INTO batches (batch_id, kind, basket_id, email_after, resend, requested_by)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (batch_id) DO NOTHING RETURNING true""",
        batch_id, kind, basket_id, email_after, resend, requested_by))


async def snapshot_basket(conn: asyncpg.Connection, batch_id: str, basket_id: str) -> int:
    """Copy the basket's orders into the batch as pending items, in basket order."""
    result = await conn.execute(
        """INSERT INTO batch_items (batch_id, position, shop_id, shop_order_id)
           SELECT $1, row_number() OVER (ORDER BY added_at, shop_id, shop_order_id), shop_id, shop_order_id
           FROM basket_items WHERE basket_id = $2""", batch_id, basket_id)
    return int(result.split()[-1])


async def claim_batch_items(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Pending items of running invoice batches, oldest batch first, locked for this transaction."""
    return await conn.fetch(
        """SELECT i.batch_id, i.position, i.shop_id, i.shop_order_id, b.email_after
           FROM batch_items i JOIN batches b USING (batch_id)
           WHERE i.status = 'pending'
           ORDER BY b.created_at, i.batch_id, i.position LIMIT $1 FOR UPDATE OF i SKIP LOCKED""", limit)


async def finish_batch_item(conn: asyncpg.Connection, batch_id: str, position: int, *, status: str,
                            invoice_number: str | None = None, reason: str | None = None,
                            detail: str | None = None) -> None:
    await conn.execute(
        """UPDATE batch_items SET status = $3, invoice_number = $4, reason = $5, detail = $6
           WHERE batch_id = $1 AND position = $2""", batch_id, position, status, invoice_number, reason, detail)


async def lock_running_batch(conn: asyncpg.Connection, batch_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT batch_id, kind, basket_id, email_after, resend, skipped, created_at FROM batches "
        "WHERE batch_id = $1 AND status = 'running' FOR UPDATE", batch_id)


async def count_pending_items(conn: asyncpg.Connection, batch_id: str) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM batch_items WHERE batch_id = $1 AND status = 'pending'", batch_id)


async def batch_items(conn: asyncpg.Connection, batch_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT position, shop_id, shop_order_id, status, invoice_number, reason, detail
           FROM batch_items WHERE batch_id = $1 ORDER BY position""", batch_id)


async def set_skipped(conn: asyncpg.Connection, batch_id: str, skipped: Sequence[str]) -> None:
    await conn.execute("UPDATE batches SET skipped = $2 WHERE batch_id = $1", batch_id, sorted(skipped))


async def finish_batch(conn: asyncpg.Connection, batch_id: str, at: datetime) -> None:
    await conn.execute("UPDATE batches SET status = 'done', finished_at = $2 WHERE batch_id = $1", batch_id, at)


async def get_batch(conn: asyncpg.Connection, batch_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT batch_id, kind, basket_id, email_after, resend, status, requested_by, skipped,
                  created_at, finished_at FROM batches WHERE batch_id = $1""", batch_id)


async def batch_item_counts(conn: asyncpg.Connection, batch_id: str) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, count(*) AS n FROM batch_items WHERE batch_id = $1 GROUP BY status",
                            batch_id)
    return {r["status"]: r["n"] for r in rows}


async def running_batches(conn: asyncpg.Connection, kind: str) -> list[str]:
    return [r["batch_id"] for r in await conn.fetch(
        "SELECT batch_id FROM batches WHERE kind = $1 AND status = 'running' ORDER BY created_at", kind)]


async def batches_mailing(conn: asyncpg.Connection) -> list[str]:
    """E-mail batches, and invoice batches that e-mail their invoices, whose mailing is not finished."""
    return [r["batch_id"] for r in await conn.fetch(
        """SELECT batch_id FROM batches WHERE NOT emails_done AND (kind = 'email' OR email_after)
           ORDER BY created_at""")]


async def lock_mailing_batch(conn: asyncpg.Connection, batch_id: str) -> asyncpg.Record | None:
    """The batch, locked, if its mailing can be finished: invoices issued and PDFs rendered."""
    return await conn.fetchrow(
        """SELECT b.batch_id, b.kind, b.skipped FROM batches b
           WHERE b.batch_id = $1 AND NOT b.emails_done AND (b.kind = 'email' OR (b.email_after AND b.status = 'done'))
             AND NOT EXISTS (SELECT 1 FROM render_queue q JOIN invoices i USING (invoice_number)
                             WHERE i.batch_id = b.batch_id)
           FOR UPDATE OF b""", batch_id)


async def finish_mailing(conn: asyncpg.Connection, batch_id: str, at: datetime) -> None:
    await conn.execute(
        """UPDATE batches SET emails_done = true,
                  status = CASE WHEN kind = 'email' THEN 'done' ELSE status END,
                  finished_at = CASE WHEN kind = 'email' THEN $2 ELSE finished_at END
           WHERE batch_id = $1""", batch_id, at)


async def email_counts(conn: asyncpg.Connection, batch_id: str) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, count(*) AS n FROM invoice_emails WHERE batch_id = $1 GROUP BY status",
                            batch_id)
    return {r["status"]: r["n"] for r in rows}


# E-mails ---------------------------------------------------------------------------------------


async def invoices_of_batch(conn: asyncpg.Connection, batch_id: str) -> list[str]:
    return [r["invoice_number"] for r in await conn.fetch(
        "SELECT invoice_number FROM invoices WHERE batch_id = $1 ORDER BY series, year, sequence", batch_id)]


async def existing_invoices(conn: asyncpg.Connection, numbers: Sequence[str]) -> list[str]:
    return [r["invoice_number"] for r in await conn.fetch(
        "SELECT invoice_number FROM invoices WHERE invoice_number = ANY($1::text[])", list(numbers))]


async def already_sent(conn: asyncpg.Connection, numbers: Sequence[str]) -> list[str]:
    return [r["invoice_number"] for r in await conn.fetch(
        "SELECT invoice_number FROM invoice_emails WHERE status = 'sent' AND invoice_number = ANY($1::text[])",
        list(numbers))]


async def queue_emails(conn: asyncpg.Connection, numbers: Sequence[str], batch_id: str | None) -> None:
    """Queue the invoices' e-mails under ``batch_id`` (also ones sent or failed before)."""
    await conn.execute(
        """INSERT INTO invoice_emails (invoice_number, to_address, status, batch_id)
           SELECT i.invoice_number, i.document->'buyer'->>'email', 'queued', $2
           FROM invoices i WHERE i.invoice_number = ANY($1::text[])
           ON CONFLICT (invoice_number) DO UPDATE
             SET status = 'queued', batch_id = EXCLUDED.batch_id, batch_attempts = 0, next_attempt_at = now(),
                 updated_at = now()""", list(numbers), batch_id)


async def next_email_batch(conn: asyncpg.Connection) -> asyncpg.Record | None:
    """The batch of the oldest e-mail due now whose PDF exists."""
    return await conn.fetchrow(
        """SELECT e.batch_id FROM invoice_emails e JOIN invoice_pdfs p USING (invoice_number)
           WHERE e.status = 'queued' AND e.next_attempt_at <= now()
           ORDER BY e.next_attempt_at, e.invoice_number LIMIT 1""")


async def claim_email(conn: asyncpg.Connection, batch_id: str | None) -> asyncpg.Record | None:
    """The next due e-mail of ``batch_id`` with its PDF, locked for this transaction."""
    return await conn.fetchrow(
        """SELECT e.invoice_number, e.to_address, e.attempts, e.batch_attempts, e.batch_id, i.document,
                  p.pdf, p.sha256
           FROM invoice_emails e JOIN invoice_pdfs p USING (invoice_number) JOIN invoices i USING (invoice_number)
           WHERE e.status = 'queued' AND e.next_attempt_at <= now() AND e.batch_id IS NOT DISTINCT FROM $1
           ORDER BY e.invoice_number LIMIT 1 FOR UPDATE OF e SKIP LOCKED""", batch_id)


async def mark_email_sent(conn: asyncpg.Connection, number: str, message_id: str, at: datetime) -> None:
    await conn.execute(
        """UPDATE invoice_emails SET status = 'sent', attempts = attempts + 1, batch_attempts = batch_attempts + 1,
                  smtp_message_id = $2, sent_at = $3, error = NULL, detail = NULL, updated_at = now()
           WHERE invoice_number = $1""", number, message_id, at)


async def mark_email_failed(conn: asyncpg.Connection, number: str, *, give_up: bool, retry_in_s: float,
                            error: str, detail: str) -> None:
    await conn.execute(
        """UPDATE invoice_emails SET status = CASE WHEN $2 THEN 'failed' ELSE 'queued' END,
                  attempts = attempts + 1, batch_attempts = batch_attempts + 1,
                  next_attempt_at = now() + make_interval(secs => $3), error = $4, detail = $5, updated_at = now()
           WHERE invoice_number = $1""", number, give_up, retry_in_s, error, detail)


async def email_batch_rows(conn: asyncpg.Connection, batch_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT invoice_number, status, to_address, attempts, error, detail, sent_at
           FROM invoice_emails WHERE batch_id = $1 ORDER BY invoice_number""", batch_id)
