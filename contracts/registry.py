"""Every topic polc uses, what travels on it, and how to find a message's class and topic.

A message type lives on exactly one topic. Keys are built from payload fields joined with
``:``, so all records of one order, one warehouse+SKU or one shop land on one partition in
the order they were published.
"""

from __future__ import annotations

from contracts import catalog, fulfilment, invoices, invoicing, nav, orders, push, stock, sync
from contracts.base import Envelope, Message
from contracts.topics import DEAD_LETTER_TOPIC, Topic

DAY_MS = 24 * 3600 * 1000
COMMANDS_RETENTION_MS = 7 * DAY_MS
EVENTS_RETENTION_MS = 30 * DAY_MS

#: Service and client names used as publishers and subscribers.
ORDER_INGEST = "order_ingest"
STOCK_LEDGER = "stock_ledger"
WEBSHOP_PUSH = "webshop_push"
INVOICING = "invoicing"
CLI = "cli"
BACKOFFICE = "backoffice"
SERVICES = (ORDER_INGEST, STOCK_LEDGER, WEBSHOP_PUSH, INVOICING)

SYNC_COMMANDS = Topic(
    name="polc.shops.sync.commands.v1",
    description="Requests to poll a shop's orders now (M20), from people and from webshop_push's fence.",
    key="shop_id",
    key_fields=("shop_id",),
    messages=(sync.SyncRequested,),
    publishers=(CLI, BACKOFFICE, WEBSHOP_PUSH),
    subscribers=(ORDER_INGEST,),
    retention_ms=COMMANDS_RETENTION_MS,
)
SYNC_EVENTS = Topic(
    name="polc.shops.sync.v1",
    description="Outcome of every shop poll, scheduled (M19) or requested, with the ingest watermark.",
    key="shop_id",
    key_fields=("shop_id",),
    messages=(sync.SyncCompleted, sync.ShopSyncFailed),
    publishers=(ORDER_INGEST,),
    subscribers=(WEBSHOP_PUSH, BACKOFFICE),
    retention_ms=COMMANDS_RETENTION_MS,
)
ORDERS = Topic(
    name="polc.orders.v1",
    description="Order documents ingested from the shops and their later status changes and cancellations.",
    key="shop_id:shop_order_id (one order's events stay in order)",
    key_fields=("shop_id", "shop_order_id"),
    messages=(orders.OrderReceived, orders.OrderStatusChanged, orders.OrderCancelled),
    publishers=(ORDER_INGEST,),
    subscribers=(STOCK_LEDGER, INVOICING, WEBSHOP_PUSH),
    partitions=12,
    retention_ms=EVENTS_RETENTION_MS,
)
ORDER_REVIEW = Topic(
    name="polc.orders.review.v1",
    description="Orders held in the review queue with their reason, and their release.",
    key="shop_id:shop_order_id",
    key_fields=("shop_id", "shop_order_id"),
    messages=(orders.OrderQuarantined, orders.OrderReviewResolved),
    publishers=(ORDER_INGEST,),
    subscribers=(BACKOFFICE,),
    retention_ms=EVENTS_RETENTION_MS,
)
CATALOG_COMMANDS = Topic(
    name="polc.catalog.commands.v1",
    description="Create products and change their prices in the back-office catalog.",
    key="sku",
    key_fields=("sku",),
    messages=(catalog.CreateProduct, catalog.ChangeProductPrice),
    publishers=(CLI, BACKOFFICE),
    subscribers=(STOCK_LEDGER,),
    retention_ms=COMMANDS_RETENTION_MS,
)
CATALOG_DISCOVERIES = Topic(
    name="polc.catalog.discoveries.v1",
    description="Products found in shop orders and downloaded by order ingest (M10, M28).",
    key="sku",
    key_fields=("sku",),
    messages=(catalog.ProductDiscovered,),
    publishers=(ORDER_INGEST,),
    subscribers=(STOCK_LEDGER, WEBSHOP_PUSH),
    retention_ms=EVENTS_RETENTION_MS,
)
CATALOG = Topic(
    name="polc.catalog.v1",
    description="Products created and normal prices changed in the back office (M29, M31).",
    key="sku",
    key_fields=("sku",),
    messages=(catalog.ProductCreated, catalog.ProductPriceChanged),
    publishers=(STOCK_LEDGER,),
    subscribers=(WEBSHOP_PUSH,),
    retention_ms=EVENTS_RETENTION_MS,
)
STOCK_COMMANDS = Topic(
    name="polc.stock.commands.v1",
    description="Goods receipts, purchase orders, manual adjustments, stock counts and transfers.",
    key="warehouse_id (the source warehouse for transfers)",
    key_fields=("warehouse_id",),
    messages=(stock.RecordGoodsReceipt, stock.RecordPurchaseOrder, stock.AdjustStock, stock.TransferStock),
    publishers=(CLI, BACKOFFICE),
    subscribers=(STOCK_LEDGER,),
    retention_ms=COMMANDS_RETENTION_MS,
)
STOCK_CHANGES = Topic(
    name="polc.stock.changes.v1",
    description="Physical, reserved, free and incoming stock per warehouse and SKU after every change. "
    "Compacted: the latest record per key is the current state.",
    key="warehouse_id:sku",
    key_fields=("warehouse_id", "sku"),
    messages=(stock.StockChanged,),
    publishers=(STOCK_LEDGER,),
    subscribers=(WEBSHOP_PUSH,),
    partitions=12,
    retention_ms=EVENTS_RETENTION_MS,
    configs={"cleanup.policy": "compact"},
)
FULFILMENT = Topic(
    name="polc.fulfilment.v1",
    description="Orders packed and handed to the carrier (M22).",
    key="shop_id:shop_order_id",
    key_fields=("shop_id", "shop_order_id"),
    messages=(fulfilment.OrderPacked, fulfilment.OrderShipped),
    publishers=(STOCK_LEDGER,),
    subscribers=(WEBSHOP_PUSH,),
    retention_ms=EVENTS_RETENTION_MS,
)
INVOICING_COMMANDS = Topic(
    name="polc.invoicing.commands.v1",
    description="Basket commands: add, remove, invoice the basket, e-mail invoices, one-click invoice (M2, M6, M23).",
    key="basket_id",
    key_fields=("basket_id",),
    messages=(
        invoicing.AddOrdersToBasket,
        invoicing.RemoveOrdersFromBasket,
        invoicing.InvoiceBasket,
        invoicing.InvoiceOrder,
        invoicing.EmailInvoices,
    ),
    publishers=(CLI, BACKOFFICE),
    subscribers=(INVOICING,),
    retention_ms=COMMANDS_RETENTION_MS,
)
INVOICE_COMMANDS = Topic(
    name="polc.invoices.commands.v1",
    description="Commands on one issued invoice: storno.",
    key="invoice_number",
    key_fields=("invoice_number",),
    messages=(invoices.CancelInvoice,),
    publishers=(CLI, BACKOFFICE),
    subscribers=(INVOICING,),
    retention_ms=COMMANDS_RETENTION_MS,
)
INVOICES = Topic(
    name="polc.invoices.v1",
    description="Invoices issued and cancelled (storno) per order, with lines and VAT summary.",
    key="shop_id:shop_order_id",
    key_fields=("shop_id", "shop_order_id"),
    messages=(invoices.InvoiceIssued, invoices.InvoiceCancelled, invoices.OrderInvoicingFailed),
    publishers=(INVOICING,),
    subscribers=(STOCK_LEDGER, WEBSHOP_PUSH),
    partitions=12,
    retention_ms=EVENTS_RETENTION_MS,
)
INVOICE_BATCHES = Topic(
    name="polc.invoicing.batches.v1",
    description="Outcome of invoice and e-mail batches: done items and failed ones with reasons.",
    key="batch_id",
    key_fields=("batch_id",),
    messages=(invoicing.InvoiceBatchCompleted, invoicing.EmailBatchCompleted),
    publishers=(INVOICING,),
    subscribers=(BACKOFFICE,),
    retention_ms=EVENTS_RETENTION_MS,
)
INVOICE_EMAILS = Topic(
    name="polc.invoicing.emails.v1",
    description="Per-invoice e-mail outcome: sent or failed with the reason.",
    key="invoice_number",
    key_fields=("invoice_number",),
    messages=(invoices.InvoiceEmailed, invoices.InvoiceEmailFailed),
    publishers=(INVOICING,),
    subscribers=(BACKOFFICE,),
    retention_ms=EVENTS_RETENTION_MS,
)
NAV_REPORTS = Topic(
    name="polc.nav.reports.v1",
    description="Per-invoice NAV Online Számla outcome: done (with warnings) or rejected.",
    key="invoice_number",
    key_fields=("invoice_number",),
    messages=(nav.InvoiceReportedToNav, nav.InvoiceNavReportRejected),
    publishers=(INVOICING,),
    subscribers=(BACKOFFICE,),
    retention_ms=EVENTS_RETENTION_MS,
)
SHOP_WRITES = Topic(
    name="polc.shops.writes.v1",
    description="Every write webshop_push made to a shop, or could not make: stock, price, products, order status.",
    key="shop_id",
    key_fields=("shop_id",),
    messages=(
        push.ShopStockPushed,
        push.ShopPricePushed,
        push.ShopProductCreated,
        push.ShopOrderStatusWritten,
        push.ShopWriteFailed,
    ),
    publishers=(WEBSHOP_PUSH,),
    subscribers=(BACKOFFICE,),
    retention_ms=EVENTS_RETENTION_MS,
)
DEAD_LETTER = Topic(
    name=DEAD_LETTER_TOPIC,
    description="Records no consumer can ever handle, byte for byte, with the reason and origin in headers.",
    key="the original record's key",
    key_fields=(),
    messages=(),
    publishers=SERVICES,
    subscribers=(),
    partitions=1,
    retention_ms=90 * DAY_MS,
)

#: Every topic, in a fixed order (commands before the events they cause).
ALL_TOPICS: tuple[Topic, ...] = (
    SYNC_COMMANDS,
    SYNC_EVENTS,
    ORDERS,
    ORDER_REVIEW,
    CATALOG_COMMANDS,
    CATALOG_DISCOVERIES,
    CATALOG,
    STOCK_COMMANDS,
    STOCK_CHANGES,
    FULFILMENT,
    INVOICING_COMMANDS,
    INVOICE_COMMANDS,
    INVOICES,
    INVOICE_BATCHES,
    INVOICE_EMAILS,
    NAV_REPORTS,
    SHOP_WRITES,
    DEAD_LETTER,
)

#: Every message class, in topic order.
ALL_MESSAGES: tuple[type[Message], ...] = tuple(m for t in ALL_TOPICS for m in t.messages)

_BY_NAME = {t.name: t for t in ALL_TOPICS}
_BY_MESSAGE = {m: t for t in ALL_TOPICS for m in t.messages}
_BY_TYPE = {(m.message_type, m.schema_version): m for m in ALL_MESSAGES}


class UnknownTopic(KeyError):
    """No topic of that name is registered."""


class UnknownMessage(KeyError):
    """No message class is registered for that type and version, or for that class."""


def topic_by_name(name: str) -> Topic:
    """The registered topic called ``name``."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise UnknownTopic(name) from None


def topic_for(message: type[Message] | Message) -> Topic:
    """The one topic a message class (or instance) travels on."""
    cls = message if isinstance(message, type) else type(message)
    try:
        return _BY_MESSAGE[cls]
    except KeyError:
        raise UnknownMessage(cls.__name__) from None


def message_class(message_type: str, schema_version: int = 1) -> type[Message]:
    """The class registered for ``message_type`` at ``schema_version``."""
    try:
        return _BY_TYPE[(message_type, schema_version)]
    except KeyError:
        raise UnknownMessage(f"{message_type} v{schema_version}") from None


def parse_payload(envelope: Envelope) -> Message:
    """The typed message inside ``envelope``; raises UnknownMessage or pydantic's ValidationError."""
    cls = message_class(envelope.message_type, envelope.schema_version)
    return cls.model_validate(envelope.payload)
