"""Order status write-back rules: mapping, ranks, coalescing, the request body, the shop's status list."""

from __future__ import annotations

import pytest

from services.order_ingest.lifecycle import own_status_keeps_open
from services.webshop_push.order_status import (
    RANK,
    ShopStatus,
    Target,
    choose,
    decide,
    merge,
    parse_statuses,
    request_body,
    split_invoice_number,
)

INVOICED = ShopStatus("st-2", "Számlázva", "2")
PACKED = ShopStatus("st-4", "Csomagolva", "4")
SHIPPED = ShopStatus("st-3", "Szállítás alatt", "3")
CANCELLED = ShopStatus("st-7", "Visszavonva", "7")


def shown(status: ShopStatus, trigger: str, number: str | None = None) -> Target:
    return Target(trigger=trigger, rank=RANK[trigger], shop_status_id=status.shop_status_id, status_name=status.name,
                  invoice_number=number)


def test_an_unmapped_event_writes_nothing():
    assert decide("packed", None, None, None, None).outcome == "unmapped"
    assert decide("invoiced", None, "KP-1", None, None).queue is None


def test_an_invoice_queues_its_status_and_number():
    d = decide("invoiced", INVOICED, "KP-2025-000123", None, None)
    assert d.outcome == "queued"
    assert d.queue == Target("invoiced", 1, "st-2", "Számlázva", "KP-2025-000123")


def test_a_redelivered_event_queues_nothing_once_written_or_pending():
    written = shown(INVOICED, "invoiced", "KP-1")
    assert decide("invoiced", INVOICED, "KP-1", written, None).outcome == "already"
    assert decide("invoiced", INVOICED, "KP-1", None, written).outcome == "already"
    assert decide("shipped", SHIPPED, None, shown(SHIPPED, "shipped"), None).outcome == "already"


def test_a_lower_ranked_event_never_moves_the_status_back_but_the_invoice_number_is_still_written():
    d = decide("invoiced", INVOICED, "KP-9", shown(SHIPPED, "shipped"), None)
    assert d.outcome == "invoice_only"
    assert d.queue == Target(invoice_number="KP-9")
    assert decide("packed", PACKED, None, shown(SHIPPED, "shipped"), None).outcome == "already"


def test_nothing_is_written_after_a_cancellation():
    cancelled = shown(CANCELLED, "cancelled")
    assert decide("shipped", SHIPPED, None, cancelled, None).outcome == "after_cancel"
    assert decide("invoiced", INVOICED, "KP-3", None, cancelled).outcome == "after_cancel"
    assert request_body("o1", Target(invoice_number="KP-3"), cancelled) is None


@pytest.mark.parametrize("order", [["invoiced", "packed", "shipped"], ["shipped", "packed", "invoiced"],
                                   ["packed", "invoiced", "shipped"]])
def test_events_in_any_order_end_at_the_highest_status_with_the_number(order):
    mapping = {"invoiced": INVOICED, "packed": PACKED, "shipped": SHIPPED}
    pending = None
    for trigger in order:
        d = decide(trigger, mapping[trigger], "KP-5" if trigger == "invoiced" else None, None, pending)
        if d.queue is not None:
            pending = merge(pending, d.queue)
    assert pending.shop_status_id == SHIPPED.shop_status_id and pending.invoice_number == "KP-5"


def test_the_body_sends_only_what_the_shop_does_not_show_yet():
    pending = Target("invoiced", 1, "st-2", "Számlázva", "KP-2025-000123")
    write = request_body("o1", pending, None)
    assert write.body == {"orderStatus": {"id": "st-2"}, "invoicePrefix": "KP-2025-", "invoiceId": "000123"}
    assert write.status == pending and write.invoice_number == "KP-2025-000123"
    only_number = request_body("o1", pending, Target(rank=3, shop_status_id="st-3", invoice_number=None))
    assert only_number.body == {"invoicePrefix": "KP-2025-", "invoiceId": "000123"} and only_number.status is None
    assert request_body("o1", pending, Target(rank=1, shop_status_id="st-2", invoice_number="KP-2025-000123")) is None


def test_invoice_numbers_split_into_the_shops_prefix_and_id():
    assert split_invoice_number("KP-2025-000123") == ("KP-2025-", "000123")
    assert split_invoice_number("SZ123") == ("SZ", "123")
    assert split_invoice_number("ABC") == ("ABC", "")


def test_statuses_are_named_by_their_descriptions_in_the_chosen_language():
    statuses = [{"id": "st-1", "innerId": "1"}, {"id": "st-2", "innerId": "2"}]
    descriptions = [
        {"name": "Pending", "orderStatus": {"href": "http://x/api/orderStatuses/st-1"},
         "language": {"href": "http://x/api/languages/en"}},
        {"name": "Függőben", "color": "#f90", "orderStatus": {"href": "http://x/api/orderStatuses/st-1"},
         "language": {"href": "http://x/api/languages/hu"}},
    ]
    parsed = parse_statuses(statuses, descriptions, "hu")
    assert parsed == [ShopStatus("st-1", "Függőben", "1", "#f90"), ShopStatus("st-2", "st-2", "2", None)]


def test_an_operator_chooses_a_status_by_id_inner_id_or_name():
    listed = [INVOICED, PACKED, CANCELLED]
    assert choose("st-4", listed) == PACKED
    assert choose("7", listed) == CANCELLED
    assert choose("szamlazva", listed) == INVOICED
    assert choose("Törölve", listed) is None


def test_a_status_polc_wrote_publishes_nothing_and_a_cancel_closes_the_order():
    assert own_status_keeps_open(True, cancelled=False) is True
    assert own_status_keeps_open(True, cancelled=True) is False
    assert own_status_keeps_open(False, cancelled=False) is False
