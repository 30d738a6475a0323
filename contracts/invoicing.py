"""Basket commands and batch outcomes (M2, M6, M23).

Commands travel on ``polc.invoicing.commands.v1`` keyed by ``basket_id``: one basket's commands
are handled in order, and a one-click invoice joins the same stream so an order cannot be
invoiced from the basket and by one click at once. Batch outcomes travel on
``polc.invoicing.batches.v1`` keyed by ``batch_id``.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from contracts.base import Message
from contracts.common import OrderRef, Part

BasketId = str


class AddOrdersToBasket(Message):
    """Move orders to the to-be-invoiced basket (M23)."""

    message_type: ClassVar[str] = "AddOrdersToBasket"

    basket_id: BasketId = Field(min_length=1, max_length=64, description='Basket, e.g. "default" or a user\'s own.')
    orders: tuple[OrderRef, ...] = Field(min_length=1, description="Orders to add; orders already in it are ignored.")
    requested_by: str = Field(min_length=1, description="User or system that asked.")


class RemoveOrdersFromBasket(Message):
    """Take orders out of the basket without invoicing them."""

    message_type: ClassVar[str] = "RemoveOrdersFromBasket"

    basket_id: BasketId = Field(min_length=1, max_length=64, description="Basket.")
    orders: tuple[OrderRef, ...] = Field(min_length=1, description="Orders to remove; orders not in it are ignored.")
    requested_by: str = Field(min_length=1, description="User or system that asked.")


class InvoiceBasket(Message):
    """Invoice every order in the basket as one batch (M6, M23)."""

    message_type: ClassVar[str] = "InvoiceBasket"

    basket_id: BasketId = Field(min_length=1, max_length=64, description="Basket.")
    batch_id: str = Field(min_length=1, max_length=64, description="Id of the batch; repeating it repeats nothing.")
    email_after: bool = Field(default=False, description="E-mail each invoice once the batch is issued.")
    requested_by: str = Field(min_length=1, description="User or system that asked.")


class InvoiceOrder(Message):
    """Invoice one order in one click, optionally e-mailing it (M2)."""

    message_type: ClassVar[str] = "InvoiceOrder"

    basket_id: BasketId = Field(
        min_length=1, max_length=64, description="Basket whose command stream this joins (its ordering, not its contents)."
    )
    order: OrderRef = Field(description="Order to invoice.")
    email: bool = Field(default=False, description="E-mail the invoice to the customer once issued.")
    requested_by: str = Field(min_length=1, description="User or system that asked.")


class EmailInvoices(Message):
    """E-mail a set of issued invoices as one batch over one SMTP connection (M6)."""

    message_type: ClassVar[str] = "EmailInvoices"

    basket_id: BasketId = Field(min_length=1, max_length=64, description="Basket the invoices came from.")
    batch_id: str = Field(min_length=1, max_length=64, description="Id of the e-mail batch; repeating it repeats nothing.")
    invoice_numbers: tuple[str, ...] = Field(
        default=(), description="Invoices to send; empty means every invoice of invoice_batch_id."
    )
    invoice_batch_id: str | None = Field(default=None, description="Invoice batch whose invoices to send.")
    resend: bool = Field(default=False, description="Send again invoices that were already sent.")
    requested_by: str = Field(min_length=1, description="User or system that asked.")


class BatchItemFailure(Part):
    """An order or invoice a batch could not handle, with the reason."""

    order: OrderRef | None = Field(default=None, description="Order that failed, for invoice batches.")
    invoice_number: str | None = Field(default=None, description="Invoice that failed, for e-mail batches.")
    reason: str = Field(min_length=1, max_length=2000, description="Why, for operators.")


class InvoiceBatchCompleted(Message):
    """An invoice batch ended: every order is invoiced or listed as failed; nothing half-made."""

    message_type: ClassVar[str] = "InvoiceBatchCompleted"

    batch_id: str = Field(min_length=1, description="Batch id from InvoiceBasket.")
    basket_id: BasketId = Field(min_length=1, description="Basket the batch was made from.")
    invoice_numbers: tuple[str, ...] = Field(description="Invoices issued by the batch, in number order.")
    failed: tuple[BatchItemFailure, ...] = Field(description="Orders left uninvoiced, with reasons; they stay in the basket.")
    finished_at: AwareDatetime = Field(description="When the batch ended.")


class EmailBatchCompleted(Message):
    """An e-mail batch ended: every invoice is sent, skipped as already sent, or failed."""

    message_type: ClassVar[str] = "EmailBatchCompleted"

    batch_id: str = Field(min_length=1, description="Batch id from EmailInvoices or InvoiceBasket.")
    sent: tuple[str, ...] = Field(description="Invoice numbers sent by this batch.")
    skipped: tuple[str, ...] = Field(description="Invoice numbers already sent earlier and not re-sent.")
    failed: tuple[BatchItemFailure, ...] = Field(description="Invoices not sent, with reasons; retryable.")
    finished_at: AwareDatetime = Field(description="When the batch ended.")


__all__ = [
    "AddOrdersToBasket",
    "BatchItemFailure",
    "EmailBatchCompleted",
    "EmailInvoices",
    "InvoiceBasket",
    "InvoiceBatchCompleted",
    "InvoiceOrder",
    "RemoveOrdersFromBasket",
]
