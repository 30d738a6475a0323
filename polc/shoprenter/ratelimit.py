"""Per-shop request pacing and the process-wide registry that shares it.

A shop allows `requests` calls per `period`. Each call holds one of `requests` *lanes* from
just before it is sent until its answer (or failure) is in, and the lane opens again one
window (`period + margin`) after that. Call i+N is sent after call i's answer arrived, which
is after the shop counted call i: so however late the network or a busy event loop delivers a
call, no window of `period` seconds on the shop's side ever holds more than N of them. A
window counted from each call's *start* gives no such guarantee: a call delayed on its way
and the next ones on time meet in the same second.

Lanes are taken under a thread lock without awaiting, so one limiter is safe to share across
tasks (and even event loops) in the process.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from polc.shoprenter.config import RateLimit


class SharedPacer(Protocol):
    """Shares a shop's lanes across processes (see ``shared_pacing``)."""

    def lane(self, shop_id: str, rate: RateLimit, lease_seconds: float) -> AbstractAsyncContextManager[None]: ...


class SlidingWindowLimiter:
    """At most N calls per window, each window counted from a call's completion.

    With a shared pacer, every call also holds one of the shop's lanes across processes.
    """

    def __init__(self, rate: RateLimit, clock: Callable[[], float] = time.monotonic, *,
                 shop_id: str = "", pacer: SharedPacer | None = None) -> None:
        self._window = rate.period_seconds + rate.margin_seconds
        self._free_at = [float("-inf")] * rate.requests
        self._busy = [False] * rate.requests
        self._clock = clock
        self._lock = threading.Lock()
        self._shop_id = shop_id
        self._pacer = pacer
        self.rate = rate

    @property
    def window(self) -> float:
        """Seconds a lane stays closed after its call completed."""
        return self._window

    def try_take(self) -> tuple[int | None, float]:
        """Take a lane that is open now: (lane, 0). Otherwise (None, seconds worth waiting)."""
        with self._lock:
            now = self._clock()
            best: int | None = None
            for lane, busy in enumerate(self._busy):
                if not busy and (best is None or self._free_at[lane] < self._free_at[best]):
                    best = lane
            if best is None:
                # Every lane is in flight; none can open before one window from now.
                return None, self._window
            if self._free_at[best] <= now:
                self._busy[best] = True
                return best, 0.0
            return None, self._free_at[best] - now

    def release(self, lane: int) -> None:
        """The call on `lane` is over: the lane opens one window from now."""
        with self._lock:
            self._busy[lane] = False
            self._free_at[lane] = self._clock() + self._window

    async def _take(self) -> int:
        while True:
            lane, wait = self.try_take()
            if lane is not None:
                return lane
            await asyncio.sleep(wait)

    @asynccontextmanager
    async def slot(self, lease_seconds: float) -> AsyncIterator[None]:
        """Hold a lane (here, and across processes with a pacer) for the duration of one call.

        `lease_seconds` bounds the call: a process that dies mid-call frees its shared lane
        only after the lease and one window have passed.
        """
        lane = await self._take()
        try:
            if self._pacer is None:
                yield
            else:
                async with self._pacer.lane(self._shop_id, self.rate, lease_seconds):
                    yield
        finally:
            self.release(lane)


@dataclass
class TokenCache:
    """One shop's current OAuth token, shared by all clients of that shop."""

    access_token: str | None = None
    expires_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __repr__(self) -> str:  # the token is a credential
        return f"TokenCache(has_token={self.access_token is not None}, expires_at={self.expires_at:.0f})"


class ShopRegistry:
    """Per-shop shared state: rate limiter, token cache and the batch lock.

    The first connection seen for a shop decides its rate; later ones share that limiter so
    the process as a whole never exceeds it.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, *, pacer: SharedPacer | None = None) -> None:
        self._clock = clock
        self._pacer = pacer
        self._lock = threading.Lock()
        self._limiters: dict[str, SlidingWindowLimiter] = {}
        self._tokens: dict[tuple[str, str], TokenCache] = {}
        self._batch_locks: dict[str, asyncio.Lock] = {}

    def limiter(self, shop_id: str, rate: RateLimit) -> SlidingWindowLimiter:
        """The shop's limiter, created on first use."""
        with self._lock:
            if shop_id not in self._limiters:
                self._limiters[shop_id] = SlidingWindowLimiter(rate, self._clock, shop_id=shop_id, pacer=self._pacer)
            return self._limiters[shop_id]

    def token_cache(self, shop_id: str, client_id: str) -> TokenCache:
        """The token cache of one (shop, OAuth client) pair."""
        with self._lock:
            return self._tokens.setdefault((shop_id, client_id), TokenCache())

    def batch_lock(self, shop_id: str) -> asyncio.Lock:
        """Held for a whole batch run: ShopRenter asks that batches are never concurrent."""
        with self._lock:
            return self._batch_locks.setdefault(shop_id, asyncio.Lock())


_default_registry: ShopRegistry | None = None
_default_lock = threading.Lock()


def default_registry() -> ShopRegistry:
    """The process-wide registry, created on first use rather than at import."""
    global _default_registry
    with _default_lock:
        if _default_registry is None:
            _default_registry = ShopRegistry()
        return _default_registry
