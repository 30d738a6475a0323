"""Order status write-back rules: which shop status a back-office event sets, and what a write sends.

A shop maps each back-office event (trigger) to one of its order statuses. Triggers are ranked
so that a status never moves backwards: a late or redelivered event of a lower rank never
overwrites a later one (packing after shipping, an invoice after the parcel left). Cancelled
is final: nothing is written to an order after it. The invoice number travels with the
``invoiced`` trigger and is written even when its status is outranked, so the shop order
always carries its invoice number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from polc.shoprenter.models.types import id_from_href

TRIGGERS = ("invoiced", "packed", "shipped", "cancelled")
#: Higher rank wins; an order only moves forward along this order.
RANK = {"invoiced": 1, "packed": 2, "shipped": 3, "cancelled": 4}
FINAL_RANK = RANK["cancelled"]


@dataclass(frozen=True)
class ShopStatus:
    """One order status of a shop, with its name in the shop's language."""

    shop_status_id: str
    name: str
    inner_id: str | None = None
    color: str | None = None


@dataclass(frozen=True)
class Target:
    """What an order should show: a status (by rank) and/or an invoice number."""

    trigger: str | None = None
    rank: int = 0
    shop_status_id: str | None = None
    status_name: str | None = None
    invoice_number: str | None = None


@dataclass(frozen=True)
class Decision:
    """What one back-office event leads to: ``outcome`` for operators, ``queue`` the write to add."""

    outcome: str
    queue: Target | None = None
    detail: str = ""


def decide(trigger: str, mapping: ShopStatus | None, invoice_number: str | None,
           written: Target | None, pending: Target | None) -> Decision:
    """The write one event asks for, given the mapping and what is written and pending for the order.

    Outcomes: ``unmapped`` (the shop maps nothing to this trigger), ``after_cancel`` (the order is
    cancelled, nothing is written after that), ``already`` (nothing new), ``queued`` (status and,
    for an invoice, its number), ``invoice_only`` (the status is outranked, the number is not).
    """
    if trigger not in RANK:
        raise ValueError(f"unknown trigger {trigger!r}")
    if mapping is None:
        return Decision("unmapped", detail=f"no shop status is chosen for {trigger}")
    top = max(written.rank if written else 0, pending.rank if pending else 0)
    if top >= FINAL_RANK and RANK[trigger] < FINAL_RANK:
        return Decision("after_cancel", detail="the order is cancelled; nothing is written after that")
    status = RANK[trigger] > top
    known = {t.invoice_number for t in (written, pending) if t is not None}
    number = invoice_number if trigger == "invoiced" and invoice_number and invoice_number not in known else None
    if not status and number is None:
        return Decision("already", detail=f"the order already shows {trigger} or a later status")
    target = Target(trigger=trigger if status else None, rank=RANK[trigger] if status else 0,
                    shop_status_id=mapping.shop_status_id if status else None,
                    status_name=mapping.name if status else None, invoice_number=number)
    return Decision("queued" if status else "invoice_only", target)


def merge(pending: Target | None, new: Target) -> Target:
    """A pending write with another event's write folded in: the higher status, the newest number."""
    if pending is None:
        return new
    status = new if new.rank > pending.rank else pending
    return Target(trigger=status.trigger, rank=status.rank, shop_status_id=status.shop_status_id,
                  status_name=status.status_name, invoice_number=new.invoice_number or pending.invoice_number)


@dataclass(frozen=True)
class Write:
    """One order update as it goes out: the body and what it changes."""

    shop_order_id: str
    body: dict[str, Any]
    status: Target | None
    invoice_number: str | None


def request_body(shop_order_id: str, pending: Target, written: Target | None) -> Write | None:
    """The ``PUT /orders/{id}`` body for a pending write, or None when the shop already shows it."""
    if written is not None and written.rank >= FINAL_RANK:
        return None
    body: dict[str, Any] = {}
    status = None
    if pending.shop_status_id and pending.rank > (written.rank if written else 0):
        body["orderStatus"] = {"id": pending.shop_status_id}
        status = pending
    number = pending.invoice_number
    if number and number != (written.invoice_number if written else None):
        prefix, digits = split_invoice_number(number)
        body["invoicePrefix"] = prefix
        if digits:
            body["invoiceId"] = digits
    else:
        number = None
    return Write(shop_order_id, body, status, number) if body else None


_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


def split_invoice_number(number: str) -> tuple[str, str]:
    """ShopRenter keeps an order's invoice number as ``invoicePrefix`` + ``invoiceId``.

    The trailing digits (leading zeros kept) are the id, the rest is the prefix, so the shop
    shows the number exactly as printed: "KP-2025-000123" -> ("KP-2025-", "000123").
    """
    found = _TRAILING_DIGITS.match(number.strip())
    if found is None:
        return number.strip(), ""
    return found.group(1), found.group(2)


def parse_statuses(statuses: Iterable[Mapping[str, Any]], descriptions: Iterable[Mapping[str, Any]],
                   language_id: str | None = None) -> list[ShopStatus]:
    """The shop's statuses named by their descriptions (in ``language_id`` when there are several)."""
    names: dict[str, tuple[str, str | None]] = {}
    for d in descriptions:
        status_id = id_from_href(_href(d.get("orderStatus")))
        if not status_id or not isinstance(d.get("name"), str):
            continue
        lang = id_from_href(_href(d.get("language")))
        if status_id not in names or (language_id and lang == language_id):
            color = d.get("color") if isinstance(d.get("color"), str) else None
            names[status_id] = (d["name"], color)
    out = []
    for s in statuses:
        sid = s.get("id")
        if not isinstance(sid, str) or not sid:
            continue
        name, color = names.get(sid, (sid, None))
        inner = s.get("innerId")
        out.append(ShopStatus(sid, name, str(inner) if isinstance(inner, (str, int)) and inner != "" else None, color))
    return out


def choose(choice: str, statuses: Iterable[ShopStatus]) -> ShopStatus | None:
    """The status an operator meant: by id, inner id or name (case and accents as typed or not)."""
    wanted = choice.strip()
    listed = list(statuses)
    for s in listed:
        if wanted in (s.shop_status_id, s.inner_id):
            return s
    key = _fold(wanted)
    matches = [s for s in listed if _fold(s.name) == key]
    return matches[0] if len(matches) == 1 else None


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _href(value: Any) -> str | None:
    return value.get("href") if isinstance(value, dict) else None
