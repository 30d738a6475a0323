"""The reporter: sends pending reports to NAV, polls their status, recovers lost transactions.

It runs beside the invoicing workers, so issuing and e-mail never wait on NAV. Each step is
one or two short transactions:

- **send**: up to 100 pending reports are claimed, their InvoiceData built and checked against
  the official schema, and the call is recorded (``sending``) and committed *before* it is made.
  A refused or unreachable call puts the reports back to pending; a call whose answer is lost
  (timeout, reset) stays ``unconfirmed`` for recovery, so it is never blindly sent twice.
- **poll**: queryTransactionStatus until every invoice of a call is DONE or ABORTED; the
  outcome, with NAV's ERROR and WARN messages, is stored and published through the outbox
  (InvoiceReportedToNav / InvoiceNavReportRejected) in one transaction.
- **recover**: for a call without an answer, once NAV had time to register it,
  queryTransactionList over the period and queryTransactionStatus with the original request of
  every unknown transaction: a transaction carrying our invoices is adopted and polled; if none
  does, NAV never received the call and its reports are sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg

from contracts.nav import InvoiceNavReportRejected, InvoiceReportedToNav, NavMessage
from services.invoicing.building import InvoiceDocument
from services.invoicing.nav import invoice_xml, schema
from services.invoicing.nav import store as nav_store
from services.invoicing.nav.client import NavClient, NavError, NavRefused, NavUnavailable, new_request_id
from services.invoicing.nav.messages import Operation, ProcessingResult, encode_invoice_data

log = logging.getLogger(__name__)

Enqueue = Callable[[asyncpg.Connection, list], Awaitable[object]]
MAX_OPERATIONS = 100


@dataclass(frozen=True)
class ReporterConfig:
    batch_size: int = MAX_OPERATIONS
    batch_wait_s: float = 1.0
    poll_interval_s: float = 2.0
    retry_delay_s: float = 30.0
    recover_after_s: float = 300.0
    request_timeout_s: float = 30.0
    compress: bool = False


def _message(severity: str, code: str, text: str) -> dict:
    return NavMessage(severity=severity, code=code[:200] or severity, text=text[:2000]).model_dump(mode="json")


def outcome(result: ProcessingResult) -> tuple[str, list[dict], list[dict]] | None:
    """(status, warnings, errors) of a finished invoice; None while NAV is still processing it."""
    if result.status not in ("DONE", "ABORTED"):
        return None
    errors = [_message("ERROR", m.code, m.text) for m in result.messages if m.severity == "ERROR"]
    warnings = [_message(m.severity, m.code, m.text) for m in result.messages if m.severity in ("WARN", "INFO")]
    if result.status == "ABORTED":
        return "rejected", warnings, errors or [_message("ERROR", "ABORTED", "NAV aborted the report")]
    return ("rejected", warnings, errors) if errors else ("done", warnings, [])


class Reporter:
    """The NAV reporting loop of one service instance; several instances share the work safely."""

    def __init__(self, *, pool: asyncpg.Pool, enqueue: Enqueue, client: NavClient, config: ReporterConfig) -> None:
        self.pool, self.enqueue, self.client, self.config = pool, enqueue, client, config
        self.wake = asyncio.Event()

    async def run_forever(self) -> None:
        while True:
            try:
                worked = any([await self.send_step(), await self.poll_step(), await self.recover_step()])
            except asyncio.CancelledError:
                raise
            except Exception:  # the reporter never dies: log, back off, try again
                log.exception("NAV reporter step failed; retrying")
                worked = False
                await asyncio.sleep(self.config.poll_interval_s)
            if not worked:
                self.wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), self.config.poll_interval_s)

    # Sending -----------------------------------------------------------------------------------

    async def send_step(self) -> bool:
        """Send one manageInvoice call of pending reports; True if there was something to send."""
        async with self.pool.acquire() as conn, conn.transaction():
            count, oldest = await nav_store.pending_count(conn)
            if not count:
                return False
            young = oldest > datetime.now(UTC) - timedelta(seconds=self.config.batch_wait_s)
            if count < self.config.batch_size and young:
                return False  # collect a fuller call for a moment
            rows = await nav_store.claim_pending(conn, min(self.config.batch_size, MAX_OPERATIONS))
            submission_id, request_id = uuid.uuid4(), new_request_id()
            operations, numbers, xmls, events = [], [], [], []
            for row in rows:
                doc = InvoiceDocument.model_validate(row["document"])
                xml = invoice_xml.invoice_data(doc)
                problems = schema.invoice_data_errors(xml)
                if problems:
                    errors = [_message("ERROR", "SCHEMA_VIOLATION", str(p)) for p in problems[:20]]
                    await nav_store.reject_unsent(conn, doc.invoice_number, errors, xml.decode())
                    events.append(InvoiceNavReportRejected(
                        invoice_number=doc.invoice_number, operation=row["operation"], transaction_id=None,
                        errors=tuple(NavMessage(**e) for e in errors), rejected_at=datetime.now(UTC)))
                    log.error("NAV report of %s fails the schema: %s", doc.invoice_number, problems[0])
                    continue
                operations.append(Operation(len(operations) + 1, row["operation"],
                                            encode_invoice_data(xml, self.config.compress)))
                numbers.append(doc.invoice_number)
                xmls.append(xml.decode())
            if operations:
                await nav_store.insert_submission(conn, submission_id, request_id, len(operations), self.config.compress)
                await nav_store.mark_sending(conn, submission_id, numbers, [op.index for op in operations], xmls)
            await self.enqueue(conn, events)
        if operations:
            await self._call(submission_id, request_id, operations)
        return bool(rows)

    async def _call(self, submission_id: uuid.UUID, request_id: str, operations: list[Operation]) -> None:
        try:
            transaction_id = await self.client.manage_invoice(request_id, operations, compressed=self.config.compress)
        except NavUnavailable as error:
            async with self.pool.acquire() as conn, conn.transaction():
                if error.maybe_processed:
                    await nav_store.submission_unconfirmed(conn, submission_id, str(error)[:2000])
                else:
                    await nav_store.submission_not_sent(conn, submission_id, "failed", str(error)[:2000],
                                                        self.config.retry_delay_s)
            log.warning("manageInvoice of %d invoices: %s%s", len(operations), error,
                        "; will look for it with queryTransactionList" if error.maybe_processed else "; will retry")
            return
        except NavRefused as error:
            async with self.pool.acquire() as conn, conn.transaction():
                await nav_store.submission_not_sent(conn, submission_id, "failed", str(error)[:2000],
                                                    self.config.retry_delay_s)
            log.error("manageInvoice of %d invoices refused: %s; will retry", len(operations), error)
            return
        async with self.pool.acquire() as conn, conn.transaction():
            await nav_store.submission_sent(conn, submission_id, transaction_id)
        log.info("reported %d invoices to NAV in transaction %s", len(operations), transaction_id)

    # Polling -----------------------------------------------------------------------------------

    async def poll_step(self) -> bool:
        """Read the status of one sent call and record what finished."""
        async with self.pool.acquire() as conn, conn.transaction():
            sub = await nav_store.claim_submission_to_poll(conn)
            if sub is None:
                return False
            try:
                results = await self.client.query_transaction_status(sub["transaction_id"])
            except NavError as error:
                await nav_store.poll_again(conn, sub["submission_id"], self.config.poll_interval_s * 2, str(error))
                log.warning("queryTransactionStatus %s: %s", sub["transaction_id"], error)
                return False
            by_index = {r.index: r for r in results}
            events, open_reports = [], 0
            for report in await nav_store.reports_of_submission(conn, sub["submission_id"]):
                if report["status"] != "sent":
                    continue
                result = by_index.get(report["op_index"])
                finished = outcome(result) if result else None
                if finished is None:
                    open_reports += 1
                    continue
                status, warnings, errors = finished
                await nav_store.finish_report(conn, report["invoice_number"], status=status, warnings=warnings,
                                              errors=errors)
                events.append(self._event(report, sub["transaction_id"], status, warnings, errors))
            if open_reports:
                await nav_store.poll_again(conn, sub["submission_id"], self.config.poll_interval_s)
            else:
                await nav_store.close_submission(conn, sub["submission_id"])
            await self.enqueue(conn, events)
        return bool(events)

    @staticmethod
    def _event(report: asyncpg.Record, transaction_id: str, status: str, warnings: list[dict], errors: list[dict]):
        now = datetime.now(UTC)
        if status == "done":
            return InvoiceReportedToNav(invoice_number=report["invoice_number"], operation=report["operation"],
                                        transaction_id=transaction_id, index=report["op_index"],
                                        warnings=tuple(NavMessage(**w) for w in warnings), reported_at=now)
        log.warning("NAV rejected the report of %s: %s", report["invoice_number"],
                    "; ".join(f"{e['code']} {e['text']}" for e in errors))
        return InvoiceNavReportRejected(invoice_number=report["invoice_number"], operation=report["operation"],
                                        transaction_id=transaction_id, errors=tuple(NavMessage(**e) for e in errors),
                                        rejected_at=now)

    # Recovery ----------------------------------------------------------------------------------

    async def recover_step(self) -> bool:
        """Resolve one call whose answer was lost: adopt its transaction, or send its reports again."""
        c = self.config
        async with self.pool.acquire() as conn, conn.transaction():
            sub = await nav_store.claim_submission_to_recover(conn, c.recover_after_s,
                                                              c.recover_after_s + 2 * c.request_timeout_s)
            if sub is None:
                return False
            reports = {r["invoice_number"]: r for r in await nav_store.reports_of_submission(conn, sub["submission_id"])
                       if r["status"] == "sending"}
            try:
                found = await self._find_at_nav(conn, sub["created_at"], set(reports))
            except NavError as error:
                log.warning("looking for lost NAV call %s: %s; will try again", sub["request_id"], error)
                return False
            if found:
                transaction_id = next(iter({tx for tx, _ in found.values()}))
                numbers = [n for n, (tx, _) in found.items() if tx == transaction_id]
                await nav_store.adopt_transaction(conn, sub["submission_id"], transaction_id, numbers,
                                                  [found[n][1] for n in numbers])
                log.info("lost NAV call %s found as transaction %s", sub["request_id"], transaction_id)
            if not found or len(found) < len(reports):
                await nav_store.submission_not_sent(conn, sub["submission_id"], "sent" if found else "lost",
                                                    "not received by NAV; sent again", 0)
                log.info("lost NAV call %s was not received by NAV; its reports are sent again", sub["request_id"])
        return True

    async def _find_at_nav(self, conn: asyncpg.Connection, since: datetime,
                           numbers: set[str]) -> dict[str, tuple[str, int]]:
        """Our invoice numbers found in transactions we do not know: number -> (transaction, index)."""
        listed = await self.client.query_transaction_list(since - timedelta(minutes=1), datetime.now(UTC))
        known = await nav_store.known_transactions(conn, [t.transaction_id for t in listed])
        found: dict[str, tuple[str, int]] = {}
        for tx in listed:
            if tx.transaction_id in known:
                continue
            for result in await self.client.query_transaction_status(tx.transaction_id, return_original=True):
                if result.original_invoice_number in numbers:
                    found[result.original_invoice_number] = (tx.transaction_id, result.index)
        return found
