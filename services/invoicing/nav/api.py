"""HTTP routes of the per-invoice NAV status, mounted with the invoicing API.

``GET /invoices/{number}/nav`` (status, transaction, index, warnings, errors, history),
``GET /invoices/{number}/nav/xml`` (the InvoiceData last sent), ``POST /invoices/{number}/nav/resend``
(a rejected report is queued again under the same invoice number) and ``GET /nav/reports``.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.invoicing.nav import store as nav_store

_JSON_FIELDS = ("warnings", "errors", "history")


def _plain(row: Any) -> dict:
    out = {}
    for key, value in dict(row).items():
        if key in _JSON_FIELDS and isinstance(value, str):
            value = json.loads(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


async def get_report(request: Request) -> JSONResponse:
    async with request.app.state.runtime.pool.acquire() as conn:
        row = await nav_store.get_report(conn, request.path_params["number"])
    if row is None:
        return JSONResponse({"error": "no such invoice"}, status_code=404)
    return JSONResponse(_plain(row))


async def get_xml(request: Request) -> Response:
    async with request.app.state.runtime.pool.acquire() as conn:
        xml = await nav_store.get_invoice_data(conn, request.path_params["number"])
    if xml is None:
        return JSONResponse({"error": "nothing sent to NAV yet for this invoice"}, status_code=404)
    return Response(xml, media_type="application/xml")


async def resend(request: Request) -> JSONResponse:
    number = request.path_params["number"]
    async with request.app.state.runtime.pool.acquire() as conn, conn.transaction():
        before = await nav_store.resend(conn, number)
    if before is None:
        return JSONResponse({"error": "no such invoice"}, status_code=404)
    if before != "rejected":
        return JSONResponse({"error": f"the report is {before}; only a rejected report is sent again"},
                            status_code=409)
    return JSONResponse({"invoice_number": number, "status": "pending"}, status_code=202)


async def list_reports(request: Request) -> JSONResponse:
    q = request.query_params
    async with request.app.state.runtime.pool.acquire() as conn:
        rows = await nav_store.list_reports(conn, q.get("status"), min(int(q.get("limit", "1000")), 10000))
        counts = await nav_store.status_counts(conn)
    return JSONResponse({"counts": counts, "reports": [_plain(r) for r in rows]})


def routes() -> list[Route]:
    return [
        Route("/invoices/{number}/nav", get_report, methods=["GET"]),
        Route("/invoices/{number}/nav/xml", get_xml, methods=["GET"]),
        Route("/invoices/{number}/nav/resend", resend, methods=["POST"]),
        Route("/nav/reports", list_reports, methods=["GET"]),
    ]
