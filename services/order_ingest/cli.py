"""``polc sync``, ``polc shops`` and ``polc review``: order_ingest's commands, through its HTTP API."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

DEFAULT_URL = os.environ.get("POLC_INGEST_URL", "http://127.0.0.1:8101")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the commands to the ``polc`` parser."""
    p = subparsers.add_parser("sync", help="poll shops for new orders now (M20)")
    p.add_argument("--shop", help="only this shop (default: every enabled shop)")
    p.add_argument("--no-wait", action="store_true", help="return at once instead of waiting for the polls")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the polls")
    _url(p)
    p.set_defaults(func=_sync)

    p = subparsers.add_parser("shops", help="list, add, change or disable ShopRenter shops")
    p.add_argument("action", choices=["list", "add", "set", "disable", "enable"])
    p.add_argument("shop_id", nargs="?")
    p.add_argument("--json", dest="body", help="shop fields as JSON, e.g. '{\"warehouse_id\": \"BP1\"}'")
    _url(p)
    p.set_defaults(func=_shops)

    p = subparsers.add_parser("review", help="orders waiting in the review queue")
    p.add_argument("action", choices=["list", "retry", "dismiss"])
    p.add_argument("shop_id", nargs="?")
    p.add_argument("order_id", nargs="?")
    p.add_argument("--note")
    _url(p)
    p.set_defaults(func=_review)


def _url(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ingest-url", default=DEFAULT_URL, help=f"order_ingest API (default {DEFAULT_URL})")


def _call(args: argparse.Namespace, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
    import httpx

    try:
        resp = httpx.request(method, args.ingest_url.rstrip("/") + path, json=body, timeout=timeout)
    except httpx.HTTPError as error:
        raise SystemExit(f"cannot reach order_ingest at {args.ingest_url}: {error}") from None
    data = resp.json() if resp.content else {}
    if resp.status_code >= 400:
        raise SystemExit(f"order_ingest answered {resp.status_code}: {json.dumps(data, ensure_ascii=False)}")
    return data


def _sync(args: argparse.Namespace) -> int:
    body = {"shop_id": args.shop, "requested_by": "cli", "wait": not args.no_wait, "timeout_s": args.timeout}
    data = _call(args, "POST", "/sync", body, timeout=args.timeout + 10)
    failed = 0
    for shop_id, request_id in data["requests"].items():
        result = (data.get("results") or {}).get(request_id)
        if result is None:
            print(f"{shop_id}: requested ({request_id})")
            continue
        outcome = result.get("result") or {}
        if result["state"] == "done":
            print(f"{shop_id}: {outcome.get('orders_received', 0)} new, {outcome.get('orders_changed', 0)} changed, "
                  f"{outcome.get('orders_quarantined', 0)} in review, {outcome.get('api_requests', 0)} API requests")
        else:
            failed += result["state"] == "failed"
            print(f"{shop_id}: {result['state']} {outcome.get('detail', '')}".rstrip())
    return 1 if failed else 0


def _shops(args: argparse.Namespace) -> int:
    if args.action == "list":
        for shop in _call(args, "GET", "/shops")["shops"]:
            print(f"{shop['shop_id']:<20} {'on ' if shop['enabled'] else 'off'} warehouse={shop['warehouse_id']} "
                  f"series={shop['series_id']} every {shop['poll_interval_s']:g}s  {shop['api_base_url']}")
        return 0
    if not args.shop_id:
        raise SystemExit("a shop id is needed")
    body = json.loads(args.body) if args.body else {}
    if args.action == "add":
        print(json.dumps(_call(args, "POST", "/shops", {"shop_id": args.shop_id, **body}), indent=2, ensure_ascii=False))
    else:
        if args.action in ("disable", "enable"):
            body["enabled"] = args.action == "enable"
        print(json.dumps(_call(args, "PATCH", f"/shops/{args.shop_id}", body), indent=2, ensure_ascii=False))
    return 0


def _review(args: argparse.Namespace) -> int:
    if args.action == "list":
        for item in _call(args, "GET", "/review")["items"]:
            print(f"{item['shop_id']} {item['shop_order_id']} (#{item['shop_order_code']}): {item['reason']}: "
                  f"{item['detail']}")
        return 0
    if not (args.shop_id and args.order_id):
        raise SystemExit("shop id and order id are needed")
    body = {"by": os.environ.get("USER") or "cli", "note": args.note}
    _call(args, "POST", f"/review/{args.shop_id}/{args.order_id}/{args.action}", body)
    print(f"{args.action}: {args.shop_id} {args.order_id}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    parser = argparse.ArgumentParser(prog="polc")
    register(parser.add_subparsers(dest="command", required=True))
    parsed = parser.parse_args()
    sys.exit(parsed.func(parsed))
