"""Small builders of the messages the ledger consumes, on top of the contract examples."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from contracts.examples import example
from contracts.examples.shared import VAT_27
from contracts.invoices import InvoiceCancelled, InvoiceIssued, InvoiceLine
from contracts.orders import OrderCancelled, OrderReceived, ProductLine, ServiceLine
from contracts.stock import AdjustmentLine, AdjustStock, ReceiptLine, RecordGoodsReceipt, RecordPurchaseOrder, TransferStock

D = Decimal
T0 = datetime(2025, 3, 14, 8, 0, tzinfo=UTC)


def receipt(receipt_id: str, lines: dict[str, int | str], warehouse: str = "BP1", po: str | None = None) -> RecordGoodsReceipt:
    return RecordGoodsReceipt(
        warehouse_id=warehouse, receipt_id=receipt_id, supplier_id="SUP1", purchase_order_id=po,
        received_on=date(2025, 3, 14), requested_by="test",
        lines=tuple(ReceiptLine(sku=s, quantity=D(str(q))) for s, q in lines.items()))


def purchase_order(po_id: str, lines: dict[str, int | str], warehouse: str = "BP1") -> RecordPurchaseOrder:
    return RecordPurchaseOrder(
        warehouse_id=warehouse, purchase_order_id=po_id, supplier_id="SUP1", requested_by="test",
        lines=tuple(ReceiptLine(sku=s, quantity=D(str(q))) for s, q in lines.items()))


def adjustment(doc_id: str, lines: dict[str, int | str], warehouse: str = "BP1", mode: str = "adjustment") -> AdjustStock:
    return AdjustStock(
        warehouse_id=warehouse, adjustment_id=doc_id, mode=mode, reason="teszt", requested_by="test",
        lines=tuple(AdjustmentLine(sku=s, quantity=D(str(q))) for s, q in lines.items()))


def transfer(doc_id: str, lines: dict[str, int | str], source: str = "BP1", to: str = "BP2") -> TransferStock:
    return TransferStock(
        warehouse_id=source, to_warehouse_id=to, transfer_id=doc_id, requested_by="test",
        lines=tuple(ReceiptLine(sku=s, quantity=D(str(q))) for s, q in lines.items()))


def _product_line(no: int, sku: str, quantity) -> ProductLine:
    q = D(str(quantity))
    return ProductLine(line_no=no, name=f"Termék {sku}", sku=sku, quantity=q, unit="db", net_unit_price=D("100"),
                       gross_unit_price=D("127"), vat=VAT_27, net_amount=100 * q, gross_amount=127 * q)


def order(order_id: str, lines: dict[str, int | str], *, shop: str = "kavepor", warehouse: str = "BP1",
          minutes: int = 0, paid: bool = False) -> OrderReceived:
    """An order placed ``minutes`` after a fixed instant, with one product line per SKU and a shipping fee."""
    base: OrderReceived = example(OrderReceived)
    product_lines = [_product_line(i, s, q) for i, (s, q) in enumerate(lines.items(), start=1)]
    fee = ServiceLine(line_no=len(product_lines) + 1, name="GLS házhozszállítás", service_kind="shipping_fee",
                      service_id="SZOLG-GLS", quantity=D(1), unit="db", net_unit_price=D("1000"),
                      gross_unit_price=D("1270"), vat=VAT_27, net_amount=D("1000"), gross_amount=D("1270"))
    return base.model_copy(update=dict(
        shop_id=shop, shop_order_id=order_id, shop_order_code=f"SR-{order_id}", order_number=f"ON-{order_id}",
        placed_at=T0 + timedelta(minutes=minutes), lines=(*product_lines, fee), warehouse_id=warehouse,
        is_paid=paid))


def cancel(o: OrderReceived) -> OrderCancelled:
    return OrderCancelled(shop_id=o.shop_id, shop_order_id=o.shop_order_id, order_number=o.order_number,
                          warehouse_id=o.warehouse_id, source="shop", reason="Törölve", cancelled_at=T0)


def _invoice_lines(lines: dict[str, int | str], sign: int) -> tuple[InvoiceLine, ...]:
    return tuple(InvoiceLine(line_no=i, kind="product", sku=s, name=f"Termék {s}", quantity=sign * D(str(q)),
                             unit="db", net_unit_price=D("100"), vat_key=VAT_27, net=D("100"), vat=D("27"),
                             gross=D("127"))
                 for i, (s, q) in enumerate(lines.items(), start=1))


def invoice(o: OrderReceived, number: str, lines: dict[str, int | str] | None = None) -> InvoiceIssued:
    lines = lines if lines is not None else {l.sku: l.quantity for l in o.lines if l.kind == "product"}
    base: InvoiceIssued = example(InvoiceIssued)
    return base.model_copy(update=dict(shop_id=o.shop_id, shop_order_id=o.shop_order_id,
                                       order_number=o.order_number, invoice_number=number,
                                       warehouse_id=o.warehouse_id, lines=_invoice_lines(lines, 1)))


def storno(inv: InvoiceIssued, number: str) -> InvoiceCancelled:
    base: InvoiceCancelled = example(InvoiceCancelled)
    lines = {l.sku: l.quantity for l in inv.lines if l.kind == "product"}
    return base.model_copy(update=dict(shop_id=inv.shop_id, shop_order_id=inv.shop_order_id,
                                       order_number=inv.order_number, invoice_number=number,
                                       original_invoice_number=inv.invoice_number,
                                       warehouse_id=inv.warehouse_id, lines=_invoice_lines(lines, -1)))
