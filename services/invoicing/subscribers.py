"""One thin subscriber per consumed message: parse, call one use case, return what to publish.

Delivery semantics (the runtime's, for every subscriber here): consumer group
``polc.invoicing.main``; the offset is committed after the handler's transaction commits; the
inbox row, the writes and the outbox rows commit together, so a redelivered command changes
nothing; database and network errors are retried without limit; ``PermanentError`` (for
example a storno of an unknown invoice) is dead-lettered with its reason. An order that cannot be
invoiced is not an error of the message: it is answered with ``OrderInvoicingFailed``.
"""

from __future__ import annotations

from collections.abc import Sequence
import asyncpg

from contracts.base import Message
from contracts.invoices import CancelInvoice
from contracts.invoicing import (
    AddOrdersToBasket,
    EmailInvoices,
    InvoiceBasket,
    InvoiceOrder,
    RemoveOrdersFromBasket,
)
from contracts.orders import OrderCancelled, OrderReceived
from polc.runtime.consumer import Handler, Incoming
from services.invoicing import baskets, issuing, store
from services.invoicing.errors import InvoicingError


def handlers(ctx: issuing.Context) -> dict[type[Message], Handler]:
    """The subscribers, bound to the service's context."""

    async def on_order_received(conn: asyncpg.Connection, incoming: Incoming) -> Sequence[Message]:
        order: OrderReceived = incoming.payload
        await store.insert_order(conn, order.shop_id, order.shop_order_id, order.order_number,
                                 order.model_dump(mode="json"))
        return ()

    async def on_order_cancelled(conn: asyncpg.Connection, incoming: Incoming) -> Sequence[Message]:
        cancelled: OrderCancelled = incoming.payload
        await store.cancel_order(conn, cancelled.shop_id, cancelled.shop_order_id, cancelled.cancelled_at)
        return ()

    async def on_add_orders_to_basket(conn: asyncpg.Connection, incoming: Incoming) -> Sequence[Message]:
        cmd: AddOrdersToBasket = incoming.payload
        await store.add_to_basket(conn, cmd.basket_id, cmd.orders, cmd.requested_by)
        return ()

    async def on_remove_orders_from_basket(conn: asyncpg.Connection, incoming: Incoming) -> Sequence[Message]:
        cmd: RemoveOrdersFromBasket = incoming.payload
        await store.remove_from_basket(conn, cmd.basket_id, cmd.orders)
        return ()

    async def on_invoice_basket(conn: asyncpg.Connection, incoming: Incoming) -> Sequence[Message]:
        return await baskets.start_invoice_batch(conn, ctx, incoming.payload)

    async def on_invoice_order(conn: asyncpg.Connection, incoming: Incoming) -> Sequence[Message]:
        cmd: InvoiceOrder = incoming.payload
        try:
            await issuing.issue_invoice(conn, ctx, cmd.order, batch_id=None, email=cmd.email)
        except InvoicingError as error:
            return [issuing.failure_event(cmd.order, error, None)]
        return ()

    async def on_email_invoices(conn: asyncpg.Connection, incoming: Incoming) -> Sequence[Message]:
        return await baskets.start_email_batch(conn, ctx, incoming.payload)

    async def on_cancel_invoice(conn: asyncpg.Connection, incoming: Incoming) -> Sequence[Message]:
        cmd: CancelInvoice = incoming.payload
        await issuing.cancel_invoice(conn, ctx, cmd.invoice_number, cmd.reason, cmd.restock)
        return ()

    return {
        OrderReceived: on_order_received,
        OrderCancelled: on_order_cancelled,
        AddOrdersToBasket: on_add_orders_to_basket,
        RemoveOrdersFromBasket: on_remove_orders_from_basket,
        InvoiceBasket: on_invoice_basket,
        InvoiceOrder: on_invoice_order,
        EmailInvoices: on_email_invoices,
        CancelInvoice: on_cancel_invoice,
    }

