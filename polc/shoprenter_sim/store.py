"""In-memory state of one simulated shop: tables of rows in wire form, plus bookkeeping.

Rows hold what the API would print: strings for scalars, `{}`/"" for empties, and `Ref` /
`Coll` markers for links, which are turned into hrefs when a response is rendered.
"""

from __future__ import annotations

import random
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from polc.shoprenter_sim.specs import FaultConfig, ShopSpec

SHOP_TZ = ZoneInfo("Europe/Budapest")

Row = dict[str, Any]


@dataclass(frozen=True)
class Ref:
    """A link to one row: rendered as {"href": ".../<resource>/<id>"}."""

    resource: str
    inner_id: int


@dataclass(frozen=True)
class Coll:
    """A link to a filtered collection: {"href": ".../<resource>?<param>=<id of owner>"}."""

    resource: str
    param: str
    owner: Ref


def shop_now() -> str:
    """The shop's local wall clock, zone-less, as the API prints datetimes."""
    return datetime.now(SHOP_TZ).strftime("%Y-%m-%dT%H:%M:%S")


def money(value: Any) -> str:
    """A decimal amount in the API's four-decimal string form."""
    return f"{float(value):.4f}"


class RateMeter:
    """Arrivals in a sliding 1-second window: decides 429s and remembers the peak."""

    def __init__(self, limit: int, window: float = 1.0) -> None:
        self.limit = limit
        self.window = window
        self.arrivals: deque[float] = deque()
        self.peak = 0
        self.total = 0
        self.rejected = 0

    def arrive(self, now: float) -> bool:
        """Record one request; False when it exceeds the limit."""
        while self.arrivals and self.arrivals[0] <= now - self.window:
            self.arrivals.popleft()
        self.arrivals.append(now)
        self.total += 1
        self.peak = max(self.peak, len(self.arrivals))
        if len(self.arrivals) > self.limit:
            self.rejected += 1
            return False
        return True


@dataclass
class WriteRecord:
    """One write the shop received (directly or inside a batch)."""

    at: str
    method: str
    path: str
    body: Any
    status: int
    via_batch: bool


@dataclass
class ShopState:
    """Everything one simulated shop knows."""

    spec: ShopSpec
    tables: dict[str, dict[int, Row]] = field(default_factory=dict)
    next_ids: dict[str, int] = field(default_factory=dict)
    outer_ids: dict[str, dict[str, int]] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)
    tokens_issued: int = 0
    token_ttl: float = 3600.0
    faults: FaultConfig = field(default_factory=FaultConfig)
    meter: RateMeter = field(init=False)
    writes: list[WriteRecord] = field(default_factory=list)
    batch_in_progress: bool = False
    batch_overlaps: int = 0
    faults_injected: int = 0
    rng: random.Random = field(init=False)
    extras: dict[str, Any] = field(default_factory=dict)
    _changes: dict[str, int] = field(default_factory=dict)
    _child_index: dict[tuple[str, str], tuple[int, dict[Any, list[int]]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.meter = RateMeter(self.spec.rate_limit_per_second)
        self.rng = random.Random(self.spec.seed)
        self.token_ttl = self.spec.token_ttl_seconds

    def table(self, name: str) -> dict[int, Row]:
        return self.tables.setdefault(name, {})

    def insert(self, table: str, row: Row, inner_id: int | None = None) -> int:
        """Add a row, assigning the next inner id unless one is given."""
        if inner_id is None:
            inner_id = self.next_ids.get(table, 1)
        self.next_ids[table] = max(self.next_ids.get(table, 1), inner_id + 1)
        stamp = shop_now()
        row.setdefault("dateCreated", stamp)
        row.setdefault("dateUpdated", stamp)
        self.table(table)[inner_id] = row
        self._changes[table] = self._changes.get(table, 0) + 1
        return inner_id

    def delete(self, table: str, inner_id: int) -> None:
        del self.table(table)[inner_id]
        self._changes[table] = self._changes.get(table, 0) + 1

    def children(self, table: str, link: str, owner: Any) -> list[int]:
        """Inner ids of the rows of ``table`` whose ``link`` is ``owner`` (an order's lines).

        Indexed, so embedding children in a page of orders does not scan the whole table per
        order; the index is rebuilt after rows were inserted or deleted (links never change).
        """
        changes = self._changes.get(table, 0)
        seen, index = self._child_index.get((table, link), (-1, {}))
        if seen != changes:
            index = {}
            for inner_id, row in self.table(table).items():
                value = row.get(link)
                if isinstance(value, Ref):
                    index.setdefault(value, []).append(inner_id)
            self._child_index[(table, link)] = (changes, index)
        return sorted(index.get(owner, ()))

    def touch(self, row: Row) -> None:
        row["dateUpdated"] = shop_now()

    def issue_token(self, token: str) -> None:
        self.tokens[token] = time.monotonic() + self.token_ttl
        self.tokens_issued += 1

    def token_valid(self, token: str) -> bool:
        expires = self.tokens.get(token)
        return expires is not None and time.monotonic() < expires
