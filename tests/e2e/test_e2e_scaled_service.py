"""Three processes of one service, started from the CLI, share the work and agree with one."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families

from contracts.registry import ALL_TOPICS
from polc.runtime import kafka
from polc.runtime.outbox import envelope_headers, new_envelope
from polc.runtime.routing import Routing
from polc.stack.ports import free_port
from tests.integration.stock_ledger.messages import receipt
from tests.support.ping import wait_for

pytestmark = [pytest.mark.broker, pytest.mark.slow]
PROCESSES = 3


def start_ledger(stack, database: str, prefix: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database, "KAFKA_BOOTSTRAP_SERVERS": stack.bootstrap_servers,
           "KAFKA_TOPIC_PREFIX": prefix, "POLC_LEDGER_HTTP_PORT": str(port),
           "POLC_LEDGER_LAG_MONITOR_INTERVAL_S": "0", "POLC_LEDGER_LOG_LEVEL": "WARNING"}
    return subprocess.Popen([sys.executable, "-m", "polc.cli", "service", "stock_ledger"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


async def handled_receipts(http: httpx.AsyncClient) -> float:
    text = (await http.get("/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text) if family.name == "polc_messages_handled"
        for sample in family.samples
        if sample.name.endswith("_total") and sample.labels.get("message_type") == "RecordGoodsReceipt"
    )


async def test_three_ledger_processes_share_partitions_and_give_the_figures_of_one(stack, database, topic_prefix):
    routing = Routing(ALL_TOPICS, topic_prefix)
    await kafka.ensure_topics(stack.bootstrap_servers, kafka.topic_specs(routing))
    ports = [free_port() for _ in range(PROCESSES)]
    procs = [start_ledger(stack, database, topic_prefix, port) for port in ports]
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) for port in ports]
    try:
        async def all_ready() -> bool:
            for proc, http in zip(procs, clients):
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
                try:
                    if not (await http.get("/health/ready")).json()["ready"]:
                        return False
                except httpx.HTTPError:
                    return False
            return True

        await wait_for(all_ready, timeout_s=120, interval_s=0.5)
        await wait_for(lambda: _members(stack.bootstrap_servers, routing.group("stock_ledger"), PROCESSES),
                       timeout_s=90, interval_s=0.5)

        # 30 warehouses spread the receipts over every partition of the stock command topic.
        messages = [receipt(f"R-{w}-{n}", {"KAVE-1": n + 1, f"TEA-{w % 4}": 2}, warehouse=f"W{w:02d}")
                    for w in range(30) for n in range(3)]
        expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for message in messages:
            for line in message.lines:
                expected[(message.warehouse_id, line.sku)] += line.quantity
        producer = kafka.new_producer(stack.bootstrap_servers, "test")
        await producer.start()
        try:
            for message in messages:
                topic = routing.topic_for(type(message))
                env = new_envelope(message, key=topic.key_for(message), producer="test")
                await producer.send(routing.name(topic), env.model_dump_json().encode(), key=env.key.encode(),
                                    headers=[(k, v.encode()) for k, v in envelope_headers(env).items()])
            await producer.flush()
        finally:
            await producer.stop()

        async def figures() -> dict[tuple[str, str], Decimal] | None:
            rows = (await clients[0].get("/stock")).json()["stock"]
            got = {(r["warehouse_id"], r["sku"]): Decimal(str(r["physical"])) for r in rows}
            return got if got == expected else None

        await wait_for(figures, timeout_s=120, interval_s=0.5)
        check = (await clients[1].get("/stock/check")).json()
        assert check["consistent"] and not check["physical"] and not check["reserved"], check
        per_process = [await handled_receipts(http) for http in clients]
        assert sum(per_process) == len(messages)
        assert all(n > 0 for n in per_process), per_process  # every process took a share
    finally:
        for http in clients:
            await http.aclose()
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


async def _members(bootstrap: str, group: str, count: int) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
        groups = response.to_object()["groups"]
        return any(g["state"] == "Stable" and len(g["members"]) == count for g in groups)
    finally:
        await admin.close()
