"""Migrating from zero yields the schema the code expects, once, even when started concurrently."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from polc.runtime.migrations import RUNTIME_MIGRATIONS, load_migrations, migrate
from polc.runtime.process import SERVICES, load_service

RUNTIME_TABLES = {"outbox", "inbox", "dead_letters", "broker_epoch", "schema_migrations"}


async def _tables(conn: asyncpg.Connection, schema: str) -> set[str]:
    rows = await conn.fetch("SELECT table_name FROM information_schema.tables WHERE table_schema = $1", schema)
    return {r["table_name"] for r in rows}


@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_migrates_from_zero_concurrently(database, service):
    app = load_service(service)
    spec = app.build(app.Settings(database_url=database))
    folders = {"runtime": RUNTIME_MIGRATIONS, spec.name: spec.migrations}
    conns = [await asyncpg.connect(database) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate(c, spec.name, folders) for c in conns))
        expected = [f"{component}/{m.name}" for component, folder in folders.items()
                    for m in load_migrations(component, folder)]
        assert sorted(sum(results, [])) == sorted(expected)  # each applied exactly once
        assert RUNTIME_TABLES <= await _tables(conns[0], spec.name)
        assert await migrate(conns[0], spec.name, folders) == []
        recorded = await conns[0].fetchval(f"SELECT count(*) FROM {spec.name}.schema_migrations")
        assert recorded == len(expected)
    finally:
        for c in conns:
            await c.close()


def test_misnamed_migration_is_refused(tmp_path: Path):
    (tmp_path / "1_bad.sql").write_text("SELECT 1")
    with pytest.raises(ValueError, match="0001_name.sql"):
        load_migrations("x", tmp_path)


async def test_failed_migration_leaves_nothing_half_applied(database, tmp_path: Path):
    (tmp_path / "0001_ok.sql").write_text("CREATE TABLE a (id int);")
    (tmp_path / "0002_broken.sql").write_text("CREATE TABLE b (id int); SELECT * FROM missing_table;")
    conn = await asyncpg.connect(database)
    try:
        with pytest.raises(asyncpg.UndefinedTableError):
            await migrate(conn, "broken", {"broken": tmp_path})
        assert await _tables(conn, "broken") == {"a", "schema_migrations"}
        (tmp_path / "0002_broken.sql").write_text("CREATE TABLE b (id int);")
        assert await migrate(conn, "broken", {"broken": tmp_path}) == ["broken/0002_broken.sql"]
    finally:
        await conn.close()
