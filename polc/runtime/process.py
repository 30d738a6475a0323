"""Running one service as an OS process until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import importlib
import logging
import signal

from polc.runtime.logs import configure_logging
from polc.runtime.routing import Routing
from polc.runtime.service import ServiceRuntime
from polc.runtime.settings import ServiceSettings

SERVICES = ("order_ingest", "stock_ledger", "webshop_push", "invoicing")


def default_routing(settings: ServiceSettings) -> Routing:
    """The topics of the contracts registry under the configured prefix."""
    from contracts.registry import ALL_TOPICS

    return Routing(ALL_TOPICS, settings.kafka_topic_prefix)


def load_service(name: str):
    """The service's ``app`` module, which offers ``Settings`` and ``build(settings)``."""
    if name not in SERVICES:
        raise SystemExit(f"unknown service {name!r}; choose one of {', '.join(SERVICES)}")
    return importlib.import_module(f"services.{name}.app")


async def serve(name: str) -> None:
    app = load_service(name)
    settings = app.Settings()
    configure_logging(name, settings.log_level)
    runtime = ServiceRuntime(app.build(settings), settings, default_routing(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with runtime:
        print(f"{name} ready; HTTP on http://{runtime.http.host}:{runtime.http.port}", flush=True)
        await stop.wait()
        logging.getLogger(__name__).info("%s stopping", name)


def run(name: str) -> None:
    asyncio.run(serve(name))
