"""Session-wide real infrastructure and per-test isolation (own database, own topic prefix)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import asyncpg
import pytest

from polc.runtime.secrets import new_key
from polc.runtime.settings import ServiceSettings
from tests.support.stack import TestStack, broker_mode

#: The installation key of every service under test: stored shop credentials are sealed.
TEST_SECRETS_KEY = new_key()


@pytest.fixture(scope="session")
async def stack() -> AsyncIterator[TestStack]:
    # Not under pytest's tmp_path: pytest prunes old session folders, and a concurrent pytest
    # run would delete the data directory of a PostgreSQL server still in use.
    workdir = Path(tempfile.mkdtemp(prefix="polc-test-stack-"))
    started = TestStack(workdir)
    await started.start()
    yield started
    panicked = started.tansu.panicked() if started.tansu else False
    await started.stop()
    assert not panicked, f"the embedded broker panicked during the session; see {workdir}"
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
async def database(stack: TestStack) -> AsyncIterator[str]:
    """DSN of a new, empty database for this test only."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(stack.admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    dsn = stack.admin_dsn.rsplit("/", 1)[0] + f"/{name}"
    yield dsn
    admin = await asyncpg.connect(stack.admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
def topic_prefix() -> str:
    """A prefix that gives this test its own topics and consumer groups."""
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture
def make_settings(stack: TestStack, database: str, topic_prefix: str) -> Callable[..., ServiceSettings]:
    """Settings for a service under test, pointing at the test's database and topics."""

    def make(**overrides: object) -> ServiceSettings:
        values = dict(
            database_url=database, kafka_bootstrap_servers=stack.bootstrap_servers,
            kafka_topic_prefix=topic_prefix, http_port=0, outbox_poll_interval_s=0.2,
            retry_base_delay_s=0.01, retry_max_delay_s=0.2, epoch_check_interval_s=2.0,
            secrets_key=TEST_SECRETS_KEY,
        )
        values.update(overrides)
        return ServiceSettings(**values)

    return make


def pytest_report_header(config: pytest.Config) -> str:
    return f"polc test broker: {broker_mode()}"
