"""Wiring of the invoicing service: invoices orders one by one or in baskets and e-mails the PDFs (M2, M6, M23)."""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from polc.runtime.service import ServiceRuntime, ServiceSpec
from services.invoicing import api, issuing, subscribers
from services.invoicing.nav.wiring import running_reporter
from services.invoicing.settings import Settings
from services.invoicing.workers import Workers

__all__ = ["Settings", "build"]


def build(settings: Settings) -> ServiceSpec:
    """The service's subscribers, HTTP routes and resources, wired from settings."""
    ctx = issuing.Context.from_settings(settings)

    @contextlib.asynccontextmanager
    async def lifespan(runtime: ServiceRuntime) -> AsyncIterator[None]:
        executor = None
        if settings.render_processes > 0:
            # spawn: the PDF renderers start clean, without the parent's threads and sockets
            executor = ProcessPoolExecutor(settings.render_processes, mp_context=multiprocessing.get_context("spawn"))
        workers = Workers(pool=runtime.pool, enqueue=runtime.enqueue, ctx=ctx, settings=settings, executor=executor)
        loops = [("batches", workers.invoice_batch_step, ctx.wake_batches),
                 ("email", workers.email_step, ctx.wake_email)]
        # One render loop more than render processes: while a loop stores its PDFs and claims the next
        # invoices, the next loop's call is already waiting in the pool, so no process sits idle.
        loops += [("render", workers.render_step, ctx.wake_render)] * (settings.render_processes + 1)
        tasks = [asyncio.create_task(workers.run_forever(name, step, wake), name=f"invoicing-{name}")
                 for name, step, wake in loops]
        try:
            # NAV reporting runs beside the workers; nothing else waits on it
            async with running_reporter(settings, runtime.pool, runtime.enqueue):
                yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await workers.close()
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)

    return ServiceSpec(name="invoicing", migrations=Path(__file__).parent / "migrations",
                       handlers=subscribers.handlers(ctx), routes=api.routes(), lifespan=lifespan)
