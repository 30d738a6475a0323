"""Fulfillable orders (M21-M24): open, not invoiced orders with a fulfillable mark; desktop-like
selection; pick summary, printable packing summary (PDF), "To basket", purchase needs."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.pages.common import action, gather_soft, parse_refs, services, t, who
from backoffice.web import Pages, flash, redirect


def keys(refs: list[dict[str, str]]) -> set[str]:
    return {f"{r['shop_id']}:{r['shop_order_id']}" for r in refs}


def visible(orders: list[dict], *, shop: str = "", show: str = "") -> list[dict]:
    """The orders the filters keep, in the ledger's allocation order."""
    out = [o for o in orders if not shop or o["shop_id"] == shop]
    if show == "fulfillable":
        out = [o for o in out if o["fulfillable"]]
    elif show == "not_fulfillable":
        out = [o for o in out if not o["fulfillable"]]
    return out


def routes(pages: Pages) -> list[Route]:
    async def page(request: Request, selected: set[str], **extra: Any) -> Response:
        s, problems, q = services(request), [], request.query_params
        data = await gather_soft(
            request, problems, orders=(s.ledger.get("/fulfilment/orders"), {"orders": []}),
            basket=(s.invoicing.get(f"/baskets/{request.app.state.settings.basket_id}"), {"orders": []}))
        orders = data["orders"]["orders"]
        in_basket = keys(data["basket"]["orders"])
        rows = visible(orders, shop=q.get("shop", ""), show=q.get("show", ""))
        shops = sorted({o["shop_id"] for o in orders})
        return pages.render(request, "fulfillable.html", rows=rows, selected=selected, in_basket=in_basket,
                            shops=shops, problems=problems, q=q, fulfillable_count=sum(o["fulfillable"] for o in orders),
                            total=len(orders), **extra)

    async def show(request: Request) -> Response:
        return await page(request, set())

    async def pick(request: Request, form: Any) -> Response:
        refs = parse_refs(form.getlist("order"))
        if not refs:
            return _nothing(request)
        summary = await services(request).ledger.post("/fulfilment/pick-summary", {"orders": refs})
        return await page(request, keys(refs), pick=summary)

    async def purchase(request: Request, form: Any) -> Response:
        refs = parse_refs(form.getlist("order"))
        if not refs:
            return _nothing(request)
        needs = await services(request).ledger.post("/fulfilment/purchase-summary", {"orders": refs})
        return await page(request, keys(refs), purchase=needs)

    async def packing_pdf(request: Request, form: Any) -> Response:
        refs = parse_refs(form.getlist("order"))
        if not refs:
            return _nothing(request)
        answer = await services(request).ledger.request("POST", "/fulfilment/packing-summary.pdf", json={"orders": refs})
        return Response(answer.content, media_type="application/pdf",
                        headers={"Content-Disposition": 'inline; filename="csomagolasi-osszesito.pdf"'})

    async def to_basket(request: Request, form: Any) -> Response:
        refs = parse_refs(form.getlist("order"))
        if not refs:
            return _nothing(request)
        settings = request.app.state.settings
        client = services(request).invoicing
        await client.post(f"/baskets/{settings.basket_id}/orders", {"orders": refs, "requested_by": who(request)})
        arrived = await _wait_in_basket(client, settings.basket_id, keys(refs), settings.basket_wait_s)
        _ = t(request)
        if arrived:
            flash(request, "ok", _("{n} orders moved to the basket.", n=len(refs)))
        else:
            flash(request, "info", _("{n} orders are on their way to the basket; they show up in a few seconds.",
                                     n=len(refs)))
        return redirect("/basket")

    def _nothing(request: Request) -> Response:
        flash(request, "error", t(request)("Select at least one order first."))
        return redirect("/fulfillable")

    return [
        Route("/fulfillable", show, methods=["GET"]),
        Route("/fulfillable/pick", action(pick, "/fulfillable"), methods=["POST"]),
        Route("/fulfillable/purchase", action(purchase, "/fulfillable"), methods=["POST"]),
        Route("/fulfillable/packing.pdf", action(packing_pdf, "/fulfillable"), methods=["POST"]),
        Route("/fulfillable/basket", action(to_basket, "/fulfillable"), methods=["POST"]),
    ]


async def _wait_in_basket(client: Any, basket_id: str, wanted: set[str], wait_s: float) -> bool:
    """Whether every wanted order is in the basket within ``wait_s`` (the basket is updated asynchronously)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        basket = await client.get(f"/baskets/{basket_id}")
        if wanted <= keys(basket["orders"]):
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(0.3)
