"""Daily-work commands over the services' HTTP APIs: ``polc orders``, ``polc fulfillable``,
``polc basket`` and ``polc invoice``. Long work shows a progress bar; a failure exits non-zero
with a message saying what went wrong."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import Any

from backoffice.pages.basket import progress
from backoffice.services import SERVICE_NAMES, ServiceError, Services
from backoffice.settings import Settings

WHO = "cli"


def _refs(values: list[str]) -> list[dict[str, str]]:
    refs = []
    for value in values:
        shop, _, order = value.partition(":")
        if not shop or not order:
            raise SystemExit(f"polc: {value!r} is not SHOP:SHOP_ORDER_ID")
        refs.append({"shop_id": shop, "shop_order_id": order})
    return refs


def _bar(done: int, total: int, label: str) -> None:
    width = 30
    filled = int(width * done / total) if total else 0
    sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()


async def _follow(services: Services, batch_id: str, label: str, timeout_s: float) -> dict[str, Any]:
    """Show a batch's progress until it finishes."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            batch = await services.invoicing.get(f"/batches/{batch_id}")
        except ServiceError as error:
            if error.kind != "not_found":
                raise
            batch = None
        p = progress(batch)
        _bar(p["done"], p["total"], label)
        if not p["running"]:
            sys.stderr.write("\n")
            return batch or {}
        if time.monotonic() > deadline:
            sys.stderr.write("\n")
            raise SystemExit(f"polc: batch {batch_id} still runs; follow it with `polc invoicing batch {batch_id}`")
        await asyncio.sleep(0.5)


async def orders(s: Services, args: argparse.Namespace) -> int:
    found = await s.ingest.get("/orders", shop=args.shop, q=args.search, state=args.state, newest_first=1, limit=1000)
    for o in found["orders"]:
        print(f"{o['order_number']:<16} {o['shop_id']}:{o['shop_order_id']:<28} {o['status_name']:<14} "
              f"{o['gross_total']:>12} {o['invoice_number'] or ''}")
    return 0


async def fulfillable(s: Services, args: argparse.Namespace) -> int:
    for o in (await s.ledger.get("/fulfilment/orders"))["orders"]:
        if args.only and not o["fulfillable"]:
            continue
        mark = "yes" if o["fulfillable"] else "no: " + ", ".join(f"{x['sku']} -{x['missing']}" for x in o["shortages"])
        print(f"{o['shop_id']}:{o['shop_order_id']:<28} {o['order_number']:<16} {mark}")
    return 0


async def basket(s: Services, args: argparse.Namespace) -> int:
    path = f"/baskets/{Settings().basket_id}"
    if args.basket_command == "add":
        await s.invoicing.post(path + "/orders", {"orders": _refs(args.orders), "requested_by": WHO})
        print(f"{len(args.orders)} orders sent to the basket")
    elif args.basket_command == "remove":
        await s.invoicing.post(path + "/orders/remove", {"orders": _refs(args.orders), "requested_by": WHO})
    elif args.basket_command == "list":
        for o in (await s.invoicing.get(path))["orders"]:
            print(f"{o['shop_id']}:{o['shop_order_id']:<28} {o.get('order_number') or '':<16} {o.get('invoice_number') or ''}")
    elif args.basket_command == "invoice":
        answer = await s.invoicing.post(path + "/invoice", {"email_after": False, "requested_by": WHO})
        batch = await _follow(s, answer["batch_id"], "invoicing", args.timeout)
        failed = batch.get("failed") or []
        for f in failed:
            print(f"not invoiced: {f['shop_id']}:{f['shop_order_id']}: {f.get('reason')} {f.get('detail') or ''}")
        if args.email:
            mail = await s.invoicing.post("/emails", {"invoice_batch_id": answer["batch_id"], "requested_by": WHO})
            sent = await _follow(s, mail["batch_id"], "e-mailing", args.timeout)
            failed += sent.get("email_failures") or []
        print(f"batch {answer['batch_id']}")
        return 1 if failed else 0
    return 0


async def invoice(s: Services, args: argparse.Namespace) -> int:
    if args.invoice_command == "list":
        for i in (await s.invoicing.get("/invoices", shop_id=args.shop, limit=10000))["invoices"]:
            print(f"{i['invoice_number']:<18} {i['kind']:<8} {i['shop_id']}:{i['shop_order_id']:<28} "
                  f"{i.get('gross') or '':>12} {i.get('email_status') or 'not sent'}")
    elif args.invoice_command == "email":
        answer = await s.invoicing.post("/emails", {"invoice_numbers": args.numbers, "resend": args.resend,
                                                    "requested_by": WHO})
        batch = await _follow(s, answer["batch_id"], "e-mailing", args.timeout)
        for f in batch.get("email_failures") or []:
            print(f"failed: {f['invoice_number']} {f.get('error')} {f.get('detail') or ''}")
        return 1 if batch.get("email_failures") else 0
    return 0


async def shipped(s: Services, args: argparse.Namespace) -> int:
    orders = [{**ref, "carrier": args.carrier, "tracking_number": args.tracking} for ref in _refs(args.orders)]
    answer = await s.ledger.post("/fulfilment/shipped", {"orders": orders, "shipped_by": WHO})
    for o in answer["shipped"]:
        print(f"shipped {o['shop_id']}:{o['shop_order_id']} {o['order_number']} {o.get('carrier') or ''} "
              f"{o.get('tracking_number') or ''}".rstrip())
    for o in answer["not_shipped"]:
        print(f"not shipped {o['shop_id']}:{o['shop_order_id']}: {o['reason']}", file=sys.stderr)
    return 1 if answer["not_shipped"] else 0


def _run(handler):
    def command(args: argparse.Namespace) -> int:
        async def go() -> int:
            services = Services(Settings())
            try:
                return await handler(services, args)
            except ServiceError as error:
                words = {"unreachable": "cannot be reached (is polc running?)", "not_found": "found nothing",
                         "refused": "refused the request", "failed": "ran into an error"}[error.kind]
                print(f"polc: the {SERVICE_NAMES.get(error.service, error.service)} service {words}" + (f": {error.detail}" if error.detail else ""),
                      file=sys.stderr)
                return 2
            finally:
                await services.aclose()
        return asyncio.run(go())
    return command


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``orders``, ``fulfillable``, ``basket``, ``invoice`` and ``backoffice`` to ``polc``.

    Service addresses come from ``POLC_BACKOFFICE_INGEST_URL`` ... ``_INVOICING_URL``."""
    p = subparsers.add_parser("orders", help="search orders (number, customer, invoice)")
    p.add_argument("search", nargs="?"), p.add_argument("--shop")
    p.add_argument("--state", choices=["open", "closed", "invoiced", "not_invoiced"])
    p.set_defaults(func=_run(orders))
    p = subparsers.add_parser("shipped", help="mark orders handed to the carrier; the shops' status follows (M22)")
    p.add_argument("orders", nargs="+", metavar="SHOP:SHOP_ORDER_ID")
    p.add_argument("--carrier"), p.add_argument("--tracking", help="parcel tracking number")
    p.set_defaults(func=_run(shipped))
    p = subparsers.add_parser("fulfillable", help="open, not invoiced orders with their fulfillable mark (M21)")
    p.add_argument("--only", action="store_true", help="only fulfillable orders")
    p.set_defaults(func=_run(fulfillable))
    p = subparsers.add_parser("basket", help="the to-be-invoiced basket: add, remove, list, invoice [--email] (M23)")
    sub = p.add_subparsers(dest="basket_command", required=True)
    for name in ("add", "remove"):
        q = sub.add_parser(name)
        q.add_argument("orders", nargs="+", metavar="SHOP:SHOP_ORDER_ID")
        q.set_defaults(func=_run(basket))
    sub.add_parser("list").set_defaults(func=_run(basket))
    q = sub.add_parser("invoice", help="invoice the whole basket with a progress bar")
    q.add_argument("--email", action="store_true", help="then e-mail every invoice of the batch")
    q.add_argument("--timeout", type=float, default=3600)
    q.set_defaults(func=_run(basket))
    p = subparsers.add_parser("invoice", help="list invoices, e-mail them (again)")
    sub = p.add_subparsers(dest="invoice_command", required=True)
    q = sub.add_parser("list")
    q.add_argument("--shop")
    q.set_defaults(func=_run(invoice))
    q = sub.add_parser("email")
    q.add_argument("numbers", nargs="+"), q.add_argument("--resend", action="store_true")
    q.add_argument("--timeout", type=float, default=3600)
    q.set_defaults(func=_run(invoice))
    p = subparsers.add_parser("backoffice", help="run the web back office (port 8100)")
    p.set_defaults(func=_serve)
    p = subparsers.add_parser("backoffice-user", help="set a back-office user's password (creates the user)")
    p.add_argument("name")
    p.set_defaults(func=_set_password)


def _serve(args: argparse.Namespace) -> int:
    from backoffice.app import run

    run(Settings())
    return 0


def _set_password(args: argparse.Namespace) -> int:
    import getpass

    from backoffice.users import UserStore

    password = getpass.getpass(f"new password for {args.name}: ")
    if password != getpass.getpass("again: "):
        print("polc: the two passwords differ", file=sys.stderr)
        return 1
    try:
        UserStore(Settings().users_file).set_password(args.name, password)
    except ValueError as error:
        print(f"polc: {error}", file=sys.stderr)
        return 1
    print(f"password of {args.name} set")
    return 0
