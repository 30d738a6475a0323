"""Fixtures of the NAV integration tests: the invoicing harness (broker in and out) and a DB connection."""

from __future__ import annotations

import asyncpg
import pytest

from tests.integration.invoicing.harness import Harness, routing_for


@pytest.fixture
async def harness(stack, topic_prefix):
    h = Harness(routing_for(topic_prefix), stack.bootstrap_servers)
    yield h
    await h.stop()


@pytest.fixture
def db(database):
    async def connect() -> asyncpg.Connection:
        return await asyncpg.connect(database, server_settings={"search_path": "invoicing,public"})
    return connect
