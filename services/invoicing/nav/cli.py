"""``polc nav ...``: per-invoice NAV Online Számla status and re-sending, through the invoicing API."""

from __future__ import annotations

import argparse
import json
import os
import sys

DEFAULT_URL = os.environ.get("POLC_INVOICING_URL", "http://127.0.0.1:8104")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("nav", help="NAV Online Számla reporting: status and re-sending of invoices")
    parser.add_argument("--url", default=DEFAULT_URL, help=f"invoicing service URL (default {DEFAULT_URL})")
    sub = parser.add_subparsers(dest="nav_command", required=True)
    p = sub.add_parser("status", help="NAV status of invoices (or counts and rejected reports without numbers)")
    p.add_argument("numbers", nargs="*", help="invoice numbers")
    p.set_defaults(func=_status)
    p = sub.add_parser("list", help="reports, optionally by status (pending, sending, sent, done, rejected)")
    p.add_argument("--status")
    p.add_argument("--limit", type=int, default=1000)
    p.set_defaults(func=lambda a: _call(a, "GET", "/nav/reports",
                                        params={k: v for k, v in (("status", a.status), ("limit", a.limit)) if v}))
    p = sub.add_parser("resend", help="send rejected reports again (same invoice, same number)")
    p.add_argument("numbers", nargs="+")
    p.set_defaults(func=_resend)
    p = sub.add_parser("xml", help="print the InvoiceData last sent for an invoice")
    p.add_argument("number")
    p.set_defaults(func=_xml)


def _client(args: argparse.Namespace):
    import httpx

    return httpx.Client(base_url=args.url, timeout=30)


def _request(args: argparse.Namespace, method: str, path: str, **kwargs):
    import httpx

    try:
        with _client(args) as client:
            return client.request(method, path, **kwargs)
    except httpx.HTTPError as error:
        print(f"cannot reach the invoicing service at {args.url}: {error}", file=sys.stderr)
        return None


def _call(args: argparse.Namespace, method: str, path: str, **kwargs) -> int:
    response = _request(args, method, path, **kwargs)
    if response is None:
        return 2
    try:
        print(json.dumps(response.json(), indent=2, ensure_ascii=False))
    except ValueError:
        print(response.text)
    return 0 if response.status_code < 400 else 1


def _status(args: argparse.Namespace) -> int:
    if not args.numbers:
        return _call(args, "GET", "/nav/reports", params={"status": "rejected"})
    return max(_call(args, "GET", f"/invoices/{n}/nav") for n in args.numbers)


def _resend(args: argparse.Namespace) -> int:
    return max(_call(args, "POST", f"/invoices/{n}/nav/resend") for n in args.numbers)


def _xml(args: argparse.Namespace) -> int:
    response = _request(args, "GET", f"/invoices/{args.number}/nav/xml")
    if response is None:
        return 2
    print(response.text)
    return 0 if response.status_code < 400 else 1
