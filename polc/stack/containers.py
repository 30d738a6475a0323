"""Kafka and PostgreSQL in Docker containers, for machines (CI runners, laptops) with Docker.

Same interface as :class:`polc.stack.apache_kafka.ApacheKafka`: ``await start()``,
``await stop()`` and ``bootstrap_servers``; PostgreSQL exposes ``dsn`` instead. testcontainers
and the Docker SDK are imported inside the functions, so importing this module costs
nothing where Docker is absent; check :func:`docker_available` first.
"""

from __future__ import annotations

import asyncio
import shlex
from typing import Any

KAFKA_IMAGE = "apache/kafka:4.4.0"
POSTGRES_IMAGE = "postgres:17-alpine"

# Inside the container: clients outside Docker use HOST (9092, published on a random host
# port); the broker talks to itself on BROKER; the KRaft controller listens on CONTROLLER.
_KAFKA_CLIENT_PORT = 9092
_START_SCRIPT = "/tmp/polc-kafka-env.sh"


def docker_available() -> bool:
    """True if a Docker engine answers a ping (honours DOCKER_HOST and friends)."""
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no SDK, no socket, permission denied, engine down: all mean "no"
        return False


def _kafka_env() -> dict[str, str]:
    """Broker settings for the apache/kafka image (its run script maps KAFKA_X_Y to x.y)."""
    return {
        "KAFKA_NODE_ID": "1",
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
        "KAFKA_LISTENERS": f"HOST://0.0.0.0:{_KAFKA_CLIENT_PORT},BROKER://0.0.0.0:19092,CONTROLLER://0.0.0.0:9093",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "HOST:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "KAFKA_INTER_BROKER_LISTENER_NAME": "BROKER",
        "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
        # The same production-like and fast-for-tests choices as ApacheKafka.
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
        "KAFKA_NUM_PARTITIONS": "1",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "1",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR": "1",
        "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
        "KAFKA_HEAP_OPTS": "-Xmx512m",
    }


class KafkaInDocker:
    """Apache Kafka (KRaft, single node) in the official ``apache/kafka`` image.

    testcontainers' own KafkaContainer drives Confluent's image scripts and rejects
    ``apache/kafka`` tags in KRaft mode, so this uses a plain DockerContainer. The advertised
    listener must name the host port Docker picked, which is only known after the container
    exists: the container waits for a small env script, which start() writes once the port
    is mapped, and then execs the image's normal entry point.
    """

    def __init__(self, image: str = KAFKA_IMAGE, startup_timeout: float = 120.0) -> None:
        self.image = image
        self.startup_timeout = startup_timeout
        self._container: Any = None
        self._bootstrap: str | None = None

    @property
    def bootstrap_servers(self) -> str:
        """``host:port`` for clients outside Docker; only valid after start()."""
        if self._bootstrap is None:
            raise RuntimeError("KafkaInDocker is not started")
        return self._bootstrap

    async def start(self) -> None:
        """Start the container and wait until the broker answers a metadata request."""
        await asyncio.to_thread(self._start_sync)
        from polc.stack.apache_kafka import _answers_metadata

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.startup_timeout
        while not await _answers_metadata(self.bootstrap_servers):
            if loop.time() > deadline:
                await self.stop()
                raise RuntimeError(f"Kafka container did not answer metadata within {self.startup_timeout:.0f} s")
            await asyncio.sleep(0.2)

    async def stop(self) -> None:
        """Stop and remove the container."""
        container, self._container, self._bootstrap = self._container, None, None
        if container is not None:
            await asyncio.to_thread(container.stop)

    def _start_sync(self) -> None:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.waiting_utils import wait_for_logs

        wait_then_run = f"while [ ! -f {_START_SCRIPT} ]; do sleep 0.1; done; . {_START_SCRIPT}; exec /etc/kafka/docker/run"
        container = DockerContainer(self.image).with_exposed_ports(_KAFKA_CLIENT_PORT)
        for key, value in _kafka_env().items():
            container = container.with_env(key, value)
        container = container.with_command(["bash", "-c", wait_then_run])
        container.start()
        self._container = container
        host = container.get_container_host_ip()
        port = container.get_exposed_port(_KAFKA_CLIENT_PORT)
        advertised = f"HOST://{host}:{port},BROKER://localhost:19092"
        script = f"export KAFKA_ADVERTISED_LISTENERS={shlex.quote(advertised)}\n"
        result = container.get_wrapped_container().exec_run(["sh", "-c", f"printf %s {shlex.quote(script)} > {_START_SCRIPT}"])
        if result.exit_code != 0:
            raise RuntimeError(f"could not configure the Kafka container: {result.output!r}")
        wait_for_logs(container, "Kafka Server started", timeout=self.startup_timeout)
        self._bootstrap = f"{host}:{port}"


class PostgresInDocker:
    """PostgreSQL in a container via testcontainers' PostgresContainer."""

    def __init__(self, image: str = POSTGRES_IMAGE, dbname: str = "polc", user: str = "polc", password: str = "polc") -> None:
        self.image = image
        self.dbname = dbname
        self.user = user
        self.password = password
        self._container: Any = None
        self._dsn: str | None = None

    @property
    def dsn(self) -> str:
        """A ``postgresql://user:password@host:port/db`` URL (no driver suffix, asyncpg-ready)."""
        if self._dsn is None:
            raise RuntimeError("PostgresInDocker is not started")
        return self._dsn

    async def start(self) -> None:
        """Start the container; returns once PostgreSQL accepts connections."""
        await asyncio.to_thread(self._start_sync)

    async def stop(self) -> None:
        """Stop and remove the container."""
        container, self._container, self._dsn = self._container, None, None
        if container is not None:
            await asyncio.to_thread(container.stop)

    def _start_sync(self) -> None:
        try:
            from testcontainers.community.postgres import PostgresContainer
        except ImportError:  # testcontainers < 4.14 keeps modules at the top level
            from testcontainers.postgres import PostgresContainer

        container = PostgresContainer(self.image, username=self.user, password=self.password, dbname=self.dbname, driver=None)
        container.start()
        self._container = container
        self._dsn = container.get_connection_url(driver=None)
