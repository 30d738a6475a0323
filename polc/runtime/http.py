"""The HTTP server every service runs: health, metrics, dead letters, and its own API."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route


class _EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the process that embeds it."""

    @contextlib.contextmanager
    def capture_signals(self):  # type: ignore[override]
        yield


def build_app(
    *,
    service: str,
    ready: Callable[[], Awaitable[dict[str, bool]]],
    dead_letters: Callable[[int], Awaitable[list[dict]]],
    routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The service's ASGI app; ``ready`` reports each dependency's state."""

    async def live(_: Request) -> JSONResponse:
        return JSONResponse({"service": service, "status": "alive"})

    async def readiness(_: Request) -> JSONResponse:
        checks = await ready()
        ok = all(checks.values())
        return JSONResponse({"service": service, "ready": ok, "checks": checks}, status_code=200 if ok else 503)

    async def metrics(_: Request) -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    async def asyncapi(_: Request) -> JSONResponse:
        from contracts.export import asyncapi_document

        return JSONResponse(asyncapi_document())

    async def list_dead_letters(request: Request) -> JSONResponse:
        limit = min(int(request.query_params.get("limit", "100")), 1000)
        return JSONResponse({"service": service, "dead_letters": await dead_letters(limit)})

    return Starlette(routes=[
        Route("/health/live", live),
        Route("/health/ready", readiness),
        Route("/metrics", metrics),
        Route("/dead-letters", list_dead_letters),
        Route("/asyncapi.json", asyncapi),
        *routes,
    ])


class HttpServer:
    """Runs an ASGI app on a background task; ``port`` is known once started."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", access_log=False)
        self._server = _EmbeddedServer(config)
        self._task: asyncio.Task | None = None
        self.host = host
        self.port = port

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
