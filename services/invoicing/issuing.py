"""Use cases that issue invoices and stornos: the number is taken in the transaction that stores them.

Each function runs on a connection inside the caller's transaction (a message handler's or a
worker's). Issuing one order happens in a savepoint, so a failing order leaves the numbers and
invoices of the others untouched and its own number untaken.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import asyncpg

from contracts.common import OrderRef
from contracts.invoices import OrderInvoicingFailed
from contracts.orders import OrderReceived
from polc.runtime.errors import PermanentError
from services.invoicing import building, numbering, store
from services.invoicing.building import InvoiceDocument, Terms
from services.invoicing.errors import InvoicingError
from services.invoicing.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What the use cases need from settings, plus the events that wake the workers."""

    terms: Terms
    series: dict[str, str]
    default_series: str
    timezone: ZoneInfo
    wake_render: asyncio.Event = field(default_factory=asyncio.Event)
    wake_batches: asyncio.Event = field(default_factory=asyncio.Event)
    wake_email: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def from_settings(cls, settings: Settings) -> Context:
        from services.invoicing.parties import seller_from

        seller = seller_from(settings.model_dump())
        terms = Terms(seller=seller, due_days=dict(settings.due_days),
                      cash_payment_codes=frozenset(c.upper() for c in settings.cash_payment_codes),
                      cash_accounting=settings.cash_accounting, appearance=settings.appearance,  # type: ignore[arg-type]
                      bank_account=settings.seller_bank_account)
        return cls(terms=terms, series=dict(settings.series), default_series=settings.default_series,
                   timezone=ZoneInfo(settings.timezone))

    def now(self) -> tuple[datetime, object]:
        issued_at = datetime.now(UTC)
        return issued_at, issued_at.astimezone(self.timezone).date()


@dataclass(frozen=True)
class Issued:
    invoice_number: str


def failure_event(ref: OrderRef, error: InvoicingError, batch_id: str | None) -> OrderInvoicingFailed:
    return OrderInvoicingFailed(shop_id=ref.shop_id, shop_order_id=ref.shop_order_id, batch_id=batch_id,
                                reason=error.reason, detail=error.detail[:2000], failed_at=datetime.now(UTC))


async def _load_open_order(conn: asyncpg.Connection, ref: OrderRef) -> OrderReceived:
    row = await store.get_order(conn, ref.shop_id, ref.shop_order_id)
    if row is None:
        raise InvoicingError("other", f"order {ref.shop_id}/{ref.shop_order_id} has not been received")
    if row["invoice_number"]:
        raise InvoicingError("already_invoiced", f"order {row['order_number']} is already invoiced as "
                                                 f"{row['invoice_number']}")
    if row["status"] != "open":
        raise InvoicingError("order_not_open", f"order {row['order_number']} is {row['status']}")
    return OrderReceived.model_validate(row["document"])


async def _store_document(conn: asyncpg.Connection, doc: InvoiceDocument, number: numbering.InvoiceNumber,
                          batch_id: str | None, email: bool) -> None:
    await store.insert_invoice(
        conn, number=doc.invoice_number, series=number.series, year=number.year, sequence=number.sequence,
        kind=doc.kind, shop_id=doc.shop_id, shop_order_id=doc.shop_order_id, original=doc.original_invoice_number,
        batch_id=batch_id, document=doc.model_dump(mode="json"), issued_at=doc.issued_at)
    await store.queue_render(conn, doc.invoice_number, email)


async def issue_invoice(conn: asyncpg.Connection, ctx: Context, ref: OrderRef, *, batch_id: str | None,
                        email: bool) -> Issued:
    """Invoice one order; raises InvoicingError (with nothing written) when it cannot be invoiced."""
    try:
        async with conn.transaction():  # a savepoint: a failure gives the number back
            order = await _load_open_order(conn, ref)
            prepared = building.prepare_invoice(order, ctx.terms)
            series = numbering.series_for(order.shop_id, ctx.series, ctx.default_series)
            issued_at, issue_date = ctx.now()
            sequence = await store.next_sequence(conn, series, issue_date.year)
            number = numbering.InvoiceNumber(series, issue_date.year, sequence)
            doc = building.draft_invoice(prepared, ctx.terms, issued_at=issued_at, issue_date=issue_date,
                                         invoice_number=str(number), series=series)
            await _store_document(conn, doc, number, batch_id, email)
            await store.remove_invoiced_from_baskets(conn, [ref.shop_id], [ref.shop_order_id])
    except asyncpg.UniqueViolationError as error:  # the same order invoiced concurrently elsewhere
        raise InvoicingError("already_invoiced", f"order {ref.shop_id}/{ref.shop_order_id} was invoiced "
                                                 "concurrently") from error
    ctx.wake_render.set()
    return Issued(str(number))


async def cancel_invoice(conn: asyncpg.Connection, ctx: Context, invoice_number: str, reason: str,
                         restock: bool = True) -> str | None:
    """Issue the storno of ``invoice_number``; None when it is already cancelled."""
    row = await store.lock_invoice(conn, invoice_number)
    if row is None:
        raise PermanentError(f"invoice {invoice_number} does not exist")
    if row["kind"] != "invoice":
        raise PermanentError(f"{invoice_number} is a storno; a storno cannot be cancelled")
    if await store.storno_of(conn, invoice_number):
        return None
    original = InvoiceDocument.model_validate(row["document"])
    issued_at, issue_date = ctx.now()
    sequence = await store.next_sequence(conn, original.series, issue_date.year)
    number = numbering.InvoiceNumber(original.series, issue_date.year, sequence)
    doc = building.storno_of(original, reason=reason, issued_at=issued_at, issue_date=issue_date,
                             invoice_number=str(number), series=original.series, restock=restock)
    await _store_document(conn, doc, number, None, email=False)
    ctx.wake_render.set()
    return str(number)
