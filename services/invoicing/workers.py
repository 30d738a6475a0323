"""Background work of the service: invoice batches, PDF rendering and e-mail batches.

Every step is one transaction that writes its result and the events it causes together (the
runtime's ``enqueue``), and claims its work with ``FOR UPDATE SKIP LOCKED``: several workers and
several instances share the work, and a crash at any point leaves the claimed work unclaimed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from datetime import UTC, datetime

import asyncpg

from contracts.common import OrderRef
from contracts.invoices import InvoiceEmailed, InvoiceEmailFailed
from contracts.invoicing import BatchItemFailure, EmailBatchCompleted, InvoiceBatchCompleted
from polc.runtime import metrics
from services.invoicing import building, issuing, mailer, pdf, store
from services.invoicing.building import InvoiceDocument
from services.invoicing.errors import InvoicingError
from services.invoicing.settings import Settings

log = logging.getLogger(__name__)

Enqueue = Callable[[asyncpg.Connection, list], Awaitable[object]]

RENDER_BATCH = 8
"""Invoices a render worker takes per step (one render-process call, one transaction)."""
SMTP_IDLE_CLOSE_S = 10.0
"""The kept SMTP connection is closed once no mail was due for this long."""


class Workers:
    """Loops run by the service's lifespan; each wakes on its event or every poll interval."""

    def __init__(self, *, pool: asyncpg.Pool, enqueue: Enqueue, ctx: issuing.Context, settings: Settings,
                 executor: Executor | None) -> None:
        self.pool, self.enqueue, self.ctx, self.settings, self.executor = pool, enqueue, ctx, settings, executor
        self._smtp: mailer.Mailer | None = None
        self._smtp_used_at = 0.0

    # Loop plumbing -----------------------------------------------------------------------------

    async def run_forever(self, name: str, step: Callable[[], Awaitable[bool]], wake: asyncio.Event) -> None:
        """Run ``step`` while it finds work; otherwise sleep until woken or the poll interval passes."""
        while True:
            wake.clear()  # before the step: a wake-up during the step is not lost
            try:
                worked = await step()
            except asyncio.CancelledError:
                raise
            except Exception:  # a worker never dies: log, back off, try again
                log.exception("invoicing %s worker failed; retrying", name)
                worked = False
                await asyncio.sleep(1.0)
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), self.settings.worker_poll_interval_s)

    # Invoice batches ---------------------------------------------------------------------------

    async def invoice_batch_step(self) -> bool:
        """Invoice one chunk of pending batch items in one transaction; finish batches that are done."""
        touched: set[str] = set()
        async with self.pool.acquire() as conn, conn.transaction():
            items = await store.claim_batch_items(conn, self.settings.batch_chunk_size)
            events = []
            for item in items:
                ref = OrderRef(shop_id=item["shop_id"], shop_order_id=item["shop_order_id"])
                touched.add(item["batch_id"])
                try:
                    issued = await issuing.issue_invoice(conn, self.ctx, ref, batch_id=item["batch_id"],
                                                         email=item["email_after"])
                except InvoicingError as error:
                    await store.finish_batch_item(conn, item["batch_id"], item["position"], status="failed",
                                                  reason=error.reason, detail=error.detail)
                    events.append(issuing.failure_event(ref, error, item["batch_id"]))
                    continue
                await store.finish_batch_item(conn, item["batch_id"], item["position"], status="done",
                                              invoice_number=issued.invoice_number)
            await self.enqueue(conn, events)
        if not items:
            async with self.pool.acquire() as conn:
                touched.update(await store.running_batches(conn, "invoice"))
        for batch_id in touched:
            await self.finish_invoice_batch(batch_id)
        return bool(items)

    async def finish_invoice_batch(self, batch_id: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            batch = await store.lock_running_batch(conn, batch_id)
            if batch is None or await store.count_pending_items(conn, batch_id):
                return
            rows = await store.batch_items(conn, batch_id)
            now = datetime.now(UTC)
            done = sorted((r["invoice_number"] for r in rows if r["status"] == "done"),
                          key=lambda n: (n.rsplit("-", 1)[0], int(n.rsplit("-", 1)[1])))
            failed = tuple(
                BatchItemFailure(order=OrderRef(shop_id=r["shop_id"], shop_order_id=r["shop_order_id"]),
                                 reason=f"{r['reason']}: {r['detail']}"[:2000])
                for r in rows if r["status"] == "failed")
            await store.finish_batch(conn, batch_id, now)
            await self.enqueue(conn, [InvoiceBatchCompleted(batch_id=batch_id, basket_id=batch["basket_id"],
                                                            invoice_numbers=tuple(done), failed=failed,
                                                            finished_at=now)])
        log.info("invoice batch %s done: %d invoiced, %d failed", batch_id, len(done), len(failed))

    # PDFs --------------------------------------------------------------------------------------

    async def render_step(self) -> bool:
        """Render a few invoices' PDFs, store them and publish InvoiceIssued / InvoiceCancelled with them.

        Several invoices go to a render process in one call and are stored in one transaction with
        set-based statements: the process and the database see a few round trips per batch instead
        of per invoice.
        """
        queued: dict[str | None, list[str]] = {}
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await store.claim_renders(conn, RENDER_BATCH)
            if not rows:
                return False
            docs = [InvoiceDocument.model_validate(row["document"]) for row in rows]
            pdfs = await self._render(docs)
            digests = [pdf.sha256(data) for data in pdfs]
            await store.insert_pdfs(conn, [(doc.invoice_number, data, digest)
                                           for doc, data, digest in zip(docs, pdfs, digests, strict=True)])
            await store.unqueue_renders(conn, [doc.invoice_number for doc in docs])
            events = []
            for row, doc, digest in zip(rows, docs, digests, strict=True):
                if doc.kind == "storno":
                    events.append(building.cancelled_event(doc, digest))
                else:
                    events.append(building.issued_event(doc, digest, row["batch_id"]))
                if row["email"]:
                    queued.setdefault(row["batch_id"], []).append(doc.invoice_number)
            for batch_id, numbers in queued.items():
                await store.queue_emails(conn, numbers, batch_id)
            await self.enqueue(conn, events)
        for doc in docs:
            metrics.INVOICES_ISSUED.labels(doc.invoice_number.split("-", 1)[0]).inc()
        if queued:
            self.ctx.wake_email.set()  # after the commit, so the mailer finds the PDFs
        return True

    async def _render(self, docs: list[InvoiceDocument]) -> list[bytes]:
        if self.executor is None:
            return await asyncio.to_thread(lambda: [pdf.render_pdf(doc) for doc in docs])
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, pdf.render_pdfs_json,
                                          [doc.model_dump_json() for doc in docs])

    # E-mail ------------------------------------------------------------------------------------

    async def email_step(self) -> bool:
        """Send every due e-mail of one batch over one SMTP connection; finish e-mail batches."""
        async with self.pool.acquire() as conn:
            due = await store.next_email_batch(conn)
        if due is None:
            async with self.pool.acquire() as conn:
                for batch_id in await store.batches_mailing(conn):
                    await self.finish_email_batch(batch_id)
            await self._close_idle_smtp()
            return False
        batch_id = due["batch_id"]
        smtp = self._smtp_connection()
        while await self._send_one(smtp, batch_id):
            pass
        self._smtp_used_at = asyncio.get_running_loop().time()
        if batch_id is not None:
            await self.finish_email_batch(batch_id)
        return True

    def _smtp_connection(self) -> mailer.Mailer:
        """One SMTP connection kept across the steps of a running batch: the mailer often catches up
        with rendering and waits for the next PDFs, and reconnecting each time would cost more than
        the mails themselves."""
        if self._smtp is None:
            self._smtp = mailer.Mailer(self.settings)
        return self._smtp

    async def _close_idle_smtp(self) -> None:
        if self._smtp is not None and asyncio.get_running_loop().time() - self._smtp_used_at >= SMTP_IDLE_CLOSE_S:
            await self.close()

    async def close(self) -> None:
        """Close the kept SMTP connection (the service is stopping, or the mailer is idle)."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            await smtp.close()

    async def _send_one(self, smtp: mailer.Mailer, batch_id: str | None) -> bool:
        # The row stays locked while the server takes the message and is marked sent in the same
        # transaction, so no other worker or instance can send it a second time.
        async with self.pool.acquire() as conn, conn.transaction():
            row = await store.claim_email(conn, batch_id)
            if row is None:
                return False
            doc = InvoiceDocument.model_validate(row["document"])
            attempt = row["attempts"] + 1
            to = row["to_address"]
            try:
                address = mailer.recipient(to)
                message = mailer.build_message(doc, bytes(row["pdf"]), sender=self.settings.smtp_from,
                                               to=address, attempt=attempt)
                await smtp.send(message, address)
            except mailer.SendFailed as failure:
                await self._record_failure(conn, row, attempt, failure)
                return True
            now = datetime.now(UTC)
            await store.mark_email_sent(conn, doc.invoice_number, message["Message-ID"], now)
            await self.enqueue(conn, [InvoiceEmailed(
                invoice_number=doc.invoice_number, to=address, smtp_message_id=message["Message-ID"],
                pdf_sha256=row["sha256"], batch_id=batch_id, attempt=attempt, sent_at=now)])
        metrics.INVOICE_EMAILS.labels("sent").inc()
        return True

    async def _record_failure(self, conn: asyncpg.Connection, row: asyncpg.Record, attempt: int,
                              failure: mailer.SendFailed) -> None:
        s = self.settings
        give_up = failure.error == "no_address" or row["batch_attempts"] + 1 >= s.email_max_attempts
        delay = s.email_retry_delay_s * 2 ** row["batch_attempts"]
        await store.mark_email_failed(conn, row["invoice_number"], give_up=give_up, retry_in_s=delay,
                                      error=failure.error, detail=failure.detail[:2000])
        log.warning("e-mail of %s failed (%s, attempt %d)%s", row["invoice_number"], failure.error, attempt,
                    "" if give_up else f"; retrying in {delay:.1f}s")
        await self.enqueue(conn, [InvoiceEmailFailed(
            invoice_number=row["invoice_number"], to=row["to_address"], batch_id=row["batch_id"], attempt=attempt,
            error=failure.error, detail=failure.detail[:2000] or failure.error, will_retry=not give_up,
            failed_at=datetime.now(UTC))])
        metrics.INVOICE_EMAILS.labels("failed").inc()

    async def finish_email_batch(self, batch_id: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            batch = await store.lock_mailing_batch(conn, batch_id)
            if batch is None:
                return
            rows = await store.email_batch_rows(conn, batch_id)
            if any(r["status"] == "queued" for r in rows):
                return
            now = datetime.now(UTC)
            sent = tuple(r["invoice_number"] for r in rows if r["status"] == "sent")
            failed = tuple(BatchItemFailure(invoice_number=r["invoice_number"],
                                            reason=f"{r['error']}: {r['detail']}"[:2000])
                           for r in rows if r["status"] == "failed")
            await store.finish_mailing(conn, batch_id, now)
            await self.enqueue(conn, [EmailBatchCompleted(batch_id=batch_id, sent=sent,
                                                          skipped=tuple(batch["skipped"]), failed=failed,
                                                          finished_at=now)])
        log.info("e-mail batch %s done: %d sent, %d skipped, %d failed", batch_id, len(sent),
                 len(batch["skipped"]), len(failed))
