"""Pacing one shop's requests across every process that talks to it.

ShopRenter allows 3 requests per second per shop for an application, and polc talks to a shop
from several processes (order ingest polls, webshop push writes, replicas of both). Each
process paces itself (``ratelimit``), and on top of that every call holds one of the shop's
lanes in PostgreSQL for as long as it runs: a row per (shop, lane), ``requests`` lanes per
shop. Taking a lane sets its ``free_at`` to "lease + window from now" (what holds if the
process dies mid-call); releasing it sets ``free_at`` to "one window from now". A lane is taken
only when its ``free_at`` has passed, so call i+N of a shop, from whichever process, starts
after call i's answer came back plus one window: no second on the shop's side ever holds more
than N calls, whatever the delays on the way. Times come from the database's clock, so
processes on several hosts agree.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from polc.shoprenter.config import RateLimit

SCHEMA = "shoprenter_pacing"

_ENSURE = f"""
SELECT pg_advisory_xact_lock(hashtext('polc.shoprenter_pacing'));
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
DROP TABLE IF EXISTS {SCHEMA}.slots;
CREATE TABLE IF NOT EXISTS {SCHEMA}.lanes (
    shop_id  text NOT NULL,
    lane     int  NOT NULL,
    free_at  timestamptz NOT NULL DEFAULT '-infinity',
    holder   uuid,
    PRIMARY KEY (shop_id, lane)
);
"""

_ADD_LANES = f"""
INSERT INTO {SCHEMA}.lanes (shop_id, lane)
SELECT $1, g FROM generate_series(0, $2 - 1) AS g
ON CONFLICT DO NOTHING
"""

# Take the shop's longest-open lane if one is open; the lane stays closed for lease + window
# unless released earlier.
_TAKE = f"""
WITH pick AS (
    SELECT lane FROM {SCHEMA}.lanes
     WHERE shop_id = $1 AND lane < $2 AND free_at <= clock_timestamp()
     ORDER BY free_at
     LIMIT 1
     FOR UPDATE SKIP LOCKED
)
UPDATE {SCHEMA}.lanes AS l
   SET free_at = clock_timestamp() + make_interval(secs => $3), holder = $4
  FROM pick
 WHERE l.shop_id = $1 AND l.lane = pick.lane
RETURNING l.lane
"""

# Seconds until the earliest lane of the shop opens (may be <= 0 while another taker holds
# its row lock).
_EARLIEST = f"""
SELECT extract(epoch FROM min(free_at) - clock_timestamp())::float8
  FROM {SCHEMA}.lanes WHERE shop_id = $1 AND lane < $2
"""

_RELEASE = f"""
UPDATE {SCHEMA}.lanes
   SET free_at = clock_timestamp() + make_interval(secs => $3), holder = NULL
 WHERE shop_id = $1 AND lane = $2 AND holder = $4
"""

#: Shortest pause before asking again when a lane looked open but another process won it.
_RETRY_PAUSE = 0.005


def window_seconds(rate: RateLimit) -> float:
    """How long a lane stays closed after its call completed."""
    return rate.period_seconds + rate.margin_seconds


class PostgresPacer:
    """Shop request lanes shared through PostgreSQL by every process of an installation."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._ready = False
        self._shops: set[tuple[str, int]] = set()
        self._ready_lock = asyncio.Lock()

    async def _ensure(self, shop_id: str, lanes: int) -> None:
        if self._ready and (shop_id, lanes) in self._shops:
            return
        async with self._ready_lock:
            async with self._pool.acquire() as conn:
                if not self._ready:
                    async with conn.transaction():
                        await conn.execute(_ENSURE)
                    self._ready = True
                if (shop_id, lanes) not in self._shops:
                    await conn.execute(_ADD_LANES, shop_id, lanes)
                    self._shops.add((shop_id, lanes))

    async def take(self, shop_id: str, rate: RateLimit, lease_seconds: float, holder: uuid.UUID) -> int:
        """Wait for one of the shop's lanes to open and take it."""
        await self._ensure(shop_id, rate.requests)
        window = window_seconds(rate)
        while True:
            async with self._pool.acquire() as conn:
                lane = await conn.fetchval(_TAKE, shop_id, rate.requests, lease_seconds + window, holder)
                if lane is not None:
                    return lane
                wait = await conn.fetchval(_EARLIEST, shop_id, rate.requests)
            await asyncio.sleep(min(max(wait or 0.0, _RETRY_PAUSE), window))

    async def release(self, shop_id: str, rate: RateLimit, lane: int, holder: uuid.UUID) -> None:
        """The call is over: the lane opens one window from now."""
        async with self._pool.acquire() as conn:
            await conn.execute(_RELEASE, shop_id, lane, window_seconds(rate), holder)

    @asynccontextmanager
    async def lane(self, shop_id: str, rate: RateLimit, lease_seconds: float) -> AsyncIterator[None]:
        """Hold one of the shop's lanes for the duration of one call."""
        holder = uuid.uuid4()
        lane = await self.take(shop_id, rate, lease_seconds, holder)
        try:
            yield
        finally:
            # Shielded: a cancelled caller still gives its lane back; if even that fails,
            # the lease opens the lane later.
            await asyncio.shield(self.release(shop_id, rate, lane, holder))
