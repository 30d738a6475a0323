"""Invoices: list, PDF view, e-mail status and re-send, storno."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice.pages.basket import remember_batch
from backoffice.pages.common import action, services, t, who
from backoffice.web import Pages, flash, redirect


def filter_invoices(invoices: list[dict], *, q: str = "", email_status: str = "", kind: str = "") -> list[dict]:
    """Newest first, matching number/order text, e-mail status and kind."""
    needle = q.strip().casefold()
    out = []
    for inv in reversed(invoices):
        status = inv.get("email_status") or "none"
        if email_status and status != email_status or kind and inv.get("kind") != kind:
            continue
        if needle and needle not in f"{inv['invoice_number']} {inv['shop_order_id']}".casefold():
            continue
        out.append(inv)
    return out


def routes(pages: Pages) -> list[Route]:
    async def list_invoices(request: Request) -> Response:
        q = request.query_params
        answer = await services(request).invoicing.get("/invoices", shop_id=q.get("shop"), limit=10000)
        rows = filter_invoices(answer["invoices"], q=q.get("q", ""), email_status=q.get("email_status", ""),
                               kind=q.get("kind", ""))
        return pages.render(request, "invoices.html", rows=rows[:500], total=len(rows), q=q)

    async def show_invoice(request: Request) -> Response:
        number = request.path_params["number"]
        invoice = await services(request).invoicing.get(f"/invoices/{number}")
        return pages.render(request, "invoice.html", inv=invoice, doc=invoice.get("document") or {})

    async def pdf(request: Request) -> Response:
        number = request.path_params["number"]
        answer = await services(request).invoicing.request("GET", f"/invoices/{number}/pdf")
        return Response(answer.content, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{number}.pdf"',
                                 "X-Sha256": answer.headers.get("X-Sha256", "")})

    async def resend(request: Request, form: Any) -> Response:
        number = request.path_params["number"]
        answer = await services(request).invoicing.post("/emails", {
            "invoice_numbers": [number], "resend": True, "requested_by": who(request)})
        remember_batch(request, answer["batch_id"], "email")
        flash(request, "ok", t(request)("The invoice is being e-mailed again."))
        return redirect(f"/batches/{answer['batch_id']}")

    async def cancel(request: Request, form: Any) -> Response:
        number = request.path_params["number"]
        reason = str(form.get("reason") or "").strip()
        if not reason:
            flash(request, "error", t(request)("Give the reason of the storno."))
            return redirect(f"/invoices/{number}")
        await services(request).invoicing.post(f"/invoices/{number}/cancel", {
            "reason": reason, "restock": form.get("restock") == "1", "requested_by": who(request)})
        flash(request, "ok", t(request)("The storno invoice is being made; it shows up on this page in a few seconds."))
        return redirect(f"/invoices/{number}")

    def back(request: Request) -> str:
        return f"/invoices/{request.path_params['number']}"

    return [
        Route("/invoices", list_invoices, methods=["GET"]),
        Route("/invoices/{number}/pdf", pdf, methods=["GET"]),
        Route("/invoices/{number}", show_invoice, methods=["GET"]),
        Route("/invoices/{number}/email", action(resend, back), methods=["POST"]),
        Route("/invoices/{number}/cancel", action(cancel, back), methods=["POST"]),
    ]
