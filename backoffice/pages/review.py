"""Review queue: orders that could not be imported, the reason in words, and the fix that lets
them flow (map a VAT name, add a service item, retry, dismiss)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.pages.common import action, gather_soft, services, t, who
from backoffice.web import Pages, flash, redirect

REASONS = {
    "unknown_vat_name": "The shop uses a VAT name the back office does not know. Map it to a VAT key below.",
    "ambiguous_customer": "The guest's name and e-mail match several registered customers.",
    "unknown_service": "A line is a service the back office does not know. Add it as a service item below.",
    "unknown_product": "A product of the order could not be found in the shop.",
    "malformed_data": "The shop sent data polc cannot read; see the detail.",
    "totals_mismatch": "The order's total differs from the sum of its lines.",
}


def suggested_name(item: dict[str, Any]) -> str:
    """The VAT or service name a review item's detail quotes ('...'), to prefill the fix."""
    found = re.search(r"'([^']+)'", item.get("detail") or "")
    return found.group(1) if found else ""


def routes(pages: Pages) -> list[Route]:
    async def queue(request: Request) -> Response:
        s, problems, q = services(request), [], request.query_params
        data = await gather_soft(
            request, problems,
            items=(s.ingest.get("/review", state=q.get("state", "open"), shop=q.get("shop")), {"items": []}),
            vat=(s.ingest.get("/vat-keys"), {"vat_keys": []}),
            customers=(s.ingest.get("/customers", limit=1000), {"customers": []}))
        items = data["items"]["items"]
        for item in items:
            item["suggested"] = suggested_name(item)
            email = str((item.get("raw") or {}).get("email") or "").strip().casefold()
            item["candidates"] = [c for c in data["customers"]["customers"]
                                  if email and str(c.get("email") or "").casefold() == email]
        return pages.render(request, "review.html", items=items, vat_keys=data["vat"]["vat_keys"], reasons=REASONS,
                            problems=problems, q=q)

    async def map_vat(request: Request, form: Any) -> Response:
        short = str(form.get("short_name") or "").strip()
        category = str(form.get("category") or "PERCENTAGE")
        body: dict[str, Any] = {"category": category}
        if category == "PERCENTAGE":
            body["rate"] = rate_fraction(form.get("rate"))
        else:
            body["nav_case"] = str(form.get("nav_case") or "") or None
            body["exemption_reason"] = str(form.get("exemption_reason") or "") or None
        answer = await services(request).ingest.put(f"/vat-keys/{short}", body)
        flash(request, "ok", t(request)("VAT name {name} mapped; {n} shops' held orders are being imported again.",
                                        name=short, n=len(answer.get("retrying_shops", []))))
        return redirect("/review")

    async def add_service(request: Request, form: Any) -> Response:
        body = {"name": str(form.get("name") or "").strip(), "kind": form.get("kind") or "other",
                "vat_short_name": str(form.get("vat_short_name") or "") or None}
        await services(request).ingest.put("/service-items", body)
        flash(request, "ok", t(request)("Service item {name} added; held orders are being imported again.",
                                        name=body["name"]))
        return redirect("/review")

    async def retry(request: Request, form: Any) -> Response:
        p = request.path_params
        await services(request).ingest.post(f"/review/{p['shop_id']}/{p['order_id']}/retry", {"by": who(request)})
        flash(request, "ok", t(request)("The order is being imported again."))
        return redirect("/review")

    async def dismiss(request: Request, form: Any) -> Response:
        p = request.path_params
        await services(request).ingest.post(f"/review/{p['shop_id']}/{p['order_id']}/dismiss", {
            "by": who(request), "note": str(form.get("note") or "") or None})
        flash(request, "ok", t(request)("The order was dismissed; it will not be imported."))
        return redirect("/review")

    return [
        Route("/review", queue, methods=["GET"]),
        Route("/review/vat", action(map_vat, "/review"), methods=["POST"]),
        Route("/review/service", action(add_service, "/review"), methods=["POST"]),
        Route("/review/{shop_id}/{order_id}/retry", action(retry, "/review"), methods=["POST"]),
        Route("/review/{shop_id}/{order_id}/dismiss", action(dismiss, "/review"), methods=["POST"]),
    ]


def rate_fraction(value: Any) -> str:
    """A rate typed as 27, 27% or 0,27 as the fraction the service expects ("0.27")."""
    text = str(value or "").strip().rstrip("%").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return str(number / 100 if number > 1 else number)
