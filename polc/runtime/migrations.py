"""Forward-only numbered SQL migrations, one PostgreSQL schema per service.

Files are named ``NNNN_description.sql`` and applied in order, each in its own transaction,
while a session-level advisory lock keyed by the schema keeps concurrent starts of the same
service from racing. The runtime's own tables (outbox, inbox, dead letters) are applied as
component ``runtime`` before the service's component.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
RUNTIME_MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Migration:
    component: str
    version: int
    name: str
    sql: str


def load_migrations(component: str, folder: Path) -> list[Migration]:
    """Read the migration files of ``folder``; a misnamed or duplicate file is an error."""
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name must look like 0001_name.sql: {path}")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"two migrations numbered {version} in {folder}")
        found[version] = Migration(component, version, path.name, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


async def migrate(conn: asyncpg.Connection, schema: str, folders: dict[str, Path]) -> list[str]:
    """Bring ``schema`` up to date; returns the names of the migrations applied now."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise ValueError(f"invalid schema name {schema!r}")
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock(hashtext('polc.migrate.' || $1))", schema)
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(
            f"""CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                    component text NOT NULL, version int NOT NULL, name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (component, version))"""
        )
        for component, folder in folders.items():
            done = {
                r["version"]
                for r in await conn.fetch(
                    f"SELECT version FROM {schema}.schema_migrations WHERE component = $1", component
                )
            }
            for migration in load_migrations(component, folder):
                if migration.version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(f"SET LOCAL search_path TO {schema}, public")
                    await conn.execute(migration.sql)
                    await conn.execute(
                        f"INSERT INTO {schema}.schema_migrations (component, version, name) VALUES ($1, $2, $3)",
                        component, migration.version, migration.name,
                    )
                applied_now.append(f"{component}/{migration.name}")
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtext('polc.migrate.' || $1))", schema)
    return applied_now
