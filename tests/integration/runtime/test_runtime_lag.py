"""The consumer lag metric rises while a group's consumers are down and falls once they are back."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from polc.runtime.outbox import enqueue
from polc.runtime.routing import Routing
from polc.runtime.service import ServiceRuntime
from tests.support.ping import PING_TOPIC, Ping, receiver_spec, sender_spec, wait_for

pytestmark = pytest.mark.broker


def total_lag(routing: Routing) -> float:
    group, topic = routing.group("test_receiver"), routing.name(PING_TOPIC)
    return sum(
        sample.value
        for metric in REGISTRY.collect() if metric.name == "polc_consumer_lag"
        for sample in metric.samples
        if sample.labels["group"] == group and sample.labels["topic"] == topic
    )


async def send(runtime: ServiceRuntime, n: int, stream: str) -> None:
    async with runtime.pool.acquire() as conn, conn.transaction():
        await enqueue(conn, [Ping(stream=f"{stream}{i}", seq=i) for i in range(n)], routing=runtime.routing,
                      producer="test_sender", schema="test_sender")


async def test_lag_rises_while_consumer_is_down_and_falls_after_restart(make_settings, topic_prefix):
    settings = make_settings(lag_monitor_interval_s=0.3)
    routing = Routing([PING_TOPIC], topic_prefix)
    async with ServiceRuntime(sender_spec(), settings, routing) as sender:
        async with ServiceRuntime(receiver_spec(), settings.model_copy(update={"lag_monitor_interval_s": 0}), routing):
            await send(sender, 6, "a")

            async def caught_up() -> bool:
                return await _settled(routing, lambda lag: lag == 0 and _has_series(routing))

            await wait_for(caught_up)
        await send(sender, 9, "b")  # the receiver is down
        # Apache Kafka keeps the group's committed offsets (lag 9); the embedded broker forgets a
        # group once its last member leaves (lag 15, and the inbox absorbs the replay).
        await wait_for(lambda: _settled(routing, lambda lag: lag >= 9))
        async with ServiceRuntime(receiver_spec(), settings.model_copy(update={"lag_monitor_interval_s": 0}), routing):
            await wait_for(lambda: _settled(routing, lambda lag: lag == 0))


def _has_series(routing: Routing) -> bool:
    return any(
        s.labels.get("group") == routing.group("test_receiver")
        for m in REGISTRY.collect() if m.name == "polc_consumer_lag" for s in m.samples
    )


async def _settled(routing: Routing, condition) -> bool:
    return condition(total_lag(routing))
