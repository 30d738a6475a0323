"""Starting invoice and e-mail batches from basket commands (M6, M23).

A command only records the batch; the workers do the work in small transactions, so progress is
visible while a batch runs and a crash loses nothing. Repeating a batch id repeats nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from contracts.base import Message
from contracts.invoicing import EmailBatchCompleted, EmailInvoices, InvoiceBasket, InvoiceBatchCompleted
from services.invoicing import issuing, store


async def start_invoice_batch(conn: asyncpg.Connection, ctx: issuing.Context, cmd: InvoiceBasket) -> list[Message]:
    """Freeze the basket's current orders into batch ``cmd.batch_id``; an empty basket ends at once."""
    if not await store.create_batch(conn, batch_id=cmd.batch_id, kind="invoice", basket_id=cmd.basket_id,
                                    email_after=cmd.email_after, resend=False, requested_by=cmd.requested_by):
        return []
    if await store.snapshot_basket(conn, cmd.batch_id, cmd.basket_id) == 0:
        now = datetime.now(UTC)
        await store.finish_batch(conn, cmd.batch_id, now)
        await store.finish_mailing(conn, cmd.batch_id, now)
        return [InvoiceBatchCompleted(batch_id=cmd.batch_id, basket_id=cmd.basket_id, invoice_numbers=(),
                                      failed=(), finished_at=now)]
    ctx.wake_batches.set()
    return []


async def start_email_batch(conn: asyncpg.Connection, ctx: issuing.Context, cmd: EmailInvoices) -> list[Message]:
    """Queue the e-mails of the named invoices (or of an invoice batch) as batch ``cmd.batch_id``.

    Invoices already sent are skipped unless ``resend`` is set; unknown numbers are ignored.
    """
    if not await store.create_batch(conn, batch_id=cmd.batch_id, kind="email", basket_id=cmd.basket_id,
                                    email_after=False, resend=cmd.resend, requested_by=cmd.requested_by):
        return []
    numbers = list(cmd.invoice_numbers)
    if not numbers and cmd.invoice_batch_id:
        numbers = await store.invoices_of_batch(conn, cmd.invoice_batch_id)
    numbers = await store.existing_invoices(conn, numbers)
    skipped = [] if cmd.resend else await store.already_sent(conn, numbers)
    to_send = [n for n in numbers if n not in set(skipped)]
    await store.queue_emails(conn, to_send, cmd.batch_id)
    await store.set_skipped(conn, cmd.batch_id, skipped)
    if not to_send:
        now = datetime.now(UTC)
        await store.finish_mailing(conn, cmd.batch_id, now)
        return [EmailBatchCompleted(batch_id=cmd.batch_id, sent=(), skipped=tuple(sorted(skipped)), failed=(),
                                    finished_at=now)]
    ctx.wake_email.set()
    return []
