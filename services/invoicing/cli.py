"""``polc invoicing ...``: basket, one-click invoice, e-mail, storno and status, through the HTTP API."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from services.invoicing.nav import cli as nav_cli

DEFAULT_URL = os.environ.get("POLC_INVOICING_URL", "http://127.0.0.1:8104")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("invoicing", help="invoice orders, baskets and e-mail invoices (M2, M6, M23)")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"invoicing service URL (default {DEFAULT_URL})")
    sub = parser.add_subparsers(dest="invoicing_command", required=True)

    def orders_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--basket", default="default")
        p.add_argument("--shop", required=True, help="shop id of the orders")
        p.add_argument("orders", nargs="+", help="ShopRenter order ids")

    p = sub.add_parser("add", help="put orders in the basket")
    orders_args(p)
    p.set_defaults(func=lambda a: _post(a, f"/baskets/{a.basket}/orders", {"orders": _refs(a)}))
    p = sub.add_parser("remove", help="take orders out of the basket")
    orders_args(p)
    p.set_defaults(func=lambda a: _post(a, f"/baskets/{a.basket}/orders/remove", {"orders": _refs(a)}))
    p = sub.add_parser("basket", help="list the basket")
    p.add_argument("--basket", default="default")
    p.set_defaults(func=lambda a: _get(a, f"/baskets/{a.basket}"))
    p = sub.add_parser("invoice-basket", help="invoice every order in the basket as one batch")
    p.add_argument("--basket", default="default")
    p.add_argument("--batch-id")
    p.add_argument("--email", action="store_true", help="e-mail the invoices once issued")
    p.set_defaults(func=lambda a: _post(a, f"/baskets/{a.basket}/invoice",
                                        {"batch_id": a.batch_id, "email_after": a.email}))
    p = sub.add_parser("invoice", help="invoice one order in one click")
    p.add_argument("shop")
    p.add_argument("order")
    p.add_argument("--email", action="store_true")
    p.set_defaults(func=lambda a: _post(a, f"/orders/{a.shop}/{a.order}/invoice", {"email": a.email}))
    p = sub.add_parser("email", help="e-mail invoices (by number or a whole invoice batch)")
    p.add_argument("numbers", nargs="*")
    p.add_argument("--batch", dest="invoice_batch_id", help="invoice batch whose invoices to send")
    p.add_argument("--resend", action="store_true", help="send again invoices already sent")
    p.set_defaults(func=lambda a: _post(a, "/emails", {"invoice_numbers": a.numbers,
                                                       "invoice_batch_id": a.invoice_batch_id, "resend": a.resend}))
    p = sub.add_parser("cancel", help="cancel an invoice with a storno invoice")
    p.add_argument("number")
    p.add_argument("--reason", required=True)
    p.set_defaults(func=lambda a: _post(a, f"/invoices/{a.number}/cancel", {"reason": a.reason}))
    p = sub.add_parser("show", help="show an invoice and its e-mail status")
    p.add_argument("number")
    p.set_defaults(func=lambda a: _get(a, f"/invoices/{a.number}"))
    p = sub.add_parser("batch", help="progress and outcome of a batch")
    p.add_argument("batch_id")
    p.set_defaults(func=lambda a: _get(a, f"/batches/{a.batch_id}"))
    p = sub.add_parser("pdf", help="save an invoice's stored PDF")
    p.add_argument("number")
    p.add_argument("-o", "--output", type=Path)
    p.set_defaults(func=_pdf)
    nav_cli.register(subparsers)  # `polc nav status|list|resend|xml`


def _refs(args: argparse.Namespace) -> list[dict]:
    return [{"shop_id": args.shop, "shop_order_id": o} for o in args.orders]


def _client(args: argparse.Namespace):
    import httpx

    return httpx.Client(base_url=args.url, timeout=30)


def _print(response) -> int:
    try:
        print(json.dumps(response.json(), indent=2, ensure_ascii=False))
    except ValueError:
        print(response.text)
    return 0 if response.status_code < 400 else 1


def _call(args: argparse.Namespace, method: str, path: str, **kwargs) -> int:
    import httpx

    try:
        with _client(args) as client:
            return _print(client.request(method, path, **kwargs))
    except httpx.HTTPError as error:
        print(f"cannot reach the invoicing service at {args.url}: {error}", file=sys.stderr)
        return 2


def _post(args: argparse.Namespace, path: str, body: dict) -> int:
    return _call(args, "POST", path, json={"requested_by": os.environ.get("USER", "cli"), **body})


def _get(args: argparse.Namespace, path: str) -> int:
    return _call(args, "GET", path)


def _pdf(args: argparse.Namespace) -> int:
    with _client(args) as client:
        response = client.get(f"/invoices/{args.number}/pdf")
    if response.status_code != 200:
        return _print(response)
    target = args.output or Path(f"{args.number}.pdf")
    target.write_bytes(response.content)
    print(f"{target} sha256={response.headers.get('x-sha256')}", file=sys.stderr)
    return 0
