"""Building and serving the simulator's ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route

from polc.shoprenter_sim import control
from polc.shoprenter_sim.api_routes import handle_api
from polc.shoprenter_sim.oauth import token
from polc.shoprenter_sim.simulator import Simulator, place_random_order
from polc.shoprenter_sim.specs import ShopSpec

log = logging.getLogger(__name__)
API_METHODS = ["GET", "POST", "PUT", "DELETE"]


def build_app(shops: list[ShopSpec | str], *, demo_orders_per_minute: float = 0.0) -> Starlette:
    """The simulator as an ASGI app serving `shops` (specs or bare names).

    Routes: `POST /oauth/{shop}/app/token`, `/{shop}/api/...` (the shop API, OAuth or Basic)
    and `/_control/...`. With `demo_orders_per_minute` > 0, random orders keep arriving.
    """
    simulator = Simulator(shops)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_demo_orders(simulator, demo_orders_per_minute)) if demo_orders_per_minute > 0 else None
        yield
        if task:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app = Starlette(
        routes=[
            Route("/oauth/{shop}/app/token", token, methods=["POST"]),
            *(_one_change_at_a_time(route, simulator) for route in control.ROUTES),
            Route("/{shop}/api/{path:path}", handle_api, methods=API_METHODS),
        ],
        lifespan=lifespan,
    )
    app.state.simulator = simulator
    return app


def _one_change_at_a_time(route: Route, simulator: Simulator) -> Route:
    """A control route that changes shop state only while no API call is being served."""
    endpoint = route.endpoint

    async def locked(request):  # noqa: ANN001, ANN202 - a Starlette endpoint
        async with simulator.lock:
            return await endpoint(request)

    return Route(route.path, locked, methods=list(route.methods or ()), name=route.name)


async def _demo_orders(simulator: Simulator, per_minute: float) -> None:
    """Keep a demo alive: every shop gets about `per_minute` random orders a minute."""
    while True:
        await asyncio.sleep(60.0 / per_minute)
        for name, state in simulator.shops.items():
            async with simulator.lock:
                order = place_random_order(state)
            log.info("demo order placed", extra={"shop": name, "order_inner_id": order})


def make_server(app: Starlette, host: str, port: int) -> tuple[uvicorn.Server, socket.socket]:
    """A uvicorn server and its bound socket (port 0 picks a free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    return uvicorn.Server(config), sock


async def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    shops: list[ShopSpec | str] | None = None,
    *,
    demo_orders_per_minute: float = 0.0,
) -> None:
    """Run the simulator until cancelled."""
    app = build_app(shops or ["demo1", "demo2"], demo_orders_per_minute=demo_orders_per_minute)
    server, sock = make_server(app, host, port)
    log.info("shoprenter simulator listening", extra={"host": host, "port": sock.getsockname()[1]})
    await server.serve(sockets=[sock])
