"""The no-oversell fence: a push never undoes a shop-side decrement the ledger has not seen yet.

The test plays order_ingest (answers SyncRequested with SyncCompleted naming the orders the
poll found, and publishes their OrderReceived) and the ledger (reserves the order later).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from aiokafka import AIOKafkaConsumer

from contracts.base import Envelope
from contracts.examples.orders import ORDER_RECEIVED
from contracts.registry import SYNC_COMMANDS
from contracts.sync import SyncCompleted, SyncRequested
from tests.integration.webshop_push.conftest import set_push_settings, stock_changed, stock_writes
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker
SKU = "MANG-KARAJ-1K"


class OrderIngestStandIn:
    """Answers every SyncRequested with a poll result naming the shop orders not yet reported."""

    def __init__(self, stack, routing, sender, control, shop: str) -> None:
        self.stack, self.routing, self.sender, self.control, self.shop = stack, routing, sender, control, shop
        self.unreported: list[tuple[str, int]] = []
        self.requests: list[SyncRequested] = []

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(self.routing.name(SYNC_COMMANDS), bootstrap_servers=self.stack.bootstrap_servers,
                                    group_id=self.routing.group("test_ingest"), auto_offset_reset="earliest")
        await consumer.start()
        try:
            async for record in consumer:
                request = SyncRequested.model_validate(Envelope.model_validate_json(record.value).payload)
                self.requests.append(request)
                await self.answer(request)
        finally:
            await consumer.stop()

    async def answer(self, request: SyncRequested) -> None:
        found, self.unreported = self.unreported, []
        for order_id, quantity in found:
            line = ORDER_RECEIVED.lines[0].model_copy(update={"sku": SKU, "quantity": Decimal(quantity)})
            order = ORDER_RECEIVED.model_copy(update={"shop_id": self.shop, "shop_order_id": order_id,
                                                      "lines": (line,)})
            await self.sender.send(order, producer="order_ingest")
        now = datetime.now(UTC)
        await self.sender.send(SyncCompleted(
            shop_id=self.shop, request_id=request.request_id, trigger="request", started_at=now, finished_at=now,
            watermark=max(now, request.not_before or now) + timedelta(milliseconds=1), orders_received=len(found),
            orders_changed=0, orders_quarantined=0, api_requests=2, order_ids=tuple(o for o, _ in found)),
            producer="order_ingest")


async def test_push_waits_for_the_ledger_to_see_shop_orders(stack, routing, push, registry, sender, control,
                                                           fresh_shop):
    shop = fresh_shop()
    await registry.add_shop(shop)
    runtime = await push()
    await set_push_settings(runtime, shop, fence="sync")
    ingest = OrderIngestStandIn(stack, routing, sender, control, shop)
    task = asyncio.create_task(ingest.run())
    try:
        await sender.send(stock_changed(SKU, 1, physical=12))
        await wait_for(lambda: _shows(control, shop, SKU, 12))
        # A customer buys 3 in the shop: the shop shows 9, the ledger does not know yet.
        order = control.place_order(shop, lines=[{"sku": SKU, "quantity": 3}], customer_email="kovacs.anna@example.hu")
        assert control.stock(shop, SKU) == 9
        ingest.unreported.append((order["id"], 3))
        # A goods receipt of 5 is recorded: the ledger says free 17, which is 3 too many for this shop.
        await sender.send(stock_changed(SKU, 2, physical=17))
        await wait_for(lambda: _fenced_on_order(runtime, shop, order["id"]))
        assert control.stock(shop, SKU) == 9
        # The ledger reserves the ingested order: free 14, which is what the shop gets.
        await sender.send(stock_changed(SKU, 3, physical=17, reserved=3, kind="reservation", shop_id=shop,
                                        shop_order_id=order["id"], document="WP-1"))
        await wait_for(lambda: _shows(control, shop, SKU, 14))
        assert Decimal(17) not in stock_writes(control, shop, SKU)
        assert all(r.requested_by == "webshop_push" and r.not_before for r in ingest.requests)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _shows(control, shop: str, sku: str, value: int) -> bool:
    return control.stock(shop, sku) == Decimal(value)


async def _fenced_on_order(runtime, shop: str, order_id: str) -> bool:
    async with runtime.pool.acquire() as conn:
        row = await conn.fetchrow("SELECT state, detail FROM pusher_status WHERE shop_id = $1", shop)
    return row is not None and row["state"] == "fenced" and order_id in (row["detail"] or "")
