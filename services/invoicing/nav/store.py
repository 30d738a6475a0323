"""The SQL of NAV reporting (tables of migration 0002): one function per statement, connection first.

Kept next to the reporter rather than in the service's ``store.py`` because only the ``nav``
package touches these tables; the invoice tables are only read here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

# Sending ---------------------------------------------------------------------------------------


async def pending_count(conn: asyncpg.Connection) -> tuple[int, datetime | None]:
    """How many reports can be sent now, and when the oldest of them was queued."""
    row = await conn.fetchrow(
        """SELECT count(*) AS n, min(r.created_at) AS oldest FROM nav_reports r
           WHERE r.status = 'pending' AND r.next_attempt_at <= now()""")
    return row["n"], row["oldest"]


async def claim_pending(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Reports due to be sent, oldest first, locked; a storno waits until its original is done."""
    return await conn.fetch(
        """SELECT r.invoice_number, r.operation, r.attempts, i.document
           FROM nav_reports r JOIN invoices i USING (invoice_number)
           WHERE r.status = 'pending' AND r.next_attempt_at <= now()
             AND (r.original_invoice_number IS NULL OR EXISTS (
                  SELECT 1 FROM nav_reports o WHERE o.invoice_number = r.original_invoice_number AND o.status = 'done'))
           ORDER BY r.created_at, i.series, i.year, i.sequence
           LIMIT $1 FOR UPDATE OF r SKIP LOCKED""", limit)


async def insert_submission(conn: asyncpg.Connection, submission_id: UUID, request_id: str, item_count: int,
                            compressed: bool) -> None:
    await conn.execute(
        """INSERT INTO nav_submissions (submission_id, request_id, item_count, compressed)
           VALUES ($1, $2, $3, $4)""", submission_id, request_id, item_count, compressed)


async def mark_sending(conn: asyncpg.Connection, submission_id: UUID, numbers: Sequence[str],
                       indexes: Sequence[int], xmls: Sequence[str]) -> None:
    await conn.execute(
        """UPDATE nav_reports r SET status = 'sending', submission_id = $1, op_index = t.idx, invoice_data = t.xml,
                  attempts = r.attempts + 1, transaction_id = NULL, last_error = NULL, updated_at = now()
           FROM unnest($2::text[], $3::int[], $4::text[]) AS t(number, idx, xml)
           WHERE r.invoice_number = t.number""", submission_id, list(numbers), list(indexes), list(xmls))


async def submission_sent(conn: asyncpg.Connection, submission_id: UUID, transaction_id: str) -> None:
    await conn.execute(
        """UPDATE nav_submissions SET status = 'sent', transaction_id = $2, sent_at = now(), next_poll_at = now(),
                  error = NULL WHERE submission_id = $1""", submission_id, transaction_id)
    await conn.execute(
        """UPDATE nav_reports SET status = 'sent', transaction_id = $2, updated_at = now()
           WHERE submission_id = $1 AND status = 'sending'""", submission_id, transaction_id)


async def submission_unconfirmed(conn: asyncpg.Connection, submission_id: UUID, error: str) -> None:
    await conn.execute(
        """UPDATE nav_submissions SET status = 'unconfirmed', sent_at = now(), error = $2
           WHERE submission_id = $1""", submission_id, error)


async def submission_not_sent(conn: asyncpg.Connection, submission_id: UUID, status: str, error: str,
                              retry_in_s: float) -> None:
    """The call was not processed by NAV: its reports are sent again later."""
    await conn.execute("UPDATE nav_submissions SET status = $2, error = $3 WHERE submission_id = $1",
                       submission_id, status, error)
    await conn.execute(
        """UPDATE nav_reports SET status = 'pending', last_error = $2, updated_at = now(),
                  next_attempt_at = now() + make_interval(secs => $3)
           WHERE submission_id = $1 AND status = 'sending'""", submission_id, error, retry_in_s)


async def reject_unsent(conn: asyncpg.Connection, number: str, errors: list[dict], xml: str | None) -> None:
    """A report refused before sending (its XML fails the schema)."""
    await conn.execute(
        """UPDATE nav_reports SET status = 'rejected', errors = $2::jsonb, invoice_data = $3, attempts = attempts + 1,
                  submission_id = NULL, transaction_id = NULL, op_index = NULL, updated_at = now(),
                  history = history || jsonb_build_array(jsonb_build_object(
                      'attempt', attempts + 1, 'status', 'rejected', 'transaction_id', NULL, 'at', now(),
                      'messages', $2::jsonb))
           WHERE invoice_number = $1""", number, json.dumps(errors), xml)


# Polling ---------------------------------------------------------------------------------------


async def claim_submission_to_poll(conn: asyncpg.Connection) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT submission_id, transaction_id, polls FROM nav_submissions
           WHERE status = 'sent' AND next_poll_at <= now()
           ORDER BY next_poll_at LIMIT 1 FOR UPDATE SKIP LOCKED""")


async def reports_of_submission(conn: asyncpg.Connection, submission_id: UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT invoice_number, operation, op_index, status, attempts, transaction_id FROM nav_reports
           WHERE submission_id = $1 ORDER BY op_index FOR UPDATE""", submission_id)


async def finish_report(conn: asyncpg.Connection, number: str, *, status: str, warnings: list[dict],
                        errors: list[dict]) -> None:
    await conn.execute(
        """UPDATE nav_reports SET status = $2, warnings = $3::jsonb, errors = $4::jsonb, updated_at = now(),
                  done_at = CASE WHEN $2 = 'done' THEN now() END,
                  history = history || jsonb_build_array(jsonb_build_object(
                      'attempt', attempts, 'status', $2, 'transaction_id', transaction_id, 'index', op_index,
                      'at', now(), 'messages', $3::jsonb || $4::jsonb))
           WHERE invoice_number = $1""", number, status, json.dumps(warnings), json.dumps(errors))


async def poll_again(conn: asyncpg.Connection, submission_id: UUID, in_s: float, error: str | None = None) -> None:
    await conn.execute(
        """UPDATE nav_submissions SET polls = polls + 1, next_poll_at = now() + make_interval(secs => $2),
                  error = $3 WHERE submission_id = $1""", submission_id, in_s, error)


async def close_submission(conn: asyncpg.Connection, submission_id: UUID) -> None:
    await conn.execute("UPDATE nav_submissions SET status = 'closed', polls = polls + 1 WHERE submission_id = $1",
                       submission_id)


# Recovery --------------------------------------------------------------------------------------


async def claim_submission_to_recover(conn: asyncpg.Connection, unconfirmed_after_s: float,
                                      sending_after_s: float) -> asyncpg.Record | None:
    """A call whose answer never came, old enough for NAV to list it if it was received."""
    return await conn.fetchrow(
        """SELECT submission_id, request_id, created_at FROM nav_submissions
           WHERE (status = 'unconfirmed' AND created_at <= now() - make_interval(secs => $1))
              OR (status = 'sending' AND created_at <= now() - make_interval(secs => $2))
           ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED""", unconfirmed_after_s, sending_after_s)


async def known_transactions(conn: asyncpg.Connection, transaction_ids: Sequence[str]) -> set[str]:
    return {r["transaction_id"] for r in await conn.fetch(
        "SELECT transaction_id FROM nav_submissions WHERE transaction_id = ANY($1::text[])", list(transaction_ids))}


async def adopt_transaction(conn: asyncpg.Connection, submission_id: UUID, transaction_id: str,
                            numbers: Sequence[str], indexes: Sequence[int]) -> None:
    """The lost call was found at NAV: its reports continue as sent under that transaction."""
    await conn.execute(
        """UPDATE nav_submissions SET status = 'sent', transaction_id = $2, next_poll_at = now(),
                  error = 'answer lost; transaction found with queryTransactionList' WHERE submission_id = $1""",
        submission_id, transaction_id)
    await conn.execute(
        """UPDATE nav_reports r SET status = 'sent', transaction_id = $2, op_index = t.idx, updated_at = now()
           FROM unnest($3::text[], $4::int[]) AS t(number, idx)
           WHERE r.invoice_number = t.number AND r.submission_id = $1 AND r.status = 'sending'""",
        submission_id, transaction_id, list(numbers), list(indexes))


# Status and re-sending -------------------------------------------------------------------------


async def get_report(conn: asyncpg.Connection, number: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT r.invoice_number, r.operation, r.original_invoice_number, r.status, r.attempts, r.transaction_id,
                  r.op_index AS index, r.warnings, r.errors, r.history, r.last_error, r.created_at, r.updated_at,
                  r.done_at, s.request_id, s.status AS submission_status
           FROM nav_reports r LEFT JOIN nav_submissions s USING (submission_id)
           WHERE r.invoice_number = $1""", number)


async def get_invoice_data(conn: asyncpg.Connection, number: str) -> str | None:
    return await conn.fetchval("SELECT invoice_data FROM nav_reports WHERE invoice_number = $1", number)


async def list_reports(conn: asyncpg.Connection, status: str | None, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT invoice_number, operation, status, attempts, transaction_id, op_index AS index, errors, warnings,
                  last_error, updated_at
           FROM nav_reports WHERE ($1::text IS NULL OR status = $1)
           ORDER BY created_at, invoice_number LIMIT $2""", status, limit)


async def status_counts(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, count(*) AS n FROM nav_reports GROUP BY status")
    return {r["status"]: r["n"] for r in rows}


async def resend(conn: asyncpg.Connection, number: str) -> str | None:
    """Queue a rejected report again (same invoice, same number); the status it had, None if unknown."""
    row = await conn.fetchrow("SELECT status FROM nav_reports WHERE invoice_number = $1 FOR UPDATE", number)
    if row is None:
        return None
    if row["status"] == "rejected":
        await conn.execute(
            """UPDATE nav_reports SET status = 'pending', next_attempt_at = now(), updated_at = now()
               WHERE invoice_number = $1""", number)
    return row["status"]
