"""``polc stock``, ``polc product``, ``polc receipt`` ...: the stock ledger's commands.

They talk to the ledger's HTTP API (``--ledger-url``, default ``$POLC_LEDGER_URL`` or
http://127.0.0.1:8102) and print JSON, or CSV/PDF where asked.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from datetime import date
from typing import Any

DEFAULT_URL = "http://127.0.0.1:8102"


def _client(args: argparse.Namespace):
    import httpx

    return httpx.Client(base_url=args.ledger_url, timeout=60)


def _show(response) -> int:
    if response.headers.get("content-type", "").startswith("application/json"):
        print(json.dumps(response.json(), ensure_ascii=False, indent=2))
    else:
        print(response.text)
    return 0 if response.is_success else 1


def _lines(pairs: list[str]) -> list[dict]:
    """``SKU=QTY`` arguments as document lines."""
    lines = []
    for pair in pairs:
        sku, sep, quantity = pair.rpartition("=")
        if not sep or not sku:
            raise SystemExit(f"expected SKU=QUANTITY, got {pair!r}")
        lines.append({"sku": sku, "quantity": quantity})
    return lines


def _orders(refs: list[str]) -> list[dict]:
    """``SHOP:ORDER_ID`` arguments as order references."""
    out = []
    for ref in refs:
        shop, sep, order_id = ref.partition(":")
        if not sep:
            raise SystemExit(f"expected SHOP:SHOP_ORDER_ID, got {ref!r}")
        out.append({"shop_id": shop, "shop_order_id": order_id})
    return out


def _post(args, path: str, body: dict[str, Any]) -> int:
    with _client(args) as client:
        return _show(client.post(path, json=body))


def _user() -> str:
    return os.environ.get("POLC_USER") or getpass.getuser()


def cmd_report(args) -> int:
    params = {"suppliers": "1" if args.suppliers else "0", "to_purchase": "1" if args.to_purchase else "0"}
    params.update({k: v for k, v in (("warehouse", args.warehouse), ("sku", args.sku), ("supplier", args.supplier)) if v})
    if args.csv:
        params["format"] = "csv"
    with _client(args) as client:
        response = client.get("/stock/report", params=params)
    if args.csv:
        sys.stdout.write(response.text)
        return 0 if response.is_success else 1
    return _show(response)


def cmd_stock(args) -> int:
    with _client(args) as client:
        return _show(client.get("/stock", params={k: v for k, v in (("warehouse", args.warehouse),
                                                                     ("sku", args.sku)) if v}))


def cmd_receipt(args) -> int:
    return _post(args, "/receipts", {
        "warehouse_id": args.warehouse, "receipt_id": args.receipt_id, "supplier_id": args.supplier,
        "supplier_document": args.supplier_document, "purchase_order_id": args.po,
        "received_on": args.received_on or date.today().isoformat(), "lines": _lines(args.lines),
        "requested_by": _user()})


def cmd_purchase_order(args) -> int:
    return _post(args, "/purchase-orders", {
        "warehouse_id": args.warehouse, "purchase_order_id": args.purchase_order_id, "supplier_id": args.supplier,
        "expected_on": args.expected_on, "lines": _lines(args.lines), "requested_by": _user()})


def cmd_adjust(args) -> int:
    return _post(args, "/adjustments", {
        "warehouse_id": args.warehouse, "adjustment_id": args.adjustment_id, "mode": args.mode,
        "reason": args.reason, "lines": _lines(args.lines), "requested_by": _user()})


def cmd_transfer(args) -> int:
    return _post(args, "/transfers", {
        "warehouse_id": args.source, "to_warehouse_id": args.to, "transfer_id": args.transfer_id,
        "lines": _lines(args.lines), "requested_by": _user()})


def cmd_product_create(args) -> int:
    vat = {"short_name": args.vat, "category": "PERCENTAGE", "rate": str(int(args.vat.rstrip("%")) / 100)} \
        if args.vat.rstrip("%").isdigit() else {"short_name": args.vat, "category": "EXEMPTION", "nav_case": args.vat}
    return _post(args, "/products", {"sku": args.sku, "requested_by": _user(), "product": {
        "name": args.name, "unit": args.unit, "vat": vat, "net_price": args.price, "is_stock_item": not args.service,
        "minimum_stock": args.minimum, "default_supplier_id": args.supplier,
        "supplier_item_number": args.supplier_item_number}})


def cmd_product_price(args) -> int:
    with _client(args) as client:
        return _show(client.put(f"/products/{args.sku}/price", json={"net_price": args.price,
                                                                     "requested_by": _user()}))


def cmd_product_show(args) -> int:
    with _client(args) as client:
        return _show(client.get(f"/products/{args.sku}" if args.sku else "/products"))


def cmd_fulfil_list(args) -> int:
    with _client(args) as client:
        return _show(client.get("/fulfilment/orders", params={"paid_first": "1" if args.paid_first else "0",
                                                              "shop_priority": args.shop_priority or ""}))


def cmd_fulfil_summary(args) -> int:
    path = {"pick": "/fulfilment/pick-summary", "packing": "/fulfilment/packing-summary",
            "purchase": "/fulfilment/purchase-summary"}[args.summary]
    body = {"orders": _orders(args.orders), "paid_first": args.paid_first}
    with _client(args) as client:
        if args.pdf:
            response = client.post(path, params={"format": "pdf"}, json=body)
            if not response.is_success:
                return _show(response)
            with open(args.pdf, "wb") as out:
                out.write(response.content)
            print(f"wrote {args.pdf}")
            return 0
        return _show(client.post(path, json=body))


def cmd_warehouse(args) -> int:
    return _post(args, "/warehouses", {"warehouse_id": args.warehouse_id, "name": args.name})


def cmd_supplier(args) -> int:
    return _post(args, "/suppliers", {"supplier_id": args.supplier_id, "name": args.name, "email": args.email})


def _add(sub, name: str, help: str, func, url_parent: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help, parents=[url_parent])
    p.set_defaults(func=func)
    return p


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``stock``, ``product``, ``receipt``, ``purchase-order``, ``adjust``, ``transfer``, ``fulfil``,
    ``warehouse`` and ``supplier`` to the ``polc`` command."""
    url = argparse.ArgumentParser(add_help=False)
    url.add_argument("--ledger-url", default=os.environ.get("POLC_LEDGER_URL", DEFAULT_URL),
                     help="stock ledger HTTP API (default $POLC_LEDGER_URL or %(default)s)")

    stock = subparsers.add_parser("stock", help="stock figures and the stock quantity report (M25)")
    ssub = stock.add_subparsers(dest="stock_command", required=True)
    p = _add(ssub, "report", "physical, reserved, free, minimum, incoming and to-purchase per product", cmd_report, url)
    p.add_argument("--warehouse"), p.add_argument("--sku", help="SKU prefix"), p.add_argument("--supplier")
    p.add_argument("--suppliers", action="store_true", help="show default supplier and item number")
    p.add_argument("--to-purchase", action="store_true", help="only products that must be purchased")
    p.add_argument("--csv", action="store_true", help="print CSV")
    p = _add(ssub, "show", "current figures per warehouse and SKU", cmd_stock, url)
    p.add_argument("--warehouse"), p.add_argument("--sku")

    p = _add(subparsers, "receipt", "record a goods receipt: polc receipt R-1 KAVE=10 ...", cmd_receipt, url)
    p.add_argument("receipt_id"), p.add_argument("lines", nargs="+", metavar="SKU=QTY")
    p.add_argument("--warehouse", required=True), p.add_argument("--supplier", required=True)
    p.add_argument("--supplier-document"), p.add_argument("--po", help="purchase order it fulfils")
    p.add_argument("--received-on", help="YYYY-MM-DD (default today)")

    p = _add(subparsers, "purchase-order", "record goods ordered from a supplier (incoming)", cmd_purchase_order, url)
    p.add_argument("purchase_order_id"), p.add_argument("lines", nargs="+", metavar="SKU=QTY")
    p.add_argument("--warehouse", required=True), p.add_argument("--supplier", required=True)
    p.add_argument("--expected-on")

    p = _add(subparsers, "adjust", "manual adjustment (signed) or stock count (--count)", cmd_adjust, url)
    p.add_argument("adjustment_id"), p.add_argument("lines", nargs="+", metavar="SKU=QTY")
    p.add_argument("--warehouse", required=True), p.add_argument("--reason", required=True)
    p.add_argument("--count", dest="mode", action="store_const", const="count", default="adjustment")

    p = _add(subparsers, "transfer", "move stock between warehouses", cmd_transfer, url)
    p.add_argument("transfer_id"), p.add_argument("lines", nargs="+", metavar="SKU=QTY")
    p.add_argument("--from", dest="source", required=True), p.add_argument("--to", required=True)

    product = subparsers.add_parser("product", help="the catalog (M29, M31)")
    psub = product.add_subparsers(dest="product_command", required=True)
    p = _add(psub, "create", "create a product; the shops get it with this SKU", cmd_product_create, url)
    p.add_argument("sku"), p.add_argument("--name", required=True), p.add_argument("--price", required=True)
    p.add_argument("--unit", default="db"), p.add_argument("--vat", default="27%")
    p.add_argument("--minimum"), p.add_argument("--supplier"), p.add_argument("--supplier-item-number")
    p.add_argument("--service", action="store_true", help="not a stock item")
    p = _add(psub, "price", "set the normal net price; the shops get it", cmd_product_price, url)
    p.add_argument("sku"), p.add_argument("price")
    p = _add(psub, "show", "one product, or all", cmd_product_show, url)
    p.add_argument("sku", nargs="?")

    fulfil = subparsers.add_parser("fulfil", help="fulfillable orders and summaries (M21, M22, M24)")
    fsub = fulfil.add_subparsers(dest="fulfil_command", required=True)
    p = _add(fsub, "list", "open orders, fulfillable or not", cmd_fulfil_list, url)
    p.add_argument("--paid-first", action="store_true"), p.add_argument("--shop-priority", help="shop,shop,...")
    for name in ("pick", "packing", "purchase"):
        p = _add(fsub, name, f"{name} summary of the given orders", cmd_fulfil_summary, url)
        p.add_argument("orders", nargs="+", metavar="SHOP:SHOP_ORDER_ID")
        p.add_argument("--paid-first", action="store_true")
        p.add_argument("--pdf", help="write the summary as PDF to this file") if name == "packing" else None
        p.set_defaults(summary=name, pdf=None) if name != "packing" else p.set_defaults(summary=name)

    p = _add(subparsers, "warehouse", "create or rename a warehouse", cmd_warehouse, url)
    p.add_argument("warehouse_id"), p.add_argument("--name", required=True)
    p = _add(subparsers, "supplier", "create or change a supplier", cmd_supplier, url)
    p.add_argument("supplier_id"), p.add_argument("--name", required=True), p.add_argument("--email")
