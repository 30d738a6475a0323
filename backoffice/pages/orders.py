"""Orders: search and filter; an order's document with notes, lines, customer, payment and
shipping, status and its invoice; one-click invoice (M2) and "to basket"."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.pages.common import action, gather_soft, services, t, who
from backoffice.web import Pages, flash, redirect


#: Orders on one page of the list.
PAGE_SIZE = 100
#: What the state filter offers; order_ingest applies it.
STATES = ("open", "closed", "not_invoiced", "invoiced")


def page_number(raw: str | None) -> int:
    """The 1-based page asked for; anything else is the first page."""
    try:
        return max(int(raw or 1), 1)
    except ValueError:
        return 1


def routes(pages: Pages) -> list[Route]:
    async def list_orders(request: Request) -> Response:
        s, problems, q = services(request), [], request.query_params
        page = page_number(q.get("page"))
        state = q.get("state", "") if q.get("state", "") in STATES else ""
        data = await gather_soft(
            request, problems,
            orders=(s.ingest.get("/orders", q=q.get("q", "").strip(), shop=q.get("shop", ""), state=state,
                                 newest_first=1, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE),
                    {"orders": [], "total": 0}),
            shops=(s.ingest.get("/shops"), {"shops": []}))
        total = data["orders"].get("total", 0)
        pages_total = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
        return pages.render(request, "orders.html", rows=data["orders"]["orders"], total=total, problems=problems,
                            shops=data["shops"]["shops"], q=q, page=page, pages_total=pages_total,
                            first=(page - 1) * PAGE_SIZE + 1)

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

    async def shipped(request: Request, form: Any) -> Response:
        shop_id, order_id = request.path_params["shop_id"], request.path_params["order_id"]
        answer = await services(request).ledger.post("/fulfilment/shipped", {
            "orders": [{"shop_id": shop_id, "shop_order_id": order_id, "carrier": form.get("carrier") or None,
                        "tracking_number": form.get("tracking_number") or None}],
            "shipped_by": who(request)})
        if answer["shipped"]:
            flash(request, "ok", t(request)("Marked as handed to the carrier; the shop's status follows."))
        else:
            flash(request, "error", t(request)("Not marked: the order is cancelled or was handed over before."))
        return redirect(f"/orders/{shop_id}/{order_id}")

    def back(request: Request) -> str:
        return f"/orders/{request.path_params['shop_id']}/{request.path_params['order_id']}"

    return [
        Route("/orders", list_orders, methods=["GET"]),
        Route("/orders/{shop_id}/{order_id}", show_order, methods=["GET"]),
        Route("/orders/{shop_id}/{order_id}/invoice", action(invoice_now, back), methods=["POST"]),
        Route("/orders/{shop_id}/{order_id}/basket", action(to_basket, back), methods=["POST"]),
        Route("/orders/{shop_id}/{order_id}/shipped", action(shipped, back), methods=["POST"]),
    ]
