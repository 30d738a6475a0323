"""The whole stack in-process for the back office's browser tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.backoffice.harness import Day, running_day


@pytest.fixture
async def day(make_settings, tmp_path) -> AsyncIterator[Day]:
    base = make_settings().model_dump()
    base["database_url"] = base["database_url"].get_secret_value()
    async with running_day(base, tmp_path) as running:
        yield running
