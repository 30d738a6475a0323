"""The embedded PostgreSQL keeps its data and starts again on it (``polc up`` after ``polc up``)."""

from __future__ import annotations

import asyncio

import asyncpg

from polc.stack.postgres import EmbeddedPostgres


async def _query(dsn: str, sql: str) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        *setup, last = sql.split(";")
        for statement in setup:
            await conn.execute(statement)
        return await conn.fetchval(last)
    finally:
        await conn.close()


def test_a_stopped_server_starts_again_on_its_data(tmp_path):
    data = tmp_path / "pgdata"
    first = EmbeddedPostgres(data)
    first.start()
    try:
        asyncio.run(_query(first.dsn, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42); SELECT 1"))
    finally:
        first.stop()
    again = EmbeddedPostgres(data)
    again.start()
    try:
        assert asyncio.run(_query(again.dsn, "SELECT n FROM kept")) == 42
    finally:
        again.stop()
