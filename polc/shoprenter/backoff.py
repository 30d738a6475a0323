"""Retry decisions and delays: which failures are transient, and how long to wait."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable

from polc.shoprenter.config import RetryPolicy

#: Statuses worth another attempt. 429 and 503 mean "not now"; 500/502/504 are usually
#: transient on ShopRenter ("Try breaking it down" for 504 is about size, which a retry
#: of an already small request does not change, so the budget bounds it).
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})

#: Statuses where the shop certainly did not act on the request, so even a non-idempotent
#: write can be repeated.
REJECTED_BEFORE_PROCESSING = frozenset({429})


def backoff_delay(policy: RetryPolicy, attempt: int, rng: Callable[[], float]) -> float:
    """Delay before retry number `attempt` (1-based): equal-jitter exponential backoff.

    Half of the exponential step is fixed and half random, so retries of many clients
    spread out yet never fire immediately.
    """
    step = min(policy.max_delay_seconds, policy.base_delay_seconds * (2 ** (attempt - 1)))
    return step / 2 + rng() * step / 2


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())
