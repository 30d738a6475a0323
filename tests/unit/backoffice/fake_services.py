"""The four services' HTTP APIs as an in-memory fake behind an httpx MockTransport.

Answers have the shapes the real APIs give; every call is recorded for assertions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

PORTS = {8101: "ingest", 8102: "ledger", 8103: "push", 8104: "invoicing"}
EVIL = '<script>alert("x")</script>'


def order_document(shop: str, order_id: str, number: str, *, name: str = "Kiss Anna", note: str | None = None) -> dict:
    vat = {"short_name": "27%", "category": "PERCENTAGE", "rate": "0.27"}
    return {
        "shop_id": shop, "shop_order_id": order_id, "shop_order_code": f"SR-{order_id}", "shop_inner_id": 1,
        "order_number": number, "placed_at": "2025-03-01T10:00:00+00:00",
        "status": {"shop_status_id": "s1", "name": "Függőben"},
        "customer": {"customer_id": "C1", "name": name, "email": "anna@example.hu",
                     "billing_address": {"name": name, "postcode": "1052", "city": "Budapest",
                                         "address_line_1": "Váci utca 1.", "country_code": "HU"}},
        "lines": [{"kind": "product", "line_no": 1, "name": "Kávé", "sku": "KAVE", "quantity": "2", "unit": "db",
                   "net_unit_price": "1000", "gross_unit_price": "1270", "vat": vat, "net_amount": "2000",
                   "gross_amount": "2540"}],
        "payment_method": {"code": "COD", "name": "Utánvét"}, "shipping_method": {"name": "GLS"},
        "is_paid": False, "header_note": f"ShopRenter rendelés: SR-{order_id} ({shop})", "internal_note": note,
        "currency": "HUF", "net_total": "2000", "vat_total": "540", "gross_total": "2540", "shop_totals": [],
        "warehouse_id": "FO",
    }


@dataclass
class FakeServices:
    """Mutable state of the fake APIs; tests edit it and read ``calls``."""

    calls: list[tuple[str, str, str, Any]] = field(default_factory=list)
    shops: list[dict] = field(default_factory=lambda: [{"shop_id": "demo1", "name": "Demo bolt", "enabled": True,
                                                          "api_base_url": "http://sim/demo1/api", "warehouse_id": "FO",
                                                          "series_id": "demo1", "poll_interval_s": 300,
                                                          "auth_mode": "oauth", "client_id": "demo1-client"}])
    orders: dict[tuple[str, str], dict] = field(default_factory=dict)
    review: list[dict] = field(default_factory=list)
    basket: list[dict] = field(default_factory=list)
    invoices: list[dict] = field(default_factory=list)
    fulfillable: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)
    report: list[dict] = field(default_factory=list)
    down: set[str] = field(default_factory=set)
    overrides: dict[tuple[str, str, str], Callable[[httpx.Request], httpx.Response]] = field(default_factory=dict)

    def add_order(self, shop: str, order_id: str, number: str, **kw: Any) -> dict:
        doc = order_document(shop, order_id, number, **kw)
        self.orders[(shop, order_id)] = {
            "shop_id": shop, "shop_order_id": order_id, "inner_id": 1, "order_number": number, "customer_id": "C1",
            "warehouse_id": "FO", "status_name": "Függőben", "is_open": True, "gross_total": "2540",
            "received_at": "2025-03-01T10:00:05+00:00", "document": doc}
        return doc

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def sent(self, service: str, method: str, path: str) -> list[Any]:
        return [body for s, m, p, body in self.calls if (s, m, p) == (service, method, path)]

    def handle(self, request: httpx.Request) -> httpx.Response:
        service = PORTS[request.url.port]
        body = json.loads(request.content) if request.content else None
        self.calls.append((service, request.method, request.url.path, body))
        if service in self.down:
            raise httpx.ConnectError("connection refused", request=request)
        override = self.overrides.get((service, request.method, request.url.path))
        if override:
            return override(request)
        handler = getattr(self, f"_{service}")
        answer = handler(request.method, request.url.path, dict(request.url.params), body)
        if isinstance(answer, httpx.Response):
            return answer
        status, data = answer
        return httpx.Response(status, json=data)

    def _ingest(self, method: str, path: str, q: dict, body: Any) -> Any:
        if path == "/shops" and method == "GET":
            return 200, {"shops": self.shops}
        if m := re.fullmatch(r"/shops/([^/]+)", path):
            shop = next((s for s in self.shops if s["shop_id"] == m[1]), None)
            return (200, shop) if shop else (404, {"error": "no such shop"})
        if path == "/shops" and method == "POST":
            self.shops.append({k: v for k, v in body.items() if k not in ("client_secret", "password")} | {"enabled": True})
            return 201, body
        if path == "/sync" and method == "GET":
            return 200, {"shops": [{"shop_id": s["shop_id"], "last_success_at": "2025-03-01T10:00:00+00:00",
                                    "next_due_at": "2025-03-01T10:05:00+00:00", "last_error": None, "polls": 3}
                                   for s in self.shops]}
        if path == "/sync" and method == "POST":
            return 202, {"requests": {body.get("shop_id") or "demo1": "req-1"}}
        if path.startswith("/sync/requests/"):
            return 200, {"request_id": "req-1", "shop_id": "demo1", "state": "done",
                         "result": {"orders_received": 2, "orders_changed": 0, "orders_quarantined": 0}}
        if path == "/orders":
            return 200, {"orders": [{k: v for k, v in o.items() if k != "document"} for o in self.orders.values()]}
        if m := re.fullmatch(r"/orders/([^/]+)/([^/]+)", path):
            order = self.orders.get((m[1], m[2]))
            return (200, order) if order else (404, {"error": "no such order"})
        if path == "/review":
            return 200, {"items": self.review}
        if path == "/vat-keys" and method == "GET":
            return 200, {"vat_keys": [{"short_name": "27%", "category": "PERCENTAGE", "rate": "0.27"}]}
        if path.startswith("/vat-keys/"):
            return 200, {"short_name": path.rsplit("/", 1)[1], "retrying_shops": ["demo1"]}
        if path == "/service-items":
            return 200, {"name": body["name"], "retrying_shops": []}
        if path == "/customers":
            return 200, {"customers": [{"customer_id": "C1", "name": "Kiss Anna", "email": "anna@example.hu"}]}
        if re.fullmatch(r"/review/[^/]+/[^/]+/(retry|dismiss)", path):
            return 202, {"retrying": True}
        return 404, {"error": "no route"}

    def _push(self, method: str, path: str, q: dict, body: Any) -> Any:
        if path == "/shops":
            return 200, {"shops": [{"shop_id": s["shop_id"], "pending": 0, "pusher": None} for s in self.shops]}
        if path.endswith("/settings"):
            return 200, {"safety_buffer": "0", "create_missing": "meant", "fence": "sync", "default": True}
        if re.fullmatch(r"/shops/[^/]+/products/.+", path):
            return 200, {"pushed": {"stock": {"value": "7", "pushed_at": "2025-03-01T10:00:00+00:00"}}, "pending": {}}
        return 404, {"error": "no route"}

    def _invoicing(self, method: str, path: str, q: dict, body: Any) -> Any:
        if path == "/baskets/default":
            return 200, {"basket_id": "default", "orders": self.basket}
        if path == "/baskets/default/orders" and method == "POST":
            for ref in body["orders"]:
                self.basket.append({**ref, "order_number": ref["shop_order_id"], "added_at": "2025-03-01T10:00:00+00:00",
                                    "added_by": body["requested_by"], "gross_total": "2540", "invoice_number": None})
            return 202, {"accepted": "AddOrdersToBasket"}
        if path == "/baskets/default/orders/remove":
            gone = {(r["shop_id"], r["shop_order_id"]) for r in body["orders"]}
            self.basket = [b for b in self.basket if (b["shop_id"], b["shop_order_id"]) not in gone]
            return 202, {"accepted": "RemoveOrdersFromBasket"}
        if path == "/baskets/default/invoice":
            return 202, {"accepted": "InvoiceBasket", "batch_id": "inv-1"}
        if path == "/emails":
            return 202, {"accepted": "EmailInvoices", "batch_id": "mail-1"}
        if path == "/invoices":
            rows = [i for i in self.invoices if (not q.get("batch_id") or i.get("batch_id") == q["batch_id"])
                    and (not q.get("shop_order_id") or i["shop_order_id"] == q["shop_order_id"])]
            return 200, {"invoices": rows}
        if m := re.fullmatch(r"/invoices/([^/]+)/pdf", path):
            return httpx.Response(200, content=b"%PDF-1.7 fake", headers={"content-type": "application/pdf"})
        if m := re.fullmatch(r"/invoices/([^/]+)/cancel", path):
            return 202, {"accepted": "CancelInvoice"}
        if m := re.fullmatch(r"/invoices/([^/]+)", path):
            inv = next((i for i in self.invoices if i["invoice_number"] == m[1]), None)
            return (200, inv) if inv else (404, {"error": "no such invoice"})
        if path == "/batches/inv-1":
            return 200, {"batch_id": "inv-1", "kind": "invoice", "status": "done", "email_after": False,
                         "items": {"done": len(self.invoices)}, "emails": {}, "failed": []}
        if path == "/batches/mail-1":
            return 200, {"batch_id": "mail-1", "kind": "email", "status": "running", "emails": {"queued": 1, "sent": 1},
                         "email_failures": [], "skipped": []}
        if re.fullmatch(r"/orders/[^/]+/[^/]+/invoice", path):
            return 202, {"accepted": "InvoiceOrder"}
        return 404, {"error": "no route"}

    def _ledger(self, method: str, path: str, q: dict, body: Any) -> Any:
        if path == "/fulfilment/orders":
            return 200, {"orders": self.fulfillable}
        if path == "/fulfilment/pick-summary":
            chosen = {(o["shop_id"], o["shop_order_id"]) for o in body["orders"]}
            picked = [o for o in self.fulfillable if (o["shop_id"], o["shop_order_id"]) in chosen]
            return 200, {"products": [{"warehouse_id": "FO", "sku": "KAVE", "name": "Kávé", "unit": "db",
                                       "quantity": str(2 * len(picked)), "orders": len(picked)}],
                         "orders": [o for o in picked if o["fulfillable"]],
                         "not_fulfillable": [o for o in picked if not o["fulfillable"]]}
        if path == "/fulfilment/packing-summary.pdf":
            return httpx.Response(200, content=b"%PDF-1.7 packing", headers={"content-type": "application/pdf"})
        if path == "/fulfilment/purchase-summary":
            return 200, {"products": [{"warehouse_id": "FO", "sku": "TEA", "needed": "5", "available": "1",
                                       "incoming": "0", "shortfall": "4", "to_purchase": "4", "orders": 1,
                                       "name": "Tea", "unit": "db", "default_supplier_id": "SUP",
                                       "supplier_name": "Beszállító", "supplier_item_number": "T-1"}],
                         "already_fulfillable": []}
        if path == "/products" and method == "GET":
            return 200, {"products": self.products}
        if path == "/products" and method == "POST":
            self.products.append({"sku": body["sku"], **body["product"]})
            return 201, {"product": self.products[-1], "published": ["ProductCreated"]}
        if m := re.fullmatch(r"/products/([^/]+)/price", path):
            return 200, {"published": []}
        if m := re.fullmatch(r"/products/([^/]+)", path):
            product = next((p for p in self.products if p["sku"] == m[1]), None)
            if product is None:
                return 404, {"error": "NotFound", "detail": f"no product with SKU {m[1]}"}
            if method == "PATCH":
                product.update(body)
            return 200, {"product": product}
        if path in ("/stock/report", "/stock/report.csv"):
            if q.get("format") == "csv" or path.endswith(".csv"):
                return httpx.Response(200, text="warehouse_id,sku\r\nFO,KAVE\r\n", headers={"content-type": "text/csv"})
            return 200, {"rows": self.report}
        if path == "/stock":
            return 200, {"stock": [{"warehouse_id": "FO", "sku": "KAVE", "physical": "7", "reserved": "2",
                                    "incoming": "0", "free": "5"}]}
        if path == "/warehouses":
            return 200, {"warehouses": [{"warehouse_id": "FO", "name": "Fő raktár"}]}
        if path == "/suppliers":
            return 200, {"suppliers": [{"supplier_id": "SUP", "name": "Beszállító"}]}
        if path in ("/receipts", "/purchase-orders") and method == "POST":
            return 201, {"accepted": True, "stock_changes": []}
        if path == "/purchase-orders":
            return 200, {"lines": []}
        return 404, {"error": "no route"}
