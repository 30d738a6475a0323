"""The stock quantity report (M25) without I/O."""

from __future__ import annotations

from decimal import Decimal as D

from services.stock_ledger.packing import packing_html
from services.stock_ledger.reports import stock_report, to_csv, to_purchase


def row(sku, physical, reserved, incoming, minimum, supplier=None):
    return {"warehouse_id": "BP1", "sku": sku, "name": f"Termék {sku}", "unit": "db", "physical": D(physical),
            "reserved": D(reserved), "incoming": D(incoming), "minimum_stock": None if minimum is None else D(minimum),
            "default_supplier_id": supplier, "supplier_name": "Kávé Kft." if supplier else None,
            "supplier_item_number": "X-1" if supplier else None}


def test_to_purchase_is_minimum_plus_reserved_minus_physical_minus_incoming_never_negative():
    assert to_purchase(D(3), D(5), D(4), D(1)) == D(5)
    assert to_purchase(D(10), D(2), D(4), D(0)) == D(0)
    assert to_purchase(D(0), D(2), None, D(0)) == D(2)


def test_report_rows_and_filters():
    rows = [row("A", 3, 5, 1, 4, supplier="SUP1"), row("B", 10, 2, 0, 4), row("C", 1, 0, 0, 2)]
    report = stock_report(rows)
    assert [(r["sku"], r["free"], r["to_purchase"]) for r in report] == [
        ("A", D(-2), D(5)), ("B", D(8), D(0)), ("C", D(1), D(1))]
    assert "default_supplier_id" not in report[0]
    assert [r["sku"] for r in stock_report(rows, only_to_purchase=True)] == ["A", "C"]
    assert [r["sku"] for r in stock_report(rows, only_below_minimum=True)] == ["A", "C"]


def test_csv_has_a_header_and_optional_supplier_columns():
    report = stock_report([row("A", 3, 5, 1, 4, supplier="SUP1")], with_supplier=True)
    lines = to_csv(report, with_supplier=True).splitlines()
    assert lines[0] == ("warehouse_id,sku,name,unit,physical,reserved,free,minimum,incoming,to_purchase,"
                        "default_supplier_id,supplier_name,supplier_item_number")
    assert lines[1] == "BP1,A,Termék A,db,3,5,-2,4,1,5,SUP1,Kávé Kft.,X-1"
    assert to_csv(stock_report([row("B", 1, 0, 0, None)]), with_supplier=False).splitlines()[1] == (
        "BP1,B,Termék B,db,1,0,1,0,0,0")


def test_packing_html_lists_totals_and_each_order():
    summary = {"products": [{"warehouse_id": "BP1", "sku": "A", "name": "Kávé <b>", "unit": "db",
                             "quantity": D("3.000")}],
               "orders": [{"order_number": "ON-1", "shop_id": "kavepor", "shop_order_code": "SR-1",
                           "customer_name": "Kovács Éva", "shipping": {"method": "GLS", "address": {"city": "Pécs"}},
                           "lines": [{"line_no": 1, "sku": "A", "name": "Kávé", "quantity": D(3), "unit": "db"}]}]}
    html = packing_html(summary)
    assert "Kávé &lt;b&gt;" in html and ">3<" in html and "ON-1" in html and "Pécs" in html
