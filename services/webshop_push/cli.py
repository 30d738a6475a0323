"""``polc reconcile``, ``polc push-explain``, ``polc status-map`` and ``polc order-status``: webshop_push's HTTP API.

The API address comes from ``--url``, else ``POLC_PUSH_URL``, else http://127.0.0.1:8103.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8103"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("reconcile", help="compare shops' stock and price with the back office and fix differences")
    p.add_argument("--shop", help="only this shop (default: every enabled shop)")
    p.add_argument("--dry-run", action="store_true", help="list the differences, change nothing")
    p.add_argument("--wait", type=float, default=300.0, help="seconds to wait for the result (default 300)")
    p.add_argument("--json", action="store_true", help="print the raw result")
    _url(p)
    p.set_defaults(func=cmd_reconcile)
    p = sub.add_parser("push-explain", help="what a shop shows for a SKU, since when, from which ledger version, why")
    p.add_argument("shop")
    p.add_argument("sku")
    p.add_argument("--json", action="store_true", help="print the raw explanation")
    _url(p)
    p.set_defaults(func=cmd_explain)
    p = sub.add_parser("status-map", help="which shop order status each back-office event sets (invoiced, packed, "
                                          "shipped, cancelled)")
    p.add_argument("shop")
    p.add_argument("--refresh", action="store_true", help="download the shop's order statuses first")
    p.add_argument("--set", action="append", default=[], metavar="EVENT=STATUS",
                   help="map an event to a shop status given by name or id (repeatable)")
    p.add_argument("--unset", action="append", default=[], metavar="EVENT", help="write nothing for this event")
    p.add_argument("--json", action="store_true", help="print the raw answer")
    _url(p)
    p.set_defaults(func=cmd_status_map)
    p = sub.add_parser("order-status", help="what polc wrote to a shop order's status and invoice fields, and why")
    p.add_argument("shop")
    p.add_argument("order", help="ShopRenter id of the order")
    p.add_argument("--json", action="store_true", help="print the raw explanation")
    _url(p)
    p.set_defaults(func=cmd_order_status)


def _url(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", default=os.environ.get("POLC_PUSH_URL", DEFAULT_URL), help="webshop_push HTTP API")


def cmd_reconcile(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"dry_run": args.dry_run, "wait_s": args.wait}
    if args.shop:
        body["shop_id"] = args.shop
    try:
        resp = httpx.post(f"{args.url}/reconcile", json=body, timeout=args.wait + 30)
    except httpx.HTTPError as error:
        print(f"cannot reach webshop_push at {args.url}: {error}", file=sys.stderr)
        return 2
    data = resp.json()
    if resp.status_code >= 400:
        print(data.get("error", resp.text), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(render_reconcile(data))
    return 0 if resp.status_code == 200 else 3


def render_reconcile(data: dict[str, Any]) -> str:
    lines = []
    for run in data["runs"]:
        result = run.get("result") or {}
        head = f"{run['shop_id']}: {run['state']}"
        if run["state"] == "pending":
            lines.append(f"{head} (still running; see GET /reconcile/{run['run_id']})")
            continue
        if "error" in result:
            lines.append(f"{head}: {result['error']}")
            continue
        diffs = result.get("differences", [])
        verb = "would fix" if result.get("dry_run") else "fixing"
        lines.append(f"{head}, {result.get('products_in_shop', 0)} products in the shop, {len(diffs)} differences"
                     + (f" ({verb} {sum(d['field'] != 'unknown_in_back_office' for d in diffs)})" if diffs else ""))
        for d in diffs:
            lines.append(f"  {d['sku']:<24} {d['field']:<22} shop={d['shop']} back_office={d['back_office']}")
    return "\n".join(lines)


def _show(args: argparse.Namespace, path: str, render: Callable[[dict[str, Any]], str]) -> int:
    """GET one resource of the service and print it rendered (or as JSON with --json)."""
    try:
        resp = httpx.get(f"{args.url}{path}", timeout=30)
    except httpx.HTTPError as error:
        print(f"cannot reach webshop_push at {args.url}: {error}", file=sys.stderr)
        return 2
    if resp.status_code >= 400:
        print(resp.text, file=sys.stderr)
        return 1
    data = resp.json()
    print(json.dumps(data, indent=2, ensure_ascii=False) if args.json else render(data))
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    return _show(args, f"/shops/{args.shop}/products/{args.sku}", render_explain)


def render_explain(data: dict[str, Any]) -> str:
    lines = [f"{data['shop_id']} / {data['sku']}  (shop product id {data.get('shop_product_id') or 'unknown'}, "
             f"warehouse {data.get('warehouse_id') or '?'})"]
    for kind in ("stock", "price", "create"):
        p = data["pushed"].get(kind)
        if p:
            why = p.get("reason") or {}
            detail = f"value {p.get('value')} " if kind != "create" else ""
            if kind == "stock":
                detail += f"(free {p.get('free')} - buffer {p.get('safety_buffer')}) "
            lines.append(f"  {kind:<6} pushed {detail}at {p['pushed_at']}, version {p['version']}, "
                         f"because {_why(why)}" + (f"; fence watermark {p['sync_watermark']}" if p.get("sync_watermark") else ""))
        w = data["pending"].get(kind)
        if w:
            lines.append(f"  {kind:<6} pending version {w['version']} ({w['state']}, {w['attempts']} tries"
                         + (f", last error: {w['last_error']}" if w.get("last_error") else "") + ")")
    if len(lines) == 1:
        lines.append("  nothing pushed or pending for this SKU")
    return "\n".join(lines)


def _why(reason: dict[str, Any]) -> str:
    event = reason.get("event", "?")
    cause = reason.get("cause") or {}
    if cause:
        return f"{event} {cause.get('kind')} {cause.get('document_id')}"
    return event


def cmd_status_map(args: argparse.Namespace) -> int:
    changes: dict[str, str | None] = {event: None for event in args.unset}
    for item in args.set:
        event, sep, status = item.partition("=")
        if not sep or not status.strip():
            print(f"--set wants EVENT=STATUS, not {item!r}", file=sys.stderr)
            return 1
        changes[event.strip()] = status.strip()
    try:
        with httpx.Client(base_url=args.url, timeout=60) as http:
            if args.refresh:
                _checked(http.post(f"/shops/{args.shop}/order-statuses/refresh", json={"wait_s": 30}))
            if changes:
                _checked(http.put(f"/shops/{args.shop}/status-map", json=changes))
            data = _checked(http.get(f"/shops/{args.shop}/order-statuses"))
    except httpx.HTTPError as error:
        print(f"cannot reach webshop_push at {args.url}: {error}", file=sys.stderr)
        return 2
    except _Refused as refused:
        print(refused, file=sys.stderr)
        return 1
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str) if args.json else render_status_map(data))
    return 0


class _Refused(Exception):
    pass


def _checked(resp: httpx.Response) -> Any:
    if resp.status_code >= 400:
        try:
            raise _Refused(resp.json().get("error", resp.text))
        except ValueError:
            raise _Refused(resp.text) from None
    return resp.json()


def render_status_map(data: dict[str, Any]) -> str:
    listed = data.get("list") or {}
    lines = [f"{data['shop_id']}: {len(data['statuses'])} order statuses"
             + (f", downloaded {listed['fetched_at']}" if listed.get("fetched_at") else ", not downloaded yet")
             + (f" (last error: {listed['error']})" if listed.get("error") else "")]
    for s in data["statuses"]:
        lines.append(f"  {s.get('inner_id') or '?':>4}  {s['name']:<28} {s['shop_status_id']}")
    lines.append("event -> shop status:")
    for event, chosen in data["status_map"].items():
        lines.append(f"  {event:<10} {chosen['status_name'] if chosen else '(nothing is written)'}")
    return "\n".join(lines)


def cmd_order_status(args: argparse.Namespace) -> int:
    return _show(args, f"/shops/{args.shop}/orders/{args.order}", render_order_status)


def render_order_status(data: dict[str, Any]) -> str:
    lines = [f"{data['shop_id']} / order {data['shop_order_id']}"]
    w = data.get("written")
    if w:
        lines.append(f"  shows      {w.get('status_name') or '?'} ({w.get('trigger')})"
                     + (f", invoice {w['invoice_number']}" if w.get("invoice_number") else "")
                     + f", written {w['written_at']}, because {_why(w.get('reason') or {})}")
    p = data.get("pending")
    if p:
        lines.append(f"  pending    {p.get('status_name') or '(status unchanged)'}"
                     + (f", invoice {p['invoice_number']}" if p.get("invoice_number") else "")
                     + f" ({p['attempts']} tries" + (f", last error: {p['last_error']}" if p.get("last_error") else "")
                     + ")")
    for e in data.get("events", []):
        lines.append(f"  {e['seen_at']}  {e['trigger']:<10} {e['outcome']}"
                     + (f" ({e['invoice_number']})" if e.get("invoice_number") else "")
                     + (f": {e['detail']}" if e.get("detail") else ""))
    if len(lines) == 1:
        lines.append("  no back-office event of this order has reached webshop_push")
    return "\n".join(lines)
