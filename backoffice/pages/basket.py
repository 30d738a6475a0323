"""Basket (M23, M6): the to-be-invoiced orders; invoice all, e-mail all, with progress and
per-invoice results."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backoffice.pages.common import action, parse_refs, services, t, who
from backoffice.services import ServiceError
from backoffice.web import Pages, flash, redirect

RECENT = 8
INVOICE_REASONS = {
    "missing_buyer_data": "The buyer's data is not enough for an invoice (a company needs a valid tax number).",
    "order_not_open": "The order is cancelled or closed.",
    "already_invoiced": "The order already has an invoice.",
    "invalid_vat": "A line has a VAT rate an invoice cannot carry; fix the product's VAT key.",
    "other": "The invoice could not be made.",
}
EMAIL_ERRORS = {
    "no_address": "The customer has no e-mail address.",
    "refused": "The mail server refused the address.",
    "connection": "The mail server could not be reached.",
    "timeout": "The mail server did not answer in time.",
    "other": "The e-mail could not be sent.",
}


def remember_batch(request: Request, batch_id: str, kind: str, invoices: str | None = None) -> None:
    """Keep the user's last batches in the session so they can get back to them."""
    recent = [b for b in request.session.get("batches", []) if b["id"] != batch_id]
    request.session["batches"] = [{"id": batch_id, "kind": kind, "invoices": invoices}, *recent][:RECENT]


def progress(batch: dict[str, Any] | None) -> dict[str, Any]:
    """How far a batch is: done and total units, whether it still runs, and its counts."""
    if batch is None:
        return {"state": "starting", "running": True, "done": 0, "total": 0, "failed": 0}
    emails = batch.get("emails") or {}
    if batch["kind"] == "invoice":
        items = batch.get("items") or {}
        total = sum(items.values())
        done, failed = items.get("done", 0), items.get("failed", 0)
        running = batch["status"] == "running"
        mails = {"sent": emails.get("sent", 0), "failed": emails.get("failed", 0), "queued": emails.get("queued", 0)}
        running = running or (batch.get("email_after") and mails["queued"] > 0)
        return {"state": batch["status"], "running": bool(running), "done": done + failed, "total": total,
                "failed": failed, "emails": mails}
    total = sum(emails.values())
    sent, failed = emails.get("sent", 0), emails.get("failed", 0)
    return {"state": batch["status"], "running": batch["status"] == "running", "done": sent + failed,
            "total": total, "failed": failed, "skipped": len(batch.get("skipped") or []),
            "emails": {"sent": sent, "failed": failed, "queued": emails.get("queued", 0)}}


def routes(pages: Pages) -> list[Route]:
    def basket_path(request: Request) -> str:
        return f"/baskets/{request.app.state.settings.basket_id}"

    async def show_basket(request: Request) -> Response:
        basket = await services(request).invoicing.get(basket_path(request))
        waiting = [o for o in basket["orders"] if not o.get("invoice_number")]
        return pages.render(request, "basket.html", orders=basket["orders"], waiting=waiting,
                            batches=request.session.get("batches", []))

    async def remove(request: Request, form: Any) -> Response:
        refs = parse_refs(form.getlist("order"))
        if refs:
            await services(request).invoicing.post(basket_path(request) + "/orders/remove",
                                                   {"orders": refs, "requested_by": who(request)})
            flash(request, "ok", t(request)("{n} orders taken out of the basket.", n=len(refs)))
        return redirect("/basket")

    async def invoice_all(request: Request, form: Any) -> Response:
        answer = await services(request).invoicing.post(basket_path(request) + "/invoice", {
            "email_after": form.get("email_after") == "1", "requested_by": who(request)})
        remember_batch(request, answer["batch_id"], "invoice")
        return redirect(f"/batches/{answer['batch_id']}")

    async def email_all(request: Request, form: Any) -> Response:
        invoice_batch = str(form.get("invoice_batch_id") or "")
        numbers = [str(n) for n in form.getlist("invoice_number")]
        body = {"requested_by": who(request), "resend": form.get("resend") == "1"}
        body.update({"invoice_batch_id": invoice_batch} if invoice_batch else {"invoice_numbers": numbers})
        answer = await services(request).invoicing.post("/emails", body)
        remember_batch(request, answer["batch_id"], "email", invoice_batch or None)
        suffix = f"?invoices={invoice_batch}" if invoice_batch else ""
        return redirect(f"/batches/{answer['batch_id']}{suffix}")

    async def _batch(request: Request) -> dict[str, Any] | None:
        try:
            return await services(request).invoicing.get(f"/batches/{request.path_params['batch_id']}")
        except ServiceError as error:
            if error.kind == "not_found":
                return None  # the command is still on its way to the invoicing service
            raise

    async def show_batch(request: Request) -> Response:
        batch = await _batch(request)
        batch_id = request.path_params["batch_id"]
        invoice_batch = batch_id if batch and batch["kind"] == "invoice" else request.query_params.get("invoices")
        invoices = []
        if invoice_batch:
            invoices = (await services(request).invoicing.get("/invoices", batch_id=invoice_batch))["invoices"]
        return pages.render(request, "batch.html", batch=batch, batch_id=batch_id, p=progress(batch),
                            invoices=invoices, invoice_batch=invoice_batch,
                            invoice_reasons=INVOICE_REASONS, email_errors=EMAIL_ERRORS)

    async def batch_json(request: Request) -> Response:
        return JSONResponse(progress(await _batch(request)))

    return [
        Route("/basket", show_basket, methods=["GET"]),
        Route("/basket/remove", action(remove, "/basket"), methods=["POST"]),
        Route("/basket/invoice", action(invoice_all, "/basket"), methods=["POST"]),
        Route("/basket/email", action(email_all, "/basket"), methods=["POST"]),
        Route("/batches/{batch_id}.json", batch_json, methods=["GET"]),
        Route("/batches/{batch_id}", show_batch, methods=["GET"]),
    ]
