"""The NAV simulator's ASGI app: ``/invoiceService/v3/<operation>`` and the ``/_control`` API.

Operations: tokenExchange, manageInvoice, queryTransactionStatus, queryTransactionList. Control
(JSON) for tests and demos:

- ``POST /_control/inject`` ``{"invoice_number", "severity": "ERROR"|"WARN", "code", "message", "times"}``:
  the next report(s) of that invoice get this validation result.
- ``POST /_control/faults`` ``{"operation", "kind": "lost_response"|"unavailable", "count", "delay_s"}``:
  ``lost_response`` processes the call but answers only after ``delay_s`` (past the client's
  timeout); ``unavailable`` answers 503 without processing.
- ``POST /_control/settings`` ``{"processing_polls"}``; ``POST /_control/reset``.
- ``GET /_control/transactions``, ``GET /_control/invoices`` (submissions per invoice number),
  ``GET /_control/calls`` (requests per operation).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from datetime import datetime

import uvicorn
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from polc.nav_sim import protocol
from polc.nav_sim.protocol import NS, Refused
from polc.nav_sim.state import Fault, Injection, Item, SimState, User, decode, now
from services.invoicing.nav import signing

log = logging.getLogger(__name__)
DATA_NS = {"d": "http://schemas.nav.gov.hu/OSA/3.0/data"}
PAGE_SIZE = 50


def _xml(body: bytes, status: int = 200) -> Response:
    return Response(body, status_code=status, media_type="application/xml")


def _items(req: protocol.Request) -> list[Item]:
    compressed = req.text("api:invoiceOperations/api:compressedContent") == "true"
    items = []
    for node in req.root.iterfind("api:invoiceOperations/api:invoiceOperation", NS):
        b64 = node.findtext("api:invoiceData", namespaces=NS)
        number = original = None
        try:
            doc = etree.fromstring(decode(b64, compressed), etree.XMLParser(no_network=True, resolve_entities=False))
            number = doc.findtext("d:invoiceNumber", namespaces=DATA_NS)
            original = doc.findtext(".//d:invoiceReference/d:originalInvoiceNumber", namespaces=DATA_NS)
        except (etree.XMLSyntaxError, ValueError, OSError):
            pass  # judged as a schema violation when processed
        items.append(Item(index=int(node.findtext("api:index", namespaces=NS)),
                          operation=node.findtext("api:invoiceOperation", namespaces=NS), invoice_data_b64=b64,
                          compressed=compressed, invoice_number=number, original_invoice_number=original))
    return items


class Handlers:
    def __init__(self, state: SimState) -> None:
        self.state = state

    def _authenticated(self, body: bytes, root: str, moment: datetime,
                       operations: list[tuple[str, str]] | None = None) -> protocol.Request:
        req = protocol.parse_request(body, root)
        if operations is None and root == "ManageInvoiceRequest":
            operations = [(n.findtext("api:invoiceOperation", namespaces=NS), n.findtext("api:invoiceData", namespaces=NS))
                          for n in req.root.iterfind("api:invoiceOperations/api:invoiceOperation", NS)]
        protocol.check_user(req, self.state.users.get(req.login), moment, operations or [])
        key = (self.state.users[req.login].tax_number, req.request_id)
        if key in self.state.request_ids:
            raise Refused("REQUEST_ID_NOT_UNIQUE", f"requestId {req.request_id} was already used")
        self.state.request_ids.add(key)
        return req

    def token_exchange(self, body: bytes, moment: datetime) -> bytes:
        req = self._authenticated(body, "TokenExchangeRequest", moment)
        user: User = self.state.users[req.login]
        token = self.state.new_token(req.login, moment)
        root = protocol.response("TokenExchangeResponse", req.request_id, moment)
        protocol._el(root, "encodedExchangeToken", signing.encode_exchange_token(token, user.exchange_key))
        protocol._el(root, "tokenValidityFrom", protocol.stamp(moment))
        protocol._el(root, "tokenValidityTo", protocol.stamp(self.state.tokens[token][1]))
        return protocol.to_bytes(root)

    def manage_invoice(self, body: bytes, moment: datetime) -> bytes:
        req = self._authenticated(body, "ManageInvoiceRequest", moment)
        if not self.state.use_token(req.text("api:exchangeToken") or "", req.login, moment):
            raise Refused("INVALID_EXCHANGE_TOKEN", "exchange token unknown, used or expired")
        items = _items(req)
        if [i.index for i in items] != list(range(1, len(items) + 1)):
            raise Refused("INVALID_REQUEST", "operation indexes must run 1..n")
        tx = self.state.receive(req.login, req.request_id, items, moment)
        log.info("manageInvoice %s: %d invoices", tx.transaction_id, len(items))
        root = protocol.response("ManageInvoiceResponse", req.request_id, moment)
        protocol._el(root, "transactionId", tx.transaction_id)
        return protocol.to_bytes(root)

    def query_transaction_status(self, body: bytes, moment: datetime) -> bytes:
        req = self._authenticated(body, "QueryTransactionStatusRequest", moment)
        tx, final = self.state.status(req.text("api:transactionId") or "")
        root = protocol.response("QueryTransactionStatusResponse", req.request_id, moment)
        if tx is not None and self.state.users[tx.login].tax_number == self.state.users[req.login].tax_number:
            results = protocol._el(root, "processingResults")
            with_original = req.text("api:returnOriginalRequest") == "true"
            for item in tx.items:
                protocol.processing_result(results, item, final, with_original)
            protocol._el(results, "originalRequestVersion", "3.0")
        return protocol.to_bytes(root)

    def query_transaction_list(self, body: bytes, moment: datetime) -> bytes:
        req = self._authenticated(body, "QueryTransactionListRequest", moment)
        since = datetime.fromisoformat(req.text("api:insDate/api:dateTimeFrom"))
        until = datetime.fromisoformat(req.text("api:insDate/api:dateTimeTo"))
        found = self.state.listed(req.login, since, until)
        page = int(req.text("api:page") or 1)
        pages = max(1, -(-len(found) // PAGE_SIZE))
        root = protocol.response("QueryTransactionListResponse", req.request_id, moment)
        result = protocol._el(root, "transactionListResult")
        protocol._el(result, "currentPage", page)
        protocol._el(result, "availablePage", pages)
        for tx in found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]:
            node = protocol._el(result, "transaction")
            protocol._el(node, "insDate", protocol.stamp(tx.inserted_at))
            protocol._el(node, "insCusUser", tx.login)
            protocol._el(node, "source", "MGM")
            protocol._el(node, "transactionId", tx.transaction_id)
            protocol._el(node, "requestStatus", "FINISHED")
            protocol._el(node, "technicalAnnulment", "false")
            protocol._el(node, "originalRequestVersion", "3.0")
            protocol._el(node, "itemCount", len(tx.items))
        return protocol.to_bytes(root)


OPERATIONS = {"tokenExchange": "token_exchange", "manageInvoice": "manage_invoice",
              "queryTransactionStatus": "query_transaction_status", "queryTransactionList": "query_transaction_list"}


def build_app(users: list[User] | None = None) -> Starlette:
    state = SimState(users)
    handlers = Handlers(state)

    async def operation(request: Request) -> Response:
        name = request.path_params["operation"]
        if name not in OPERATIONS:
            return _xml(protocol.error_response("", now(), Refused("INVALID_OPERATION", name)), 404)
        body = await request.body()
        with state.lock:
            state.calls[name] = state.calls.get(name, 0) + 1
            fault = state.take_fault(name)
        if fault and fault.kind == "unavailable":
            return Response("service unavailable", status_code=503)
        moment = now()
        with state.lock:
            try:
                answer, status = getattr(handlers, OPERATIONS[name])(body, moment), 200
            except Refused as refused:
                log.info("%s refused: %s %s", name, refused.code, refused.message)
                answer, status = protocol.error_response("", moment, refused), refused.status
        if fault and fault.kind == "lost_response":
            await asyncio.sleep(fault.delay_s)  # processed, but the caller gave up waiting
        return _xml(answer, status)

    async def inject(request: Request) -> JSONResponse:
        body = await request.json()
        with state.lock:
            state.injections[body["invoice_number"]] = Injection(
                severity=body.get("severity", "ERROR"), code=body.get("code", "INJECTED_ERROR"),
                text=body.get("message", "injected by the simulator's control API"), times=int(body.get("times", 1)))
        return JSONResponse({"ok": True})

    async def faults(request: Request) -> JSONResponse:
        body = await request.json()
        with state.lock:
            state.faults.setdefault(body.get("operation", "manageInvoice"), []).append(
                Fault(kind=body["kind"], count=int(body.get("count", 1)), delay_s=float(body.get("delay_s", 5.0))))
        return JSONResponse({"ok": True})

    async def settings(request: Request) -> JSONResponse:
        body = await request.json()
        with state.lock:
            state.processing_polls = int(body.get("processing_polls", state.processing_polls))
        return JSONResponse({"processing_polls": state.processing_polls})

    async def reset(_: Request) -> JSONResponse:
        with state.lock:
            state.reset()
        return JSONResponse({"ok": True})

    async def transactions(_: Request) -> JSONResponse:
        with state.lock:
            return JSONResponse({"transactions": [
                {"transaction_id": tx.transaction_id, "request_id": tx.request_id, "login": tx.login,
                 "inserted_at": tx.inserted_at.isoformat(), "polls": tx.polls,
                 "items": [{"index": i.index, "operation": i.operation, "invoice_number": i.invoice_number,
                            "status": i.status, "messages": [m.__dict__ for m in i.messages]} for i in tx.items]}
                for tx in sorted(state.transactions.values(), key=lambda t: t.inserted_at)]})

    async def invoices(_: Request) -> JSONResponse:
        with state.lock:
            return JSONResponse({"invoices": state.invoices()})

    async def calls(_: Request) -> JSONResponse:
        with state.lock:
            return JSONResponse({"calls": dict(state.calls)})

    async def users(_: Request) -> JSONResponse:
        return JSONResponse({"users": [{"login": u.login, "tax_number": u.tax_number} for u in state.users.values()]})

    app = Starlette(routes=[
        Route("/invoiceService/v3/{operation}", operation, methods=["POST"]),
        Route("/_control/inject", inject, methods=["POST"]),
        Route("/_control/faults", faults, methods=["POST"]),
        Route("/_control/settings", settings, methods=["POST"]),
        Route("/_control/reset", reset, methods=["POST"]),
        Route("/_control/transactions", transactions, methods=["GET"]),
        Route("/_control/invoices", invoices, methods=["GET"]),
        Route("/_control/calls", calls, methods=["GET"]),
        Route("/_control/users", users, methods=["GET"]),
    ])
    app.state.nav = state
    return app


def make_server(app: Starlette, host: str, port: int) -> tuple[uvicorn.Server, socket.socket]:
    """A uvicorn server and its bound socket (port 0 picks a free port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                            timeout_graceful_shutdown=1)
    return uvicorn.Server(config), sock


async def serve(host: str, port: int, users: list[User] | None = None) -> None:
    app = build_app(users)
    server, sock = make_server(app, host, port)
    log.info("NAV simulator on http://%s:%d/invoiceService/v3", host, sock.getsockname()[1])
    await server.serve(sockets=[sock])
