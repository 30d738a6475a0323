"""Fixtures of the invoicing integration tests: a real SMTP inbox, the harness, a DB connection."""

from __future__ import annotations

import socket

import asyncpg
import pytest

from polc.stack.smtp_inbox import SmtpInbox
from tests.integration.invoicing.harness import Harness, routing_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def inbox(tmp_path):
    """A real SMTP server (aiosmtpd) storing what it receives as .eml files."""
    port = free_port()
    server = SmtpInbox(tmp_path / "mail", port=port)
    server.start()
    server.port = port
    yield server
    server.stop()


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
