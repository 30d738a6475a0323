"""Dashboard (M20): per shop the last successful sync, the next one, errors, orders in review,
pending shop writes and e-mail failures; "sync now" per shop with its progress."""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from backoffice.pages.common import action, gather_soft, services, t, who
from backoffice.web import Pages, flash, redirect


def shop_rows(shops: list[dict], status: list[dict], review: list[dict], push: list[dict],
              invoices: list[dict]) -> list[dict[str, Any]]:
    """One dashboard row per shop from the four services' answers."""
    by_status = {s["shop_id"]: s for s in status}
    in_review = Counter(i["shop_id"] for i in review)
    pending = {p["shop_id"]: p.get("pending", 0) for p in push}
    pusher = {p["shop_id"]: p.get("pusher") or {} for p in push}
    failed_mail = Counter(i["shop_id"] for i in invoices if i.get("email_status") == "failed")
    rows = []
    for shop in shops:
        sid = shop["shop_id"]
        st = by_status.get(sid, {})
        rows.append({"shop": shop, "last_success_at": st.get("last_success_at"), "next_due_at": st.get("next_due_at"),
                     "last_error": st.get("last_error"), "polls": st.get("polls", 0), "in_review": in_review[sid],
                     "pending_writes": pending.get(sid), "push_state": pusher.get(sid) or {},
                     "email_failures": failed_mail[sid]})
    return rows


SYNC_ERRORS = {
    "auth": "The shop refused the credentials: check the client id and secret on the shop's page.",
    "unavailable": "The shop could not be reached; polc tries again by itself.",
    "rate_limited": "The shop asked polc to slow down; polc tries again by itself.",
    "bad_response": "The shop answered something polc does not understand; see the detail.",
}


def routes(pages: Pages) -> list[Route]:
    async def dashboard(request: Request) -> Response:
        s, problems = services(request), []
        data = await gather_soft(
            request, problems,
            shops=(s.ingest.get("/shops"), {"shops": []}), status=(s.ingest.get("/sync"), {"shops": []}),
            review=(s.ingest.get("/review"), {"items": []}), push=(s.push.get("/shops"), {"shops": []}),
            invoices=(s.invoicing.get("/invoices", limit=10000), {"invoices": []}))
        rows = shop_rows(data["shops"]["shops"], data["status"]["shops"], data["review"]["items"],
                         data["push"]["shops"], data["invoices"]["invoices"])
        failed = [i for i in data["invoices"]["invoices"] if i.get("email_status") == "failed"]
        return pages.render(request, "dashboard.html", rows=rows, problems=problems, failed_mails=failed[:20],
                            review_count=len(data["review"]["items"]))

    async def sync_now(request: Request, form: Any) -> Response:
        shop_id = request.path_params.get("shop_id")
        answer = await services(request).ingest.post("/sync", {"shop_id": shop_id, "requested_by": who(request)})
        ids = list(answer.get("requests", {}).values())
        if not ids:
            flash(request, "info", t(request)("No enabled shop to sync."))
            return redirect("/")
        return redirect("/sync/" + ",".join(ids))

    async def sync_progress(request: Request) -> Response:
        ids = request.path_params["ids"].split(",")
        return pages.render(request, "sync.html", ids=ids, requests=await _requests(request, ids),
                            sync_errors=SYNC_ERRORS)

    async def sync_progress_json(request: Request) -> Response:
        return JSONResponse({"requests": await _requests(request, request.path_params["ids"].split(","))})

    async def _requests(request: Request, ids: list[str]) -> list[dict[str, Any]]:
        client = services(request).ingest
        return [await client.get(f"/sync/requests/{i}") for i in ids[:20]]

    return [
        Route("/", dashboard, methods=["GET"]),
        Route("/sync", action(sync_now), methods=["POST"]),
        Route("/shops/{shop_id}/sync", action(sync_now), methods=["POST"]),
        Route("/sync/{ids}.json", sync_progress_json, methods=["GET"]),
        Route("/sync/{ids}", sync_progress, methods=["GET"]),
    ]
