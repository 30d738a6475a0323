"""Matching the ordering customer to a back-office customer (M7-M9).

Registered customers are matched by their ShopRenter customer id within their shop (M9).
Guests are matched by name and e-mail, compared without case and surrounding spaces (M8); a
guest with no guest match but exactly one registered customer of the same name and e-mail is
that customer, and with several such customers the order waits in review as ambiguous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contracts.common import Customer
from services.order_ingest.documents import Party
from services.order_ingest.errors import NeedsReview


@dataclass(frozen=True)
class Candidate:
    """An existing customer with the same match key."""

    customer_id: str
    shop_id: str | None
    shop_customer_id: str | None


def choose_for_guest(candidates: Sequence[Candidate]) -> str | None:
    """The customer a guest order belongs to, None for a new customer; NeedsReview if unclear."""
    guests = [c for c in candidates if c.shop_customer_id is None]
    if guests:
        return guests[0].customer_id
    if len(candidates) == 1:
        return candidates[0].customer_id
    if candidates:
        ids = ", ".join(sorted(c.customer_id for c in candidates))
        raise NeedsReview("ambiguous_customer",
                          f"the guest's name and e-mail match several registered customers ({ids})")
    return None


def with_downloaded(party: Party, downloaded: dict | None) -> Party:
    """A registered customer's own record (M7) completes what the order says about them."""
    if not downloaded:
        return party
    phone = party.phone or (str(downloaded.get("telephone") or "").strip() or None)
    return Party(**{**party.__dict__, "phone": phone[:50] if phone else None})


def snapshot(party: Party, customer_id: str) -> Customer:
    """The customer as OrderReceived carries it."""
    return Customer(
        shop_customer_id=party.shop_customer_id, customer_id=customer_id, name=party.name, email=party.email,
        phone=party.phone, company=party.company, tax_number=party.tax_number,
        billing_address=party.billing_address, shipping_address=party.shipping_address,
    )
