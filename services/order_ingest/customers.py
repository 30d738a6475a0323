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
from services.order_ingest.text import match_key


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


@dataclass
class NewCustomer:
    """A customer a chunk of orders creates; ``customer_id`` is set once stored."""

    party: Party
    match_key: str
    shop_id: str | None
    customer_id: str | None = None


@dataclass
class Assignment:
    """Who each order of a chunk belongs to: an existing customer id or a new customer."""

    by_order: dict[str, str | NewCustomer]
    new: list[NewCustomer]
    held: dict[str, NeedsReview]


def assign(shop_id: str, parties: Sequence[tuple[str, Party]], existing: Sequence[Candidate],
           existing_keys: dict[str, str]) -> Assignment:
    """Match the parties of a chunk's orders, in order, as if each were filed one after the other.

    ``parties``: (shop order id, party); ``existing``: customers sharing a shop customer id or a
    match key with them, ``existing_keys`` their customer id -> match key. A customer created
    for an earlier order of the chunk is matched by the later ones like a stored one.
    """
    registered: dict[str, str | NewCustomer] = {
        c.shop_customer_id: c.customer_id for c in existing if c.shop_id == shop_id and c.shop_customer_id}
    by_key: dict[str, list[Candidate]] = {}
    for c in existing:
        by_key.setdefault(existing_keys[c.customer_id], []).append(c)
    pending: dict[str, NewCustomer] = {}
    out = Assignment({}, [], {})

    def create(party: Party, key: str, owner: str | None) -> NewCustomer:
        new = NewCustomer(party, key, owner)
        label = f"new customer {len(pending) + 1}"
        pending[label] = new
        out.new.append(new)
        by_key.setdefault(key, []).append(Candidate(label, owner, party.shop_customer_id if owner else None))
        return new

    for order_id, party in parties:
        key = match_key(party.name, party.email)
        if party.shop_customer_id:
            found = registered.get(party.shop_customer_id)
            if found is None:
                found = registered[party.shop_customer_id] = create(party, key, shop_id)
            out.by_order[order_id] = found
            continue
        try:
            chosen = choose_for_guest(by_key.get(key, []))
        except NeedsReview as problem:
            out.held[order_id] = problem
            continue
        out.by_order[order_id] = create(party, key, None) if chosen is None else pending.get(chosen, chosen)
    return out
