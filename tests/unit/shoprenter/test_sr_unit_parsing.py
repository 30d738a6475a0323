"""Parsing of ShopRenter's encoding quirks, backoff arithmetic, pacing and secret hygiene."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from decimal import Decimal

import pytest
from pydantic import SecretStr, ValidationError

from polc.shoprenter import RateLimit, RetryPolicy, ShopConnection, SlidingWindowLimiter
from polc.shoprenter.backoff import backoff_delay, parse_retry_after
from polc.shoprenter.models import Coupon, OrderExtend, OrderProduct, Product, describe_id, id_from_href


def test_numbers_empties_and_zero_dates():
    product = Product.model_validate({
        "price": "139900.0000", "stock1": "10", "modelNumber": {}, "gtin": "", "sku": None,
        "availableDate": "0000-00-00", "dateCreated": "-0001-11-30T00:00:00", "status": "1", "orderable": "0"})
    assert product.price == Decimal("139900") and product.stock1 == 10
    assert product.model_number is None and product.gtin is None and product.sku is None
    assert product.available_date is None and product.date_created is None
    assert product.status == 1 and product.orderable is False


def test_zone_less_datetimes_are_budapest_time_in_both_formats():
    coupon = Coupon.model_validate({"dateCreated": "2013-12-31 11:45:51", "dateStart": "2024-07-01"})
    line = OrderProduct.model_validate({"dateCreated": "2024-07-01T10:00:00"})
    assert line.date_created.utcoffset().total_seconds() == 7200  # CEST
    winter = OrderProduct.model_validate({"dateCreated": "2024-01-15 10:00:00"})
    assert winter.date_created.utcoffset().total_seconds() == 3600
    assert coupon.date_start == date(2024, 7, 1)


def test_quantity_is_the_sum_of_the_four_stocks():
    line = OrderProduct.model_validate({"stock1": "1", "stock2": "2", "stock3": {}, "stock4": None})
    assert line.quantity == 3
    assert OrderProduct.model_validate({}).quantity == 0  # abandoned carts have all zeros


def test_order_extend_embeds_and_links():
    order = OrderExtend.model_validate({
        "innerId": "172", "orderTotals": [], "orderProducts": {"href": "x"}, "coupon": {}, "currency": {"code": "HUF"},
        "customer": {"href": "https://s.api.myshoprenter.hu/customers/Y3VzdG9tZXItY3VzdG9tZXJfaWQ9MzQ="},
        "orderStatus": None})
    assert order.inner_id == 172 and order.order_products == [] and order.coupon is None
    assert order.customer_id == "Y3VzdG9tZXItY3VzdG9tZXJfaWQ9MzQ=" and order.order_status_id is None


def test_ids_are_opaque_but_readable_in_logs():
    assert id_from_href("https://x/orderProducts?orderId=abc") == "orderProducts"
    assert id_from_href("https://x/orders/b3JkZXItb3JkZXJfaWQ9MTcy") == "b3JkZXItb3JkZXJfaWQ9MTcy"
    assert describe_id("b3JkZXItb3JkZXJfaWQ9MTcy") == "order-order_id=172"
    assert describe_id("SKU-11") is None


def test_garbage_numbers_are_rejected():
    with pytest.raises(ValidationError):
        Product.model_validate({"price": "sok"})


def test_backoff_grows_is_jittered_and_capped():
    policy = RetryPolicy(base_delay_seconds=1, max_delay_seconds=8)
    assert backoff_delay(policy, 1, lambda: 0.0) == 0.5
    assert backoff_delay(policy, 1, lambda: 1.0) == 1.0
    assert backoff_delay(policy, 3, lambda: 1.0) == 4.0
    assert backoff_delay(policy, 10, lambda: 1.0) == 8.0


def test_retry_after_in_seconds_or_http_date():
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412480 - 5) == 5.0


def test_a_lane_opens_one_window_after_its_call_completed():
    now = [0.0]
    limiter = SlidingWindowLimiter(RateLimit(requests=3, period_seconds=1.0, margin_seconds=0.1), clock=lambda: now[0])
    lanes = [limiter.try_take()[0] for _ in range(3)]
    assert sorted(lanes) == [0, 1, 2]
    # All three in flight: nothing opens before one window from now, however long they take.
    assert limiter.try_take() == (None, pytest.approx(1.1))
    now[0] = 5.0  # a slow call: its lane is counted from its end, not its start
    limiter.release(lanes[1])
    assert limiter.try_take() == (None, pytest.approx(1.1))
    now[0] = 6.05
    assert limiter.try_take() == (None, pytest.approx(0.05))
    now[0] = 6.1
    assert limiter.try_take() == (lanes[1], 0.0)


async def test_calls_through_the_limiter_never_put_n_plus_one_in_any_window():
    rate = RateLimit(requests=3, period_seconds=0.2, margin_seconds=0.0, allow_above_shoprenter_limit=True)
    limiter = SlidingWindowLimiter(rate)
    spans: list[tuple[float, float]] = []

    async def call(delay: float) -> None:
        async with limiter.slot(lease_seconds=5):
            start = time.monotonic()
            await asyncio.sleep(delay)
            spans.append((start, time.monotonic()))

    await asyncio.gather(*(call(0.01 * (i % 4)) for i in range(12)))
    starts = sorted(s for s, _ in spans)
    ends = sorted(e for _, e in spans)
    # The (i+3)-th start comes a full window after the i-th completion.
    for i in range(3, len(starts)):
        assert starts[i] - ends[i - 3] >= 0.2 - 1e-3


def test_the_shoprenter_ceiling_is_enforced_unless_explicitly_lifted():
    with pytest.raises(ValidationError):
        RateLimit(requests=4, period_seconds=1.0)
    assert RateLimit(requests=10, allow_above_shoprenter_limit=True).requests == 10


def test_credentials_never_show_in_reprs():
    conn = ShopConnection.for_shop("bolt", client_id="cid", client_secret="s3cr3t-value")
    assert "s3cr3t-value" not in repr(conn) + str(conn) + conn.model_dump_json()
    basic = ShopConnection(shop_id="b", api_base_url="https://b.api.myshoprenter.hu", auth_mode="basic",
                           username="u", password=SecretStr("pw-value-123"))
    assert "pw-value-123" not in repr(basic)
    with pytest.raises(ValidationError):
        ShopConnection(shop_id="c", api_base_url="https://c", auth_mode="oauth")
