"""The stock ledger: movements recorded by commands, and StockChanged for every changed figure.

Commands travel on ``polc.stock.commands.v1`` keyed by warehouse. Reservations need no
commands: the ledger reserves on OrderReceived, releases on OrderCancelled, turns a
reservation into a sale on InvoiceIssued and books a return on InvoiceCancelled.
``StockChanged`` travels on ``polc.stock.changes.v1`` keyed ``warehouse_id:sku``.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from contracts.base import Message, Money, Quantity
from contracts.common import Part, ShopId, ShopRenterId, Sku, WarehouseId


class ReceiptLine(Part):
    """One product line of a goods receipt or a purchase order."""

    sku: Sku = Field(description="Product code.")
    quantity: Quantity = Field(gt=0, description="Quantity received or ordered.")
    net_unit_cost: Money | None = Field(default=None, description="Purchase net unit price, when known.")


class RecordPurchaseOrder(Message):
    """Record goods ordered from a supplier; they count as incoming until received (M25)."""

    message_type: ClassVar[str] = "RecordPurchaseOrder"

    warehouse_id: WarehouseId = Field(description="Warehouse the goods will arrive in.")
    purchase_order_id: str = Field(min_length=1, max_length=64, description="Purchase order number; unique, used to deduplicate.")
    supplier_id: str = Field(min_length=1, description="Supplier the goods were ordered from.")
    expected_on: date | None = Field(default=None, description="Expected delivery date.")
    lines: tuple[ReceiptLine, ...] = Field(min_length=1, description="Ordered products.")
    requested_by: str = Field(min_length=1, description="User or system that recorded it.")


class RecordGoodsReceipt(Message):
    """Record goods received from a supplier (a purchase document); physical stock rises (M26)."""

    message_type: ClassVar[str] = "RecordGoodsReceipt"

    warehouse_id: WarehouseId = Field(description="Warehouse the goods arrived in.")
    receipt_id: str = Field(min_length=1, max_length=64, description="Receipt document number; unique, used to deduplicate.")
    supplier_id: str = Field(min_length=1, description="Supplier that delivered.")
    supplier_document: str | None = Field(default=None, max_length=64, description="Supplier's delivery note or invoice number.")
    purchase_order_id: str | None = Field(default=None, description="Purchase order the receipt fulfils; its incoming falls.")
    received_on: date = Field(description="Date the goods arrived.")
    lines: tuple[ReceiptLine, ...] = Field(min_length=1, description="Received products.")
    requested_by: str = Field(min_length=1, description="User or system that recorded it.")


class AdjustmentLine(Part):
    """One SKU of a manual adjustment or stock count."""

    sku: Sku = Field(description="Product code.")
    quantity: Quantity = Field(
        description="For an adjustment the signed change; for a count the quantity found on the shelf."
    )


class AdjustStock(Message):
    """Correct physical stock by hand, or record a stock count (the ledger books the difference)."""

    message_type: ClassVar[str] = "AdjustStock"

    warehouse_id: WarehouseId = Field(description="Warehouse adjusted.")
    adjustment_id: str = Field(min_length=1, max_length=64, description="Document number; unique, used to deduplicate.")
    mode: Literal["adjustment", "count"] = Field(description="adjustment: quantities are changes; count: quantities are totals.")
    reason: str = Field(min_length=1, max_length=500, description='Why, e.g. "Leltár 2025" or "Törött üveg".')
    lines: tuple[AdjustmentLine, ...] = Field(min_length=1, description="Adjusted products.")
    requested_by: str = Field(min_length=1, description="User or system that recorded it.")


class TransferStock(Message):
    """Move stock from one warehouse to another."""

    message_type: ClassVar[str] = "TransferStock"

    warehouse_id: WarehouseId = Field(description="Source warehouse (the record key).")
    to_warehouse_id: WarehouseId = Field(description="Destination warehouse.")
    transfer_id: str = Field(min_length=1, max_length=64, description="Transfer document number; unique, used to deduplicate.")
    lines: tuple[ReceiptLine, ...] = Field(min_length=1, description="Moved products.")
    requested_by: str = Field(min_length=1, description="User or system that recorded it.")


StockChangeKind = Literal[
    "goods_receipt",
    "purchase_order",
    "sale",
    "storno",
    "adjustment",
    "stock_count",
    "transfer_in",
    "transfer_out",
    "reservation",
    "reservation_release",
]


class StockChangeCause(Part):
    """What moved the figures, so every StockChanged can be explained."""

    kind: StockChangeKind = Field(description="Kind of movement or reservation change.")
    document_id: str = Field(min_length=1, description="Receipt, invoice, adjustment, transfer or order number behind it.")
    shop_id: ShopId | None = Field(default=None, description="Shop of the order, for reservations and sales.")
    shop_order_id: ShopRenterId | None = Field(default=None, description="ShopRenter order id, for reservations and sales.")
    message_id: str | None = Field(default=None, description="message_id of the message the ledger handled.")


class StockChanged(Message):
    """Physical, reserved, free or incoming stock of one SKU in one warehouse changed."""

    message_type: ClassVar[str] = "StockChanged"

    warehouse_id: WarehouseId = Field(description="Warehouse.")
    sku: Sku = Field(description="Product code.")
    version: int = Field(ge=1, description="Grows by at least one with every change of this warehouse+SKU; never repeats.")
    physical: Quantity = Field(description="On the shelf: the sum of all ledger movements.")
    reserved: Quantity = Field(ge=0, description="Held by open orders (M3).")
    free: Quantity = Field(description="physical - reserved; negative when oversold.")
    incoming: Quantity = Field(ge=0, description="Ordered from suppliers, not yet received.")
    physical_change: Quantity = Field(description="Change of physical stock in this step.")
    reserved_change: Quantity = Field(description="Change of reserved stock in this step.")
    incoming_change: Quantity = Field(description="Change of incoming stock in this step.")
    cause: StockChangeCause = Field(description="Why the figures changed.")
    changed_at: AwareDatetime = Field(description="When the ledger committed the change.")


__all__ = [
    "AdjustStock",
    "AdjustmentLine",
    "ReceiptLine",
    "RecordGoodsReceipt",
    "RecordPurchaseOrder",
    "StockChangeCause",
    "StockChangeKind",
    "StockChanged",
    "TransferStock",
]
