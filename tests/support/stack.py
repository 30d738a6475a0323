"""The real infrastructure the tests run against, started once per test session.

``POLC_TEST_BROKER`` picks the broker: ``tansu`` (default, embedded), ``kafka`` (Apache Kafka
in KRaft mode from Maven Central jars) or ``containers`` (testcontainers, needs Docker).
``POLC_TEST_DATABASE_URL`` / ``POLC_TEST_KAFKA`` point the tests at servers already running.
"""

from __future__ import annotations

import os
from pathlib import Path

from polc.stack.postgres import EmbeddedPostgres
from polc.stack.tansu import TansuBroker


def broker_mode() -> str:
    return os.environ.get("POLC_TEST_BROKER", "tansu")


class TestStack:
    """PostgreSQL + broker for one pytest session."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.admin_dsn = ""
        self.bootstrap_servers = ""
        self._stops: list = []
        self.tansu: TansuBroker | None = None

    async def start(self) -> None:
        await self._start_postgres()
        await self._start_broker()

    async def _start_postgres(self) -> None:
        if os.environ.get("POLC_TEST_DATABASE_URL"):
            self.admin_dsn = os.environ["POLC_TEST_DATABASE_URL"]
        elif broker_mode() == "containers":
            from polc.stack.containers import PostgresInDocker

            pg = PostgresInDocker()
            await pg.start()
            self.admin_dsn = pg.dsn
            self._stops.append(pg.stop)
        else:
            pg = EmbeddedPostgres(self.workdir / "pgdata", durable=False)
            self.admin_dsn = pg.start()
            self._stops.append(pg.stop)

    async def _start_broker(self) -> None:
        mode = broker_mode()
        if os.environ.get("POLC_TEST_KAFKA"):
            self.bootstrap_servers = os.environ["POLC_TEST_KAFKA"]
        elif mode == "tansu":
            self.tansu = TansuBroker(self.workdir / "tansu.log")
            self.bootstrap_servers = self.tansu.start()
            self._stops.append(self.tansu.stop)
        elif mode == "kafka":
            from polc.stack.apache_kafka import ApacheKafka, ensure_kafka_jars

            ensure_kafka_jars()
            kafka = ApacheKafka(self.workdir / "kafka")
            await kafka.start()
            self.bootstrap_servers = kafka.bootstrap_servers
            self._stops.append(kafka.stop)
        elif mode == "containers":
            from polc.stack.containers import KafkaInDocker

            kafka = KafkaInDocker()
            await kafka.start()
            self.bootstrap_servers = kafka.bootstrap_servers
            self._stops.append(kafka.stop)
        else:
            raise ValueError(f"unknown POLC_TEST_BROKER={mode!r}")

    async def stop(self) -> None:
        for stop in reversed(self._stops):
            result = stop()
            if hasattr(result, "__await__"):
                await result
