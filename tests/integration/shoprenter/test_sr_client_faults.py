"""Surviving 429/5xx, timeouts and malformed bodies, and knowing when to stop."""

from __future__ import annotations

import pytest

from polc.shoprenter import (
    ShopRenterApi,
    ShopRenterNotFound,
    ShopRenterRetryExhausted,
    ShopRenterTransportError,
)


@pytest.fixture(autouse=True)
def _clean_faults(control):
    yield
    control.faults("faults")


async def test_429_and_5xx_are_retried_until_success(connect, control):
    api = ShopRenterApi(connect("faults"))
    control.faults("faults", fail_next=[429, 500, 503, 504, 502], retry_after_seconds=0.05)
    classes = await api.list_tax_classes()
    assert len(classes) == 4


async def test_retries_are_bounded(connect, control):
    api = ShopRenterApi(connect("faults"))
    control.faults("faults", fail_next=[503] * 10)
    with pytest.raises(ShopRenterRetryExhausted) as caught:
        await api.list_tax_classes()
    assert caught.value.attempts == 6 and caught.value.last_status == 503


async def test_a_malformed_body_on_a_read_is_retried(connect, control):
    api = ShopRenterApi(connect("faults"))
    control.faults("faults", p_malformed=1.0)
    with pytest.raises(ShopRenterRetryExhausted):
        await api.list_tax_classes()
    control.faults("faults", p_malformed=0.5)
    assert len(await api.list_tax_classes()) == 4


async def test_timeouts_are_retried_for_reads_but_not_for_creating_posts(connect, control):
    control.faults("faults", p_timeout=1.0, timeout_seconds=0.5)
    client = connect("faults", timeout_seconds=0.1)
    with pytest.raises(ShopRenterRetryExhausted) as caught:
        await client.get("taxClasses", {"page": 0, "limit": 5})
    assert caught.value.attempts == 6
    with pytest.raises(ShopRenterTransportError):
        await client.request("POST", "productDescriptions", json={"name": "x"})


async def test_a_client_error_is_not_retried_and_carries_the_inner_code(connect, control):
    client = connect("faults")
    with pytest.raises(ShopRenterNotFound) as caught:
        await client.get("products/bm8tc3VjaA==")
    assert (caught.value.status, caught.value.inner_code) == (404, 40401)
    assert control.stats("faults")["rate_limited"] == 0
