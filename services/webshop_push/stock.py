"""What a shop's stock field should show, and which of two ledger figures is the newer."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


def shop_quantity(free: Decimal, safety_buffer: Decimal = Decimal(0)) -> Decimal:
    """Free stock minus the shop's safety buffer, never negative.

    ``free`` is physical minus reserved as the ledger reports it; it is negative when oversold.
    """
    if safety_buffer < 0:
        raise ValueError("a safety buffer cannot be negative")
    return max(Decimal(0), free - safety_buffer)


def free_stock(physical: Decimal, reserved: Decimal) -> Decimal:
    """Physical minus reserved (may be negative: the ledger allows overselling)."""
    return physical - reserved


def is_newer(incoming_version: int, known_version: int | None) -> bool:
    """Ledger versions only grow; an equal or smaller one is a replay or arrived late."""
    return known_version is None or incoming_version > known_version


def meant_for(shop_ids: Sequence[str] | None, shop_id: str) -> bool:
    """A product lists the shops it is meant for; an empty list means every shop."""
    return not shop_ids or shop_id in shop_ids
