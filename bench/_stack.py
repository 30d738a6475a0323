"""The infrastructure a benchmark runs on: PostgreSQL and the broker, embedded unless given.

``DATABASE_URL`` and ``KAFKA_BOOTSTRAP_SERVERS`` point a benchmark at servers already running.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from polc.stack.postgres import EmbeddedPostgres
from polc.stack.tansu import TansuBroker


@contextlib.contextmanager
def bench_stack() -> Iterator[tuple[str, str, Path, str]]:
    """(database DSN, bootstrap servers, a scratch folder, a description of both)."""
    with tempfile.TemporaryDirectory(prefix="polc-bench-") as tmp:
        pg = broker = None
        dsn = os.environ.get("DATABASE_URL")
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        try:
            if not dsn:
                pg = EmbeddedPostgres(Path(tmp) / "pgdata")
                dsn = pg.start()
            if not bootstrap:
                broker = TansuBroker(Path(tmp) / "tansu.log")
                bootstrap = broker.start()
            described = (f"broker {'Tansu (embedded)' if broker else bootstrap}; PostgreSQL "
                         f"{'embedded' if pg else 'external'}; {os.cpu_count()} cores; "
                         f"load average {os.getloadavg()[0]:.1f}")
            yield dsn, bootstrap, Path(tmp), described
        finally:
            if broker:
                broker.stop()
            if pg:
                pg.stop()
