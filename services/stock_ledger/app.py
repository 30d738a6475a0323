"""Wiring of the stock_ledger service: the catalog, warehouses, stock ledger, reservations and stock reports (M3, M5, M21-M26, M29-M31)."""

from __future__ import annotations

from pathlib import Path

from contracts.catalog import ChangeProductPrice, CreateProduct, ProductDiscovered
from contracts.invoices import InvoiceCancelled, InvoiceIssued
from contracts.orders import OrderCancelled, OrderReceived
from contracts.stock import AdjustStock, RecordGoodsReceipt, RecordPurchaseOrder, TransferStock
from polc.runtime.service import ServiceSpec
from services.stock_ledger import api, subscribers as on
from services.stock_ledger.settings import Settings

__all__ = ["Settings", "build"]


def build(settings: Settings) -> ServiceSpec:
    """The service's subscribers, HTTP routes and resources, wired from settings."""
    return ServiceSpec(
        name="stock_ledger",
        migrations=Path(__file__).parent / "migrations",
        handlers={
            RecordGoodsReceipt: on.on_record_goods_receipt,
            RecordPurchaseOrder: on.on_record_purchase_order,
            AdjustStock: on.on_adjust_stock,
            TransferStock: on.on_transfer_stock,
            OrderReceived: on.on_order_received,
            OrderCancelled: on.on_order_cancelled,
            InvoiceIssued: on.on_invoice_issued,
            InvoiceCancelled: on.on_invoice_cancelled,
            CreateProduct: on.on_create_product,
            ChangeProductPrice: on.on_change_product_price,
            ProductDiscovered: on.on_product_discovered,
        },
        batch_handlers={RecordGoodsReceipt: on.on_record_goods_receipts, OrderReceived: on.on_orders_received},
        routes=api.routes(settings),
    )
