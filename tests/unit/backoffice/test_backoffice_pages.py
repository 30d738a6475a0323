"""Every screen renders from the services' answers; forms send the right commands; failures read well."""

from __future__ import annotations

import pytest

from backoffice.web import money, qty


@pytest.fixture
def stocked(fake):
    fake.add_order("demo1", "o1", "DEMO1-1")
    fake.add_order("demo1", "o2", "DEMO1-2")
    for n, ok in (("o1", True), ("o2", False)):
        fake.fulfillable.append({"shop_id": "demo1", "shop_order_id": n, "order_number": f"N-{n}", "fulfillable": ok,
                                 "customer_name": "Kiss Anna", "warehouse_id": "FO", "placed_at": None,
                                 "lines": [{"sku": "KAVE", "quantity": "2", "is_stock_item": True}],
                                 "shortages": [] if ok else [{"sku": "KAVE", "missing": "1"}]})
    fake.invoices.append({"invoice_number": "SZ-2025-000001", "kind": "invoice", "shop_id": "demo1",
                          "shop_order_id": "o1", "batch_id": "inv-1", "gross": "2540", "pdf_sha256": "ab",
                          "email_status": "failed", "document": {"buyer": {"name": "Kiss Anna"}, "totals": {"gross": "2540"}}})
    fake.products.append({"sku": "KAVE", "name": "Kávé", "unit": "db", "net_price": "1000", "currency": "HUF",
                          "vat": {"short_name": "27%"}, "minimum_stock": "3"})
    fake.report.append({"warehouse_id": "FO", "sku": "KAVE", "name": "Kávé", "unit": "db", "physical": "7",
                        "reserved": "2", "free": "5", "minimum": "3", "incoming": "0", "to_purchase": "0",
                        "default_supplier_id": "SUP", "supplier_name": "Beszállító", "supplier_item_number": "K-1"})
    return fake


@pytest.mark.parametrize("path, expect", [
    ("/", "Demo bolt"), ("/orders", "DEMO1-2"), ("/orders/demo1/o1", "SR-o1"), ("/fulfillable", "N-o2"),
    ("/basket", "kosár"), ("/invoices", "SZ-2025-000001"), ("/invoices/SZ-2025-000001", "Kiss Anna"),
    ("/batches/inv-1", "SZ-2025-000001"), ("/batches/mail-1?invoices=inv-1", "2 e-mailből 1 elküldve"), ("/stock", "K-1"),
    ("/stock/receipts/new", "BEV-"), ("/stock/purchase-orders/new", "REND-"), ("/products", "Kávé"),
    ("/products/KAVE", "7"), ("/review", "Nincs"), ("/shops", "demo1"), ("/shops/demo1", "demo1-client"),
    ("/shops/new", "Client secret"), ("/sync/req-1", "Új rendelések"), ("/password", "jelszó"),
])
def test_screen_renders(client, stocked, path, expect) -> None:
    resp = client.get(path)
    assert resp.status_code == 200, resp.text[:500]
    assert expect in resp.text


def test_english_switch(client) -> None:
    assert "Rendelések" in client.get("/").text
    client.post("/lang", data={"lang": "en", "next": "/", "csrf_token": client.csrf})
    page = client.get("/").text
    assert "Orders" in page and "Rendelések" not in page


def test_unreachable_service_is_explained(client, fake) -> None:
    fake.down.add("invoicing")
    page = client.get("/basket")
    assert page.status_code == 502 and "számlázás" in page.text and "nem érhető el" in page.text
    dashboard = client.get("/")
    assert dashboard.status_code == 200 and "nem érhető el" in dashboard.text, "the dashboard shows what it can"


def test_refused_form_is_shown_on_its_page(client, fake) -> None:
    import httpx

    fake.overrides[("ingest", "POST", "/shops")] = lambda r: httpx.Response(
        422, json={"error": [{"loc": ["body", "api_base_url"], "msg": "Field required"}]})
    resp = client.post("/shops", data={"shop_id": "x", "csrf_token": client.csrf})
    assert resp.status_code == 303 and resp.headers["location"] == "/shops/new"
    assert "api_base_url: Field required" in client.get("/shops/new").text


def test_to_basket_sends_the_selection_and_waits_for_it(client, stocked) -> None:
    resp = client.post("/fulfillable/basket", data={"order": ["demo1:o1", "demo1:o2"], "csrf_token": client.csrf})
    assert resp.headers["location"] == "/basket"
    assert stocked.sent("invoicing", "POST", "/baskets/default/orders")[0]["orders"] == [
        {"shop_id": "demo1", "shop_order_id": "o1"}, {"shop_id": "demo1", "shop_order_id": "o2"}]
    assert "2 rendelés a kosárba került" in client.get("/basket").text


def test_pick_summary_and_packing_pdf(client, stocked) -> None:
    page = client.post("/fulfillable/pick", data={"order": ["demo1:o1"], "csrf_token": client.csrf})
    assert "Szedési összesítő" in page.text and 'value="demo1:o1" checked' in page.text
    pdf = client.post("/fulfillable/packing.pdf", data={"order": ["demo1:o1"], "csrf_token": client.csrf})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    needs = client.post("/fulfillable/purchase", data={"order": ["demo1:o2"], "csrf_token": client.csrf})
    assert "T-1" in needs.text


def test_invoice_all_and_email_all(client, stocked) -> None:
    resp = client.post("/basket/invoice", data={"csrf_token": client.csrf})
    assert resp.headers["location"] == "/batches/inv-1"
    resp = client.post("/basket/email", data={"invoice_batch_id": "inv-1", "csrf_token": client.csrf})
    assert resp.headers["location"] == "/batches/mail-1?invoices=inv-1"
    assert stocked.sent("invoicing", "POST", "/emails")[0]["invoice_batch_id"] == "inv-1"
    assert client.get("/batches/mail-1.json").json()["running"] is True


def test_goods_receipt_is_sent_with_decimal_comma(client, stocked) -> None:
    resp = client.post("/stock/receipts", data={
        "document_id": "BEV-1", "warehouse_id": "FO", "supplier_id": "SUP", "date": "2025-03-02",
        "sku": ["KAVE", ""], "quantity": ["2,5", ""], "cost": ["", ""], "csrf_token": client.csrf})
    assert resp.headers["location"] == "/products/KAVE"
    sent = stocked.sent("ledger", "POST", "/receipts")[0]
    assert sent["lines"] == [{"sku": "KAVE", "quantity": "2.5"}] and sent["receipt_id"] == "BEV-1"
    bad = client.post("/stock/receipts", data={"document_id": "BEV-2", "sku": "KAVE", "quantity": "sok",
                                               "cost": "", "csrf_token": client.csrf})
    assert bad.headers["location"] == "/stock/receipts/new"


def test_product_create_price_and_minimum(client, stocked) -> None:
    client.post("/products", data={"sku": "TEA", "name": "Tea", "unit": "db", "net_price": "990", "vat": "27%",
                                   "minimum_stock": "4", "csrf_token": client.csrf})
    created = stocked.sent("ledger", "POST", "/products")[0]
    assert created["product"]["vat"]["rate"] == "0.27" and created["product"]["minimum_stock"] == "4"
    client.post("/products/KAVE/price", data={"net_price": "1 100,50", "csrf_token": client.csrf})
    assert stocked.sent("ledger", "PUT", "/products/KAVE/price")[0]["net_price"] == "1100.50"
    client.post("/products/KAVE", data={"minimum_stock": "5", "default_supplier_id": "SUP", "csrf_token": client.csrf})
    assert stocked.sent("ledger", "PATCH", "/products/KAVE")[0]["minimum_stock"] == "5"


def test_stock_csv_export(client, stocked) -> None:
    resp = client.get("/stock.csv?suppliers=1")
    assert resp.headers["content-type"].startswith("text/csv") and "KAVE" in resp.text


def test_review_fix_maps_vat_name(client, fake) -> None:
    fake.review.append({"shop_id": "demo1", "shop_order_id": "o9", "shop_order_code": "SR-9", "reason": "unknown_vat_name",
                        "detail": "VAT short name 'ÁFA 27' of line 1 has no back-office VAT key", "state": "open",
                        "attempts": 1, "raw": {}})
    assert 'value="ÁFA 27"' in client.get("/review").text
    client.post("/review/vat", data={"short_name": "ÁFA 27", "category": "PERCENTAGE", "rate": "27",
                                     "csrf_token": client.csrf})
    assert fake.sent("ingest", "PUT", "/vat-keys/ÁFA 27")[0] == {"category": "PERCENTAGE", "rate": "0.27"}


def test_sync_now_shows_progress(client, fake) -> None:
    resp = client.post("/shops/demo1/sync", data={"csrf_token": client.csrf})
    assert resp.headers["location"] == "/sync/req-1"
    assert fake.sent("ingest", "POST", "/sync")[0]["shop_id"] == "demo1"


def test_number_formats() -> None:
    assert money("12345.6") == "12\u00a0345,60\u00a0Ft" and money("2540") == "2\u00a0540\u00a0Ft"
    assert qty("3.000") == "3" and qty("2.50") == "2,5" and qty(None) == "–"


def test_every_text_has_a_hungarian_translation() -> None:
    import re
    from pathlib import Path

    from backoffice.hu import HU

    root = Path(__file__).parents[3] / "backoffice"
    texts = set()
    for path in (root / "templates").glob("*.html"):
        texts.update(re.findall(r'_\("((?:[^"\\]|\\.)*)"', path.read_text()))
    for path in [*root.glob("*.py"), *(root / "pages").glob("*.py")]:
        texts.update(re.findall(r'(?:\b_\(|t\(request\)\()\s*"((?:[^"\\]|\\.)*)"', path.read_text()))
    assert len(texts) > 250
    assert sorted(texts - set(HU)) == []
