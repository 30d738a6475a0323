"""Faults, rate limit, two instances and restarts: nothing lost, one pusher per shop, ≤3 requests/s."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.webshop_push.conftest import pending_rows, set_push_settings, stock_changed
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker
SKUS = ["PICK-TSZ-500", "KAL-PAP-100", "TOK-ASZU5-05", "RETES-TUR-4", "SAJT-TRAP-1K", "TOJAS-10", "MANG-KARAJ-1K",
        "KONYV-NEPMESE", "TERITO-KAL-80", "HER-BOGRE-VIK", "ZSOL-VAZA-25", "RUBIK-3X3", "BAL-ROZE-24", "GYULAI-KOLB-2"]


async def test_under_429_and_5xx_nothing_is_lost_and_the_rate_stays_at_three(push, registry, sender, control,
                                                                              fresh_shop):
    shop = fresh_shop()
    await registry.add_shop(shop)
    runtime = await push()
    await set_push_settings(runtime, shop)
    control.faults(shop, p429=0.2, p500=0.1, p503=0.1, fail_batch_items_matching=[_pid(control, shop, "TOJAS-10")],
                   p_batch_item_failure=0.1)
    expected = {}
    for round_ in range(1, 4):
        await sender.send(*[stock_changed(sku, round_, physical=10 * round_ + i) for i, sku in enumerate(SKUS)])
        expected = {sku: 10 * round_ + i for i, sku in enumerate(SKUS)}
    await wait_for(lambda: _all_shown(control, shop, expected, skip={"TOJAS-10"}), timeout_s=60)
    control.faults(shop)  # the item that always failed inside batches goes through once the shop accepts it
    await wait_for(lambda: _all_shown(control, shop, expected), timeout_s=30)
    stats = control.stats(shop)
    assert stats["faults_injected"] > 0
    assert stats["peak_requests_per_second"] <= 3
    assert stats["batch_overlaps"] == 0


async def test_two_instances_give_the_same_shop_state_and_survive_a_restart(push, registry, sender, control,
                                                                            fresh_shop):
    shops = [fresh_shop(), fresh_shop()]
    for shop in shops:
        await registry.add_shop(shop)
    first = await push()
    second = await push()
    for shop in shops:
        await set_push_settings(first, shop)
    await wait_for(lambda: _owned(first, second, shops))
    owners = {shop: (first if shop in first.pushers.shops else second) for shop in shops}
    assert not set(first.pushers.shops) & set(second.pushers.shops)
    await sender.send(*[stock_changed(sku, 1, physical=20 + i) for i, sku in enumerate(SKUS)])
    want = {sku: 20 + i for i, sku in enumerate(SKUS)}
    for shop in shops:
        await wait_for(lambda: _all_shown(control, shop, want))
    # The owner of the first shop goes away; the other instance takes the shop over.
    gone = owners[shops[0]]
    survivor = second if gone is first else first
    await gone.__aexit__(None, None, None)
    await sender.send(*[stock_changed(sku, 2, physical=40 + i) for i, sku in enumerate(SKUS)])
    want = {sku: 40 + i for i, sku in enumerate(SKUS)}
    for shop in shops:
        await wait_for(lambda: _all_shown(control, shop, want))
    assert set(survivor.pushers.shops) == set(shops)
    await wait_for(lambda: _none_pending(survivor))
    for shop in shops:
        assert control.stats(shop)["peak_requests_per_second"] <= 3


def _pid(control, shop: str, sku: str) -> str:
    return control.product(shop, sku)["id"]


async def _all_shown(control, shop: str, expected: dict[str, int], skip: set[str] = frozenset()) -> bool:
    return all(control.stock(shop, sku) == Decimal(v) for sku, v in expected.items() if sku not in skip)


async def _owned(first, second, shops: list[str]) -> bool:
    return set(first.pushers.shops) | set(second.pushers.shops) == set(shops)


async def _none_pending(runtime) -> bool:
    return not await pending_rows(runtime)
