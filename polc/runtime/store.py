"""All SQL of the runtime: outbox, inbox, dead letters and the broker epoch.

Every function takes a connection first; the caller owns the transaction. Tables are found
through the connection's search path, which points at the service's own schema.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

import asyncpg


_WRITE_OUTBOX = """
WITH locked AS MATERIALIZED (
    SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) AS n, pg_notify($8, '') IS NULL AS notified
    FROM unnest($7::text[]) AS k
)
INSERT INTO outbox (message_id, topic, record_key, message_type, headers, body)
SELECT r.message_id, r.topic, r.record_key, r.message_type, r.headers::jsonb, r.body
FROM locked, unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[])
    WITH ORDINALITY AS r(message_id, topic, record_key, message_type, headers, body, ord)
ORDER BY r.ord
"""


async def write_outbox(conn: asyncpg.Connection, rows: Sequence[tuple], channel: str) -> None:
    """Write (message_id, topic, record_key, message_type, headers as JSON text, body) rows to the
    outbox and wake the relay at commit, in one statement. Transactions that enqueue to the same topic and
    key are serialised by advisory locks, taken in sorted order before any row gets its id, so
    outbox ids follow commit order per key; the rows get ids in the order given."""
    await conn.execute(
        _WRITE_OUTBOX,
        [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows],
        [r[4] for r in rows], [r[5] for r in rows],
        sorted({f"{r[1]}\x1f{r[2]}" for r in rows}), channel,
    )


async def fetch_unpublished(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """The oldest unpublished rows, in id order."""
    return await conn.fetch(
        "SELECT id, topic, record_key, headers, body FROM outbox"
        " WHERE published_at IS NULL ORDER BY id LIMIT $1",
        limit,
    )


async def fetch_retained_after(conn: asyncpg.Connection, after_id: int, limit: int) -> list[asyncpg.Record]:
    """Published or not, every kept row after ``after_id``, in id order (for republishing)."""
    return await conn.fetch(
        "SELECT id, topic, record_key, headers, body FROM outbox WHERE id > $1 ORDER BY id LIMIT $2",
        after_id,
        limit,
    )


async def mark_published(conn: asyncpg.Connection, ids: Sequence[int]) -> None:
    await conn.execute("UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", list(ids))


async def outbox_backlog(conn: asyncpg.Connection) -> tuple[int, float]:
    """(unpublished rows, age in seconds of the oldest one)."""
    row = await conn.fetchrow(
        "SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age"
        " FROM outbox WHERE published_at IS NULL"
    )
    return int(row["n"]), float(row["age"])


async def purge_outbox(conn: asyncpg.Connection, retention: timedelta) -> int:
    status = await conn.execute(
        "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - $1::interval", retention
    )
    return int(status.split()[-1])


async def purge_inbox(conn: asyncpg.Connection, retention: timedelta) -> int:
    status = await conn.execute("DELETE FROM inbox WHERE handled_at < now() - $1::interval", retention)
    return int(status.split()[-1])


async def claim_inbox_many(conn: asyncpg.Connection, claims: Sequence[tuple[UUID, str, str]]) -> set[UUID]:
    """Record (message_id, message_type, topic) claims at once; the ids not handled before."""
    rows = await conn.fetch(
        "INSERT INTO inbox (message_id, message_type, topic)"
        " SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])"
        " ON CONFLICT (message_id) DO NOTHING RETURNING message_id",
        [c[0] for c in claims], [c[1] for c in claims], [c[2] for c in claims],
    )
    return {r["message_id"] for r in rows}


async def insert_dead_letter(conn: asyncpg.Connection, letter: dict) -> None:
    await conn.execute(
        "INSERT INTO dead_letters (topic, kafka_partition, kafka_offset, consumer_group, record_key,"
        " message_id, message_type, error_type, reason, headers, body)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, $11)"
        " ON CONFLICT (topic, kafka_partition, kafka_offset, consumer_group) DO NOTHING",
        letter["topic"], letter["partition"], letter["offset"], letter["group"], letter["key"],
        letter["message_id"], letter["message_type"], letter["error_type"], letter["reason"],
        json.dumps(letter["headers"]), letter["body"],
    )


async def list_dead_letters(conn: asyncpg.Connection, limit: int = 100) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT id, topic, kafka_partition, kafka_offset, consumer_group, record_key, message_id,"
        " message_type, error_type, reason, failed_at FROM dead_letters ORDER BY id DESC LIMIT $1",
        limit,
    )


async def get_epoch_token(conn: asyncpg.Connection) -> UUID | None:
    return await conn.fetchval("SELECT token FROM broker_epoch")


async def set_epoch_token(conn: asyncpg.Connection, token: UUID) -> None:
    await conn.execute(
        "INSERT INTO broker_epoch (token) VALUES ($1)"
        " ON CONFLICT (singleton) DO UPDATE SET token = excluded.token, written_at = now()",
        token,
    )
