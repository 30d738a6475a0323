"""Example stock and shop-write messages: a goods receipt, the order's reservation, the pushes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from contracts import push, stock
from contracts.examples.shared import ORDER_NUMBER, SHOP, SHOP_ORDER_ID, WAREHOUSE, at
from contracts.stock import AdjustmentLine, ReceiptLine, StockChangeCause

EXAMPLES = (
    stock.RecordPurchaseOrder(
        warehouse_id=WAREHOUSE, purchase_order_id="RB-2025-0031", supplier_id="SZALL-007",
        expected_on=date(2025, 3, 20),
        lines=(ReceiptLine(sku="KO-1001", quantity=D("24"), net_unit_cost=D("6200.00")),),
        requested_by="szabo.peter",
    ),
    stock.RecordGoodsReceipt(
        warehouse_id=WAREHOUSE, receipt_id="BEV-2025-0112", supplier_id="SZALL-007",
        supplier_document="SZ-4471/2025", purchase_order_id="RB-2025-0031", received_on=date(2025, 3, 14),
        lines=(
            ReceiptLine(sku="KO-1001", quantity=D("12"), net_unit_cost=D("6200.00")),
            ReceiptLine(sku="KV-ETI-250", quantity=D("40"), net_unit_cost=D("1450.50")),
        ),
        requested_by="szabo.peter",
    ),
    stock.AdjustStock(
        warehouse_id=WAREHOUSE, adjustment_id="KORR-2025-0009", mode="adjustment",
        reason="Törött üveg a raktárban", lines=(AdjustmentLine(sku="KV-ETI-250", quantity=D("-1")),),
        requested_by="nagy.zsofia",
    ),
    stock.TransferStock(
        warehouse_id=WAREHOUSE, to_warehouse_id="DEB1", transfer_id="ATT-2025-0004",
        lines=(ReceiptLine(sku="KONYV-ESP", quantity=D("5")),), requested_by="nagy.zsofia",
    ),
    stock.StockChanged(
        warehouse_id=WAREHOUSE, sku="KV-ETI-250", version=57, physical=D("46"), reserved=D("9"), free=D("37"),
        incoming=D("0"), physical_change=D("0"), reserved_change=D("2"), incoming_change=D("0"),
        cause=StockChangeCause(
            kind="reservation", document_id=ORDER_NUMBER, shop_id=SHOP, shop_order_id=SHOP_ORDER_ID,
            message_id="6f1c2a52-3b0e-4d43-9d59-2b1f0b6f7a10",
        ),
        changed_at=at(9, 30, 5),
    ),
    push.ShopStockPushed(
        shop_id=SHOP, sku="KV-ETI-250", shop_product_id="cHJvZHVjdC1wcm9kdWN0X2lkPTEwMg==", quantity=D("35"),
        warehouse_id=WAREHOUSE, stock_version=57, free=D("37"), safety_buffer=D("2"),
        sync_watermark=at(9, 30), pushed_at=at(9, 30, 7),
    ),
    push.ShopPricePushed(
        shop_id=SHOP, sku="KO-1001", shop_product_id="cHJvZHVjdC1wcm9kdWN0X2lkPTEwMQ==",
        net_price=D("11015.75"), price_version=4, pushed_at=at(13, 10, 2),
    ),
    push.ShopProductCreated(
        shop_id=SHOP, sku="DARALO-PRO", shop_product_id="cHJvZHVjdC1wcm9kdWN0X2lkPTI1MA==", created_at=at(13, 5, 3),
    ),
    push.ShopOrderStatusWritten(
        shop_id=SHOP, shop_order_id=SHOP_ORDER_ID, trigger="invoiced",
        shop_status_id="b3JkZXJTdGF0dXMtb3JkZXJfc3RhdHVzX2lkPTk=", status_name="Számlázva",
        invoice_number="KPSZ-2025-000087", written_at=at(15, 1, 2),
    ),
    push.ShopWriteFailed(
        shop_id=SHOP, write="stock", sku="TEA-MATCHA-50", error="sku_not_in_shop", http_status=404,
        detail="A TEA-MATCHA-50 cikkszám nincs meg a boltban, és a termék nem ennek a boltnak szól.",
        attempts=1, will_retry=False, failed_at=at(9, 30, 8),
    ),
)
