"""Orders: search and filter; an order's document with notes, lines, customer, payment and
shipping, status and its invoice; one-click invoice (M2) and "to basket"."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.pages.common import action, gather_soft, services, t, who
from backoffice.web import Pages, flash, redirect


def filter_orders(orders: list[dict], customers: dict[str, dict], invoiced: dict[tuple[str, str], str], *,
                  q: str = "", shop: str = "", state: str = "") -> list[dict[str, Any]]:
    """Orders newest first with their customer and invoice, matching the search text and filters."""
    needle = q.strip().casefold()
    rows = []
    for order in reversed(orders):
        customer = customers.get(order["customer_id"], {})
        key = (order["shop_id"], order["shop_order_id"])
        row = {**order, "customer_name": customer.get("name"), "customer_email": customer.get("email"),
               "invoice_number": invoiced.get(key)}
        if shop and order["shop_id"] != shop:
            continue
        if state == "open" and not order["is_open"] or state == "closed" and order["is_open"]:
            continue
        if state == "invoiced" and not row["invoice_number"] or state == "not_invoiced" and row["invoice_number"]:
            continue
        haystack = " ".join(str(v) for v in (order["order_number"], order["shop_order_id"], order["status_name"],
                                             row["customer_name"], row["customer_email"], row["invoice_number"]) if v)
        if needle and needle not in haystack.casefold():
            continue
        rows.append(row)
    return rows


def invoice_index(invoices: list[dict]) -> dict[tuple[str, str], str]:
    return {(i["shop_id"], i["shop_order_id"]): i["invoice_number"] for i in invoices if i.get("kind") == "invoice"}


def routes(pages: Pages) -> list[Route]:
    async def list_orders(request: Request) -> Response:
        s, problems, q = services(request), [], request.query_params
        data = await gather_soft(
            request, problems, orders=(s.ingest.get("/orders", limit=1000), {"orders": []}),
            customers=(s.ingest.get("/customers", limit=1000), {"customers": []}),
            shops=(s.ingest.get("/shops"), {"shops": []}),
            invoices=(s.invoicing.get("/invoices", limit=10000), {"invoices": []}))
        customers = {c["customer_id"]: c for c in data["customers"]["customers"]}
        rows = filter_orders(data["orders"]["orders"], customers, invoice_index(data["invoices"]["invoices"]),
                             q=q.get("q", ""), shop=q.get("shop", ""), state=q.get("state", ""))
        return pages.render(request, "orders.html", rows=rows[:500], total=len(rows), problems=problems,
                            shops=data["shops"]["shops"], q=q)

    async def show_order(request: Request) -> Response:
        shop_id, order_id = request.path_params["shop_id"], request.path_params["order_id"]
        s, problems = services(request), []
        order = await s.ingest.get(f"/orders/{shop_id}/{order_id}")
        data = await gather_soft(
            request, problems,
            invoices=(s.invoicing.get("/invoices", shop_id=shop_id, shop_order_id=order_id), {"invoices": []}),
            basket=(s.invoicing.get(f"/baskets/{request.app.state.settings.basket_id}"), {"orders": []}))
        in_basket = any(b["shop_id"] == shop_id and b["shop_order_id"] == order_id for b in data["basket"]["orders"])
        return pages.render(request, "order.html", order=order, doc=order["document"], problems=problems,
                            invoices=data["invoices"]["invoices"], in_basket=in_basket)

    async def invoice_now(request: Request, form: Any) -> Response:
        shop_id, order_id = request.path_params["shop_id"], request.path_params["order_id"]
        await services(request).invoicing.post(f"/orders/{shop_id}/{order_id}/invoice", {
            "email": form.get("email") == "1", "requested_by": who(request),
            "basket_id": request.app.state.settings.basket_id})
        flash(request, "ok", t(request)("The invoice is being made; it shows up here in a few seconds."))
        return redirect(f"/orders/{shop_id}/{order_id}?waiting=invoice")

    async def to_basket(request: Request, form: Any) -> Response:
        shop_id, order_id = request.path_params["shop_id"], request.path_params["order_id"]
        await services(request).invoicing.post(f"/baskets/{request.app.state.settings.basket_id}/orders", {
            "orders": [{"shop_id": shop_id, "shop_order_id": order_id}], "requested_by": who(request)})
        flash(request, "ok", t(request)("The order was put in the basket."))
        return redirect(f"/orders/{shop_id}/{order_id}")

    def back(request: Request) -> str:
        return f"/orders/{request.path_params['shop_id']}/{request.path_params['order_id']}"

    return [
        Route("/orders", list_orders, methods=["GET"]),
        Route("/orders/{shop_id}/{order_id}", show_order, methods=["GET"]),
        Route("/orders/{shop_id}/{order_id}/invoice", action(invoice_now, back), methods=["POST"]),
        Route("/orders/{shop_id}/{order_id}/basket", action(to_basket, back), methods=["POST"]),
    ]
