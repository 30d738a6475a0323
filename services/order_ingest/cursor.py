"""The per-shop sync cursor: which orders to ask for, and how far a finished poll got.

ShopRenter's ``updatedAtMin`` filter has second precision and the shop may commit an order
after a later one is already visible, so a window that starts exactly at the last seen
timestamp can miss orders. The cursor therefore

- re-reads an overlap before the newest ``dateUpdated`` seen (already ingested orders are
  recognised and skipped, so the overlap only costs reading);
- remembers the highest ``innerId`` seen and treats every lower id that never showed up as a
  gap, which is asked for by id range on the following polls until it appears or a bounded
  number of polls has passed (abandoned carts count as seen, so they never make gaps);
- moves only when a poll finished, so a failed poll is repeated from the same place.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Cursor:
    """How far one shop has been read."""

    updated_watermark: datetime | None = None
    max_inner_id: int = 0
    gaps: dict[int, int] = field(default_factory=dict)
    """Missing inner id -> number of polls it has been looked for."""


@dataclass(frozen=True)
class PollPlan:
    """The two reads of one poll: changes since a moment, and ids still missing."""

    updated_at_min: datetime
    gap_inner_id_min: int | None
    gap_inner_id_max: int | None


def plan_poll(cursor: Cursor, *, first_sync_from: datetime, overlap: timedelta) -> PollPlan:
    """What to ask the shop for in the next poll."""
    if cursor.updated_watermark is None:
        since = first_sync_from
    else:
        since = max(first_sync_from, cursor.updated_watermark - overlap)
    if cursor.gaps:
        return PollPlan(since, min(cursor.gaps), max(cursor.gaps))
    return PollPlan(since, None, None)


def advance(cursor: Cursor, seen: Iterable[tuple[int, datetime | None]], *, max_gap_polls: int) -> tuple[Cursor, list[int]]:
    """The cursor after a finished poll that saw ``seen`` (inner id, dateUpdated) pairs.

    Returns the new cursor and the gaps given up on (looked for ``max_gap_polls`` times).
    """
    seen = list(seen)
    ids = {inner for inner, _ in seen}
    stamps = [stamp for _, stamp in seen if stamp is not None]
    watermark = cursor.updated_watermark
    if stamps:
        newest = max(stamps)
        watermark = newest if watermark is None else max(watermark, newest)
    new_max = max([cursor.max_inner_id, *ids])
    gaps = {inner: polls + 1 for inner, polls in cursor.gaps.items() if inner not in ids}
    if cursor.max_inner_id > 0:
        for inner in range(cursor.max_inner_id + 1, new_max):
            if inner not in ids:
                gaps.setdefault(inner, 0)
    given_up = sorted(inner for inner, polls in gaps.items() if polls >= max_gap_polls)
    for inner in given_up:
        del gaps[inner]
    return replace(cursor, updated_watermark=watermark, max_inner_id=new_max, gaps=gaps), given_up


def gaps_to_json(gaps: dict[int, int]) -> dict[str, int]:
    return {str(k): v for k, v in gaps.items()}


def gaps_from_json(data: dict[str, int] | str | None) -> dict[int, int]:
    if isinstance(data, str):
        data = json.loads(data)
    return {int(k): int(v) for k, v in (data or {}).items()}
