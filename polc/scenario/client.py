"""HTTP calls to the stack that survive instances being killed and restarted.

Every write the scenario makes is idempotent (documents, batches and products carry their own
ids), so a call whose answer was lost with a killed process is simply made again.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from polc.scenario.stack import ScenarioStack

RETRY_STATUSES = {500, 502, 503, 504}


class Api:
    def __init__(self, stack: ScenarioStack, timeout_s: float = 30) -> None:
        self.stack = stack
        self.http = httpx.AsyncClient(timeout=timeout_s)
        self.calls = 0
        self.retries = 0

    async def close(self) -> None:
        await self.http.aclose()

    async def call(self, service: str, method: str, path: str, *, json: Any = None, params: Any = None,
                   ok: tuple[int, ...] = (200, 201, 202), give_up_s: float = 300) -> httpx.Response:
        """Call ``service`` (any live instance), retrying while instances are down or restarting."""
        deadline = time.monotonic() + give_up_s
        attempt = 0
        while True:
            urls = self.stack.urls(service)
            base = self.stack.url(service) if attempt == 0 else urls[attempt % len(urls)]
            attempt += 1
            self.calls += 1
            try:
                response = await self.http.request(method, base + path, json=json, params=params)
                if response.status_code in ok or response.status_code not in RETRY_STATUSES:
                    return response
                detail = f"{response.status_code} {response.text[:300]}"
            except httpx.HTTPError as error:
                detail = repr(error)
            if time.monotonic() > deadline:
                raise RuntimeError(f"{service} {method} {path} kept failing: {detail}")
            self.retries += 1
            await asyncio.sleep(min(2.0, 0.2 * attempt))

    async def get_json(self, service: str, path: str, **params: Any) -> Any:
        response = await self.call(service, "GET", path, params=params or None)
        response.raise_for_status()
        return response.json()

    async def sim(self, method: str, path: str, *, json: Any = None, ok: tuple[int, ...] = (200, 201)) -> httpx.Response:
        """The simulator's control API (never killed, never faulty)."""
        for attempt in range(20):
            try:
                response = await self.http.request(method, self.stack.simulator_url + path, json=json)
                return response
            except httpx.HTTPError:
                await asyncio.sleep(0.5 * (attempt + 1))
        raise RuntimeError(f"simulator {method} {path} unreachable")
