"""Sustained load at ShopRenter's real limit: the shop never sees more than 3 requests a second."""

from __future__ import annotations

import asyncio

from polc.shoprenter import ShopRenterApi


async def test_peak_stays_within_3_per_second_while_injected_429s_are_survived(connect, control):
    control.faults("load", p429=0.15, p503=0.05)
    try:
        # Three independent clients of the same shop (ingest, push, a manual sync) share one limiter.
        apis = [ShopRenterApi(connect("load", real_rate=True)) for _ in range(3)]
        calls = [api.list_tax_classes() for api in apis for _ in range(7)]
        results = await asyncio.gather(*calls)
    finally:
        control.faults("load")
    assert all(len(r) == 4 for r in results)
    stats = control.stats("load")
    assert stats["requests"] >= 21
    assert stats["peak_requests_per_second"] <= 3
    assert stats["rate_limited"] == 0
    assert stats["faults_injected"] > 0, "the run did meet 429/503s and survived them"
