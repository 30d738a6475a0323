"""Stock: the stock quantity report (M25) with supplier columns, filters and CSV export; goods
receipts and purchase orders; products (create, price, minimum stock, supplier) and what each
shop shows of them."""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.pages.common import action, gather_soft, services, t, who
from backoffice.web import Pages, flash, redirect

REPORT_FILTERS = ("warehouse", "sku", "supplier", "suppliers", "to_purchase", "below_minimum")


class FormProblem(ValueError):
    """A form field an operator must correct; the message says which and how."""


def number(value: Any, field: str, *, required: bool = True) -> str | None:
    """A typed number (decimal comma allowed) as the API's decimal string."""
    text = str(value or "").strip().replace(" ", "").replace(",", ".")
    if not text:
        if required:
            raise FormProblem(field)
        return None
    try:
        return format(Decimal(text), "f")
    except InvalidOperation as error:
        raise FormProblem(field) from error


def document_lines(form: Any) -> list[dict[str, Any]]:
    """Receipt / purchase order lines from the form's parallel sku, quantity and cost fields."""
    lines = []
    for sku, quantity, cost in zip(form.getlist("sku"), form.getlist("quantity"), form.getlist("cost"), strict=False):
        sku = str(sku).strip()
        if not sku:
            continue
        line: dict[str, Any] = {"sku": sku, "quantity": number(quantity, f"{sku}: quantity")}
        unit_cost = number(cost, f"{sku}: cost", required=False)
        if unit_cost is not None:
            line["net_unit_cost"] = unit_cost
        lines.append(line)
    if not lines:
        raise FormProblem("lines")
    return lines


def new_document_id(prefix: str) -> str:
    """A document number for a new form; the form keeps it, so a double submit books nothing twice."""
    return f"{prefix}-{date.today():%Y%m%d}-{secrets.token_hex(3).upper()}"


def report_params(query: Any) -> dict[str, str]:
    params = {k: query.get(k, "") for k in REPORT_FILTERS}
    if "filtered" not in query:
        params["suppliers"] = "1"  # supplier columns are shown unless turned off
    return {k: v for k, v in params.items() if v}


def routes(pages: Pages) -> list[Route]:
    async def report(request: Request) -> Response:
        s, problems = services(request), []
        params = report_params(request.query_params)
        data = await gather_soft(request, problems, rows=(s.ledger.get("/stock/report", **params), {"rows": []}),
                                 warehouses=(s.ledger.get("/warehouses"), {"warehouses": []}),
                                 suppliers=(s.ledger.get("/suppliers"), {"suppliers": []}))
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return pages.render(request, "stock.html", rows=data["rows"]["rows"], params=params, csv_query=query,
                            warehouses=data["warehouses"]["warehouses"], suppliers=data["suppliers"]["suppliers"],
                            problems=problems)

    async def report_csv(request: Request) -> Response:
        params = report_params(request.query_params)
        answer = await services(request).ledger.request("GET", "/stock/report.csv", params=params)
        return Response(answer.content, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="keszlet.csv"'})

    async def document_form(request: Request) -> Response:
        kind = "receipt" if "receipts" in request.url.path else "purchase_order"
        s, problems = services(request), []
        data = await gather_soft(request, problems, warehouses=(s.ledger.get("/warehouses"), {"warehouses": []}),
                                 suppliers=(s.ledger.get("/suppliers"), {"suppliers": []}),
                                 products=(s.ledger.get("/products"), {"products": []}),
                                 open_pos=(s.ledger.get("/purchase-orders"), {"lines": []}))
        return pages.render(request, "stock_document.html", kind=kind, problems=problems, today=date.today().isoformat(),
                            document_id=new_document_id("BEV" if kind == "receipt" else "REND"),
                            prefill_sku=request.query_params.get("sku", ""), **{k: v for k, v in data.items()})

    async def record(request: Request, form: Any) -> Response:
        kind = "receipt" if "receipts" in request.url.path else "purchase_order"
        _ = t(request)
        try:
            body: dict[str, Any] = {"warehouse_id": form.get("warehouse_id"), "supplier_id": form.get("supplier_id"),
                                    "lines": document_lines(form), "requested_by": who(request)}
        except FormProblem as problem:
            flash(request, "error", _("Check this field: {field}", field=str(problem)))
            return redirect(request.url.path + "/new")
        if kind == "receipt":
            body.update(receipt_id=form.get("document_id"), received_on=form.get("date") or date.today().isoformat(),
                        supplier_document=str(form.get("supplier_document") or "") or None,
                        purchase_order_id=str(form.get("purchase_order_id") or "") or None)
            await services(request).ledger.post("/receipts", body)
            flash(request, "ok", _("Goods receipt {id} recorded; the shops get the new stock in a few seconds.",
                                   id=body["receipt_id"]))
        else:
            body.update(purchase_order_id=form.get("document_id"), expected_on=str(form.get("date") or "") or None)
            await services(request).ledger.post("/purchase-orders", body)
            flash(request, "ok", _("Purchase order {id} recorded; its goods count as incoming.",
                                   id=body["purchase_order_id"]))
        first_sku = body["lines"][0]["sku"]
        return redirect(f"/products/{first_sku}" if len(body["lines"]) == 1 else "/stock")

    async def add_supplier(request: Request, form: Any) -> Response:
        await services(request).ledger.post("/suppliers", {
            "supplier_id": str(form.get("supplier_id") or "").strip(), "name": str(form.get("name") or "").strip(),
            "email": str(form.get("email") or "").strip() or None})
        flash(request, "ok", t(request)("Supplier saved."))
        return redirect(str(form.get("back") or "/products"))

    async def add_warehouse(request: Request, form: Any) -> Response:
        await services(request).ledger.post("/warehouses", {
            "warehouse_id": str(form.get("warehouse_id") or "").strip(), "name": str(form.get("name") or "").strip()})
        flash(request, "ok", t(request)("Warehouse saved."))
        return redirect(str(form.get("back") or "/stock"))

    return [
        Route("/stock", report, methods=["GET"]),
        Route("/stock.csv", report_csv, methods=["GET"]),
        Route("/stock/receipts/new", document_form, methods=["GET"]),
        Route("/stock/receipts", action(record, "/stock/receipts/new"), methods=["POST"]),
        Route("/stock/purchase-orders/new", document_form, methods=["GET"]),
        Route("/stock/purchase-orders", action(record, "/stock/purchase-orders/new"), methods=["POST"]),
        Route("/stock/suppliers", action(add_supplier, "/products"), methods=["POST"]),
        Route("/stock/warehouses", action(add_warehouse, "/stock"), methods=["POST"]),
        *product_routes(pages),
    ]


def product_body(form: Any, vat_keys: list[dict]) -> dict[str, Any]:
    """A CreateProduct command from the new-product form."""
    vat = next((v for v in vat_keys if v["short_name"] == form.get("vat")), None)
    if vat is None:
        raise FormProblem("VAT")
    product = {"name": str(form.get("name") or "").strip(), "unit": str(form.get("unit") or "db").strip(),
               "vat": {k: vat.get(k) for k in ("short_name", "category", "rate", "nav_case", "exemption_reason")},
               "net_price": number(form.get("net_price"), "net price"), "currency": "HUF",
               "is_stock_item": form.get("service") != "1",
               "minimum_stock": number(form.get("minimum_stock"), "minimum stock", required=False),
               "default_supplier_id": str(form.get("default_supplier_id") or "") or None,
               "supplier_item_number": str(form.get("supplier_item_number") or "").strip() or None}
    return {"sku": str(form.get("sku") or "").strip(), "product": product}


def product_routes(pages: Pages) -> list[Route]:
    async def list_products(request: Request) -> Response:
        s, problems = services(request), []
        data = await gather_soft(request, problems, products=(s.ledger.get("/products"), {"products": []}),
                                 vat=(s.ingest.get("/vat-keys"), {"vat_keys": []}),
                                 suppliers=(s.ledger.get("/suppliers"), {"suppliers": []}))
        needle = request.query_params.get("q", "").strip().casefold()
        products = [p for p in data["products"]["products"]
                    if not needle or needle in f"{p['sku']} {p.get('name', '')}".casefold()]
        return pages.render(request, "products.html", products=products, vat_keys=data["vat"]["vat_keys"],
                            suppliers=data["suppliers"]["suppliers"], problems=problems, q=request.query_params)

    async def create(request: Request, form: Any) -> Response:
        vat_keys = (await services(request).ingest.get("/vat-keys"))["vat_keys"]
        try:
            body = product_body(form, vat_keys)
        except FormProblem as problem:
            flash(request, "error", t(request)("Check this field: {field}", field=str(problem)))
            return redirect("/products")
        await services(request).ledger.post("/products", {**body, "requested_by": who(request)})
        flash(request, "ok", t(request)("Product {sku} created; the shops get it in a few seconds.", sku=body["sku"]))
        return redirect(f"/products/{body['sku']}")

    async def show(request: Request) -> Response:
        sku = request.path_params["sku"]
        s, problems = services(request), []
        product = (await s.ledger.get(f"/products/{sku}"))["product"]
        data = await gather_soft(request, problems, stock=(s.ledger.get("/stock", sku=sku), {"stock": []}),
                                 shops=(s.ingest.get("/shops"), {"shops": []}),
                                 suppliers=(s.ledger.get("/suppliers"), {"suppliers": []}))
        in_shops = []
        for shop in data["shops"]["shops"]:
            explain = await gather_soft(request, problems,
                                        e=(s.push.get(f"/shops/{shop['shop_id']}/products/{sku}"), None))
            if explain["e"] is not None:
                in_shops.append({"shop": shop, **explain["e"]})
        return pages.render(request, "product.html", p=product, stock=data["stock"]["stock"], in_shops=in_shops,
                            suppliers=data["suppliers"]["suppliers"], problems=problems)

    async def set_price(request: Request, form: Any) -> Response:
        sku = request.path_params["sku"]
        try:
            price = number(form.get("net_price"), "net price")
        except FormProblem as problem:
            flash(request, "error", t(request)("Check this field: {field}", field=str(problem)))
            return redirect(f"/products/{sku}")
        await services(request).ledger.put(f"/products/{sku}/price", {"net_price": price, "requested_by": who(request)})
        flash(request, "ok", t(request)("Price saved; the shops get it in a few seconds."))
        return redirect(f"/products/{sku}")

    async def edit(request: Request, form: Any) -> Response:
        sku = request.path_params["sku"]
        try:
            body = {"minimum_stock": number(form.get("minimum_stock"), "minimum stock", required=False),
                    "default_supplier_id": str(form.get("default_supplier_id") or "") or None,
                    "supplier_item_number": str(form.get("supplier_item_number") or "").strip() or None}
        except FormProblem as problem:
            flash(request, "error", t(request)("Check this field: {field}", field=str(problem)))
            return redirect(f"/products/{sku}")
        await services(request).ledger.patch(f"/products/{sku}", body)
        flash(request, "ok", t(request)("Product saved."))
        return redirect(f"/products/{sku}")

    def back(request: Request) -> str:
        return f"/products/{request.path_params['sku']}"

    return [
        Route("/products", list_products, methods=["GET"]),
        Route("/products", action(create, "/products"), methods=["POST"]),
        Route("/products/{sku}", show, methods=["GET"]),
        Route("/products/{sku}", action(edit, back), methods=["POST"]),
        Route("/products/{sku}/price", action(set_price, back), methods=["POST"]),
    ]
