"""Per-shop request pacing and the process-wide registry that shares it.

The limiter hands out start times ("slots") so that no window of `period + margin` seconds
holds more than `requests` starts. Reservation happens under a thread lock without awaiting,
so one limiter is safe to share across tasks (and even event loops) in the process.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from polc.shoprenter.config import RateLimit


class SharedPacer(Protocol):
    """Spaces a shop's request starts across processes (see ``shared_pacing``)."""

    async def wait_for_slot(self, shop_id: str, rate: RateLimit) -> None: ...


class SlidingWindowLimiter:
    """At most N request starts in any sliding window, with no burst beyond N.

    With a shared pacer, every start also waits for the shop's next slot across processes.
    """

    def __init__(self, rate: RateLimit, clock: Callable[[], float] = time.monotonic, *,
                 shop_id: str = "", pacer: SharedPacer | None = None) -> None:
        self._window = rate.period_seconds + rate.margin_seconds
        self._starts: deque[float] = deque(maxlen=rate.requests)
        self._clock = clock
        self._lock = threading.Lock()
        self._shop_id = shop_id
        self._pacer = pacer
        self.rate = rate

    def reserve(self) -> float:
        """Book the next free slot; return how long the caller must wait for it."""
        with self._lock:
            now = self._clock()
            slot = now
            if len(self._starts) == self._starts.maxlen:
                slot = max(now, self._starts[0] + self._window)
            self._starts.append(slot)
            return slot - now

    async def acquire(self) -> None:
        """Wait until this caller may start a request."""
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
        if self._pacer is not None:
            await self._pacer.wait_for_slot(self._shop_id, self.rate)


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
