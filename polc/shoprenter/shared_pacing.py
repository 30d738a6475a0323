"""Pacing one shop's requests across every process that talks to it.

ShopRenter allows 3 requests per second per shop for an application, and polc talks to a shop
from several processes (order ingest polls, webshop push writes, replicas of both). Each
process paces itself, and on top of that every request takes a start slot from a row per shop
in PostgreSQL: slots are spaced ``(period + margin) / requests`` apart, so no second ever holds
more than the limit, whichever process sends.
"""

from __future__ import annotations

import asyncio

import asyncpg

from polc.shoprenter.config import RateLimit

SCHEMA = "shoprenter_pacing"

_ENSURE = f"""
SELECT pg_advisory_xact_lock(hashtext('polc.shoprenter_pacing'));
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.slots (
    shop_id  text PRIMARY KEY,
    next_at  timestamptz NOT NULL
);
"""

# The caller's slot is the later of "now" and the shop's next free slot; the next free slot
# moves one interval on. Returns how long the caller waits for its slot.
_RESERVE = f"""
INSERT INTO {SCHEMA}.slots AS s (shop_id, next_at)
VALUES ($1, clock_timestamp() + make_interval(secs => $2))
ON CONFLICT (shop_id) DO UPDATE
   SET next_at = greatest(s.next_at, clock_timestamp()) + make_interval(secs => $2)
RETURNING extract(epoch FROM s.next_at - make_interval(secs => $2) - clock_timestamp())::float8
"""


def slot_interval(rate: RateLimit) -> float:
    """Seconds between two consecutive request starts for one shop."""
    return (rate.period_seconds + rate.margin_seconds) / rate.requests


class PostgresPacer:
    """Shop request slots shared through PostgreSQL by every process of an installation."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._ready = False
        self._ready_lock = asyncio.Lock()

    async def _ensure(self) -> None:
        async with self._ready_lock:
            if not self._ready:
                async with self._pool.acquire() as conn, conn.transaction():
                    await conn.execute(_ENSURE)
                self._ready = True

    async def wait_for_slot(self, shop_id: str, rate: RateLimit) -> None:
        """Take the shop's next start slot and sleep until it comes."""
        await self._ensure()
        async with self._pool.acquire() as conn:
            delay = await conn.fetchval(_RESERVE, shop_id, slot_interval(rate))
        if delay > 0:
            await asyncio.sleep(delay)
