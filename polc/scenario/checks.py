"""The promises, checked from outside: the simulator's control API, the SMTP inbox's .eml files
and the services' HTTP APIs. Each check returns ``{"name", "ok", "detail"}``."""

from __future__ import annotations

import asyncio
import email
import email.policy
import hashlib
import re
from collections import Counter, defaultdict
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from polc.scenario.driver import Scenario

INVOICE_NUMBER = re.compile(r"^(?P<series>.+)-(?P<year>\d{4})-(?P<seq>\d+)$")


def result(name: str, ok: bool, detail: Any = None) -> dict[str, Any]:
    return {"name": name, "ok": bool(ok), "detail": detail}


async def gather_limited(coros, limit: int = 8) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(coro):
        async with semaphore:
            return await coro

    return await asyncio.gather(*(one(c) for c in coros))


# --- cheap progress signals (used while settling) -------------------------------------------

async def expected_order_count(s: Scenario) -> int:
    stats = (await s.api.sim("GET", "/_control/stats")).json()
    return sum(stats[p.shop_id]["orders"] for p in s.plans)


async def filed_order_count(s: Scenario) -> int:
    """Orders order_ingest has dealt with: filed, in review, or skipped as unfinished checkouts
    (orders without a status, which ShopRenter calls not completed; see polc/scenario/badinput.py)."""
    series = (await s.api.get_json("order_ingest", "/series"))["series"]
    mine = {f"orders-{p.shop_id}" for p in s.plans}
    filed = sum(int(r["next_value"]) - 1 for r in series if r["series_id"] in mine)
    review = (await s.api.get_json("order_ingest", "/review"))["items"]
    shops = {p.shop_id for p in s.plans}
    skipped = [r for r in (await s.api.get_json("order_ingest", "/skipped", limit="1000"))["items"]
               if r["shop_id"] in shops]
    return filed + len(review) + len(skipped)


async def batches_finished(s: Scenario) -> bool:
    for batch in s.batches + s.email_batches:
        info = await s.api.get_json("invoicing", f"/batches/{batch}")
        if info.get("status") != "done":
            return False
    return True


async def emails_settled(s: Scenario) -> bool:
    """No e-mail queued; e-mails that failed for good (SMTP outage) are asked for again once."""
    invoices = await invoice_rows(s)
    by_status = Counter(r["email_status"] for r in invoices.values())
    if by_status.get("queued"):
        return False
    failed = sorted(n for n, r in invoices.items() if r["email_status"] == "failed")
    if failed:
        batch = f"mail-retry-{len(s.email_batches) + 1}"
        await s.api.call("invoicing", "POST", "/emails", json={"batch_id": batch, "invoice_numbers": failed,
                                                               "requested_by": "scenario"})
        s.email_batches.append(batch)
        s.event(f"{len(failed)} e-mails failed during the SMTP outage; asked for again in {batch}")
        return False
    missing = [n for n, r in invoices.items() if r["email_status"] is None and r["kind"] == "invoice"]
    return not missing


async def push_idle(s: Scenario) -> bool:
    pending = (await s.api.get_json("webshop_push", "/pending", limit="1000"))["pending"]
    return not pending


async def shops_converged(s: Scenario) -> bool:
    return not (await stock_and_price_differences(s))


# --- data from outside ----------------------------------------------------------------------

async def invoice_rows(s: Scenario) -> dict[str, dict[str, Any]]:
    rows = (await s.api.get_json("invoicing", "/invoices", limit="10000"))["invoices"]
    return {r["invoice_number"]: r for r in rows}


async def ingest_orders(s: Scenario, with_bad: bool = False) -> dict[tuple[str, str], dict[str, Any] | None]:
    refs = [(o.shop_id, o.shop_order_id) for o in s.seeded + s.orders]
    if with_bad and s.bad:
        refs += sorted(s.bad.refs())

    async def one(ref):
        response = await s.api.call("order_ingest", "GET", f"/orders/{ref[0]}/{ref[1]}", ok=(200, 404))
        return ref, (response.json() if response.status_code == 200 else None)

    return dict(await gather_limited([one(r) for r in refs]))


async def shop_products(s: Scenario, skus: set[str]) -> dict[tuple[str, str], dict[str, Any] | None]:
    async def one(shop: str, sku: str):
        response = await s.api.sim("GET", f"/_control/shops/{shop}/products/{sku}", ok=(200, 404))
        return (shop, sku), (response.json() if response.status_code == 200 else None)

    return dict(await gather_limited([one(p.shop_id, sku) for p in s.plans for sku in sorted(skus)], 16))


async def stock_and_price_differences(s: Scenario) -> list[str]:
    """Every shop's stock1 = max(0, free) of its warehouse, and its price = the back office's."""
    stock = (await s.api.get_json("stock_ledger", "/stock"))["stock"]
    free = {(r["warehouse_id"], r["sku"]): Decimal(str(r["free"])) for r in stock}
    products = {p["sku"]: p for p in (await s.api.get_json("stock_ledger", "/products"))["products"]}
    skus = {sku for _, sku in free} | set(products)
    in_shops = await shop_products(s, skus)
    diffs = []
    for plan in s.plans:
        for sku in sorted(skus):
            shop_row = in_shops[(plan.shop_id, sku)]
            product = products.get(sku)
            if shop_row is None:
                if product and (not product["shop_ids"] or plan.shop_id in product["shop_ids"]) \
                        and product.get("origin_shop_id") is None:
                    diffs.append(f"{plan.shop_id} lacks {sku}, created in the back office for every shop")
                continue
            if shop_row["subtract_stock"] == "1":
                want = max(Decimal(0), free.get((plan.warehouse, sku), Decimal(0)))
                got = Decimal(str(shop_row["stock1"]))
                if got != want:
                    diffs.append(f"{plan.shop_id} {sku}: stock {got} but free in {plan.warehouse} is {want}")
            if product is not None and Decimal(str(shop_row["price"])) != Decimal(str(product["net_price"])):
                diffs.append(f"{plan.shop_id} {sku}: price {shop_row['price']} but back office {product['net_price']}")
    return diffs


def read_mailbox(s: Scenario) -> list[dict[str, Any]]:
    mails = []
    for path in sorted(s.stack.mail.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for part in message.iter_attachments():
            if part.get_content_type() == "application/pdf":
                data = part.get_payload(decode=True)
                mails.append({"file": path.name, "to": str(message["To"]), "subject": str(message["Subject"]),
                              "attachment": part.get_filename(), "sha256": hashlib.sha256(data).hexdigest(),
                              "mtime": path.stat().st_mtime})
    return mails


# --- the checks -----------------------------------------------------------------------------

async def run_all(s: Scenario) -> list[dict[str, Any]]:
    out = []
    out += await check_orders(s)
    out += await check_invoices(s)
    out += await check_ledger(s)
    diffs = await stock_and_price_differences(s)
    out.append(result("every shop shows its warehouse's free stock and the back office's prices", not diffs,
                      diffs[:30] + ([f"... {len(diffs) - 30} more"] if len(diffs) > 30 else [])))
    stats = (await s.api.sim("GET", "/_control/stats")).json()
    peaks = {p.shop_id: stats[p.shop_id]["peak_requests_per_second"] for p in s.plans}
    out.append(result("the simulator never saw more than 3 requests per second per shop",
                      all(v <= 3 for v in peaks.values()),
                      {"peak": peaks, "rate_limited": {p.shop_id: stats[p.shop_id]["rate_limited"] for p in s.plans}}))
    out += await check_services(s)
    if s.bad:
        out += await s.bad.check()
    return out


async def check_orders(s: Scenario) -> list[dict[str, Any]]:
    orders = await ingest_orders(s, with_bad=True)
    bad = s.bad.refs() if s.bad else set()
    missing = [f"{k[0]}:{k[1]}" for k, v in orders.items() if v is None and k not in bad]
    numbers: dict[str, list[str]] = defaultdict(list)
    for (shop, _), doc in orders.items():
        if doc is not None:
            numbers[shop].append(doc["order_number"])
    dupes = {shop: [n for n, c in Counter(ns).items() if c > 1] for shop, ns in numbers.items()}
    gaps = {}
    series = {r["series_id"]: r for r in (await s.api.get_json("order_ingest", "/series"))["series"]}
    for plan in s.plans:
        row = series.get(f"orders-{plan.shop_id}")
        issued = int(row["next_value"]) - 1 if row else 0
        got = sorted(int(re.sub(r"\D", "", n.removeprefix(plan.order_series)) or 0) for n in numbers[plan.shop_id])
        if got != list(range(1, issued + 1)) or any(not n.startswith(plan.order_series) for n in numbers[plan.shop_id]):
            gaps[plan.shop_id] = {"issued": issued, "shop_orders_filed": len(got),
                                  "first": got[:3], "last": got[-3:]}
    review = (await s.api.get_json("order_ingest", "/review"))["items"]
    expected_review = s.bad.expected_review() if s.bad else set()
    unexpected = [{"order": f"{r['shop_id']}:{r['shop_order_id']}", "reason": r["reason"],
                   "detail": str(r.get("detail"))[:300]}
                  for r in review if (r["shop_id"], r["shop_order_id"]) not in expected_review]
    # Skipping is a judgement too: only the unfinished checkouts of the bad-input corpus may be skipped.
    expected_skipped = s.bad.expected_skipped() if s.bad else set()
    skipped = (await s.api.get_json("order_ingest", "/skipped", limit="1000"))["items"]
    unexpected += [{"order": f"{r['shop_id']}:{r['shop_order_id']}", "skipped": r["reason"],
                    "detail": str(r.get("detail"))[:300]}
                   for r in skipped if (r["shop_id"], r["shop_order_id"]) not in expected_skipped]
    return [
        result("every shop order is in the back office", not missing,
               {"orders": len(orders) - len(bad), "missing": missing[:20], "missing_count": len(missing)}),
        result("every shop order has exactly one number in its shop's gapless series", not gaps and not any(dupes.values()),
               {"gaps": gaps, "duplicates": {k: v for k, v in dupes.items() if v}}),
        result("nothing waits in review or is skipped that should not", not unexpected, unexpected[:20]),
        result("no shop's import is blocked", not s.blocked, s.blocked),
    ]


async def check_invoices(s: Scenario) -> list[dict[str, Any]]:
    invoices = await invoice_rows(s)
    per_order = Counter((r["shop_id"], r["shop_order_id"]) for r in invoices.values() if r["kind"] == "invoice")
    twice = [f"{k[0]}:{k[1]}" for k, c in per_order.items() if c > 1]
    failed: dict[str, int] = Counter()
    not_invoiced = []
    for batch in s.batches:
        info = await s.api.get_json("invoicing", f"/batches/{batch}")
        for item in info.get("failed", []):
            s.invoice_failures[(item.get("shop_id"), item.get("shop_order_id"))] = str(item.get("reason") or item)
            failed[str(item.get("reason") or item.get("error") or "?")[:80]] += 1
    for ref in s.requested:
        if ref not in per_order and ref not in s.invoice_failures:
            not_invoiced.append(f"{ref[0]}:{ref[1]}")
    seqs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for number in invoices:
        m = INVOICE_NUMBER.match(number)
        if m:
            seqs[(m["series"], m["year"])].append(int(m["seq"]))
    gaps = {f"{k[0]}-{k[1]}": {"count": len(v), "max": max(v)} for k, v in seqs.items()
            if sorted(v) != list(range(1, len(v) + 1))}
    wrong_series = [n for n, r in invoices.items()
                    if r["shop_id"] in s.by_shop and not n.startswith(s.by_shop[r["shop_id"]].invoice_series + "-")]
    mails = read_mailbox(s)
    by_number: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for mail in mails:
        by_number[(mail["attachment"] or "").removesuffix(".pdf")].append(mail)
    pdf_sha = {}

    async def sha(number: str):
        response = await s.api.call("invoicing", "GET", f"/invoices/{number}/pdf", ok=(200, 404))
        if response.status_code != 200:
            return number, None
        digest = hashlib.sha256(response.content).hexdigest()
        return number, (digest if digest == response.headers.get("X-Sha256") else f"header-mismatch:{digest}")

    pdf_sha = dict(await gather_limited([sha(n) for n in invoices]))
    mail_problems = []
    for number, row in invoices.items():
        got = by_number.get(number, [])
        if len(got) != 1:
            mail_problems.append(f"{number}: e-mailed {len(got)} times (status {row['email_status']})")
        elif got[0]["sha256"] != pdf_sha.get(number) or pdf_sha.get(number) != row.get("pdf_sha256"):
            mail_problems.append(f"{number}: attachment {got[0]['sha256'][:12]} vs invoice {str(pdf_sha.get(number))[:12]}")
    strays = [n for n in by_number if n not in invoices]
    return [
        result("every invoiced order has exactly one invoice", not twice and not not_invoiced,
               {"invoices": len(invoices), "orders_asked": len(s.requested), "twice": twice[:20],
                "asked_but_neither_invoiced_nor_failed": not_invoiced[:20],
                "refused_by_invoicing": dict(failed)}),
        result("every invoice series is gapless and per shop", not gaps and not wrong_series,
               {"series": {f"{k[0]}-{k[1]}": len(v) for k, v in seqs.items()}, "gaps": gaps,
                "wrong_series": wrong_series[:10]}),
        result("every invoice e-mailed exactly once with its own PDF", not mail_problems and not strays,
               {"mails": len(mails), "problems": mail_problems[:20], "problem_count": len(mail_problems),
                "mails_for_unknown_invoices": strays[:10]}),
    ]


async def check_ledger(s: Scenario) -> list[dict[str, Any]]:
    check = await s.api.get_json("stock_ledger", "/stock/check")
    stock = (await s.api.get_json("stock_ledger", "/stock"))["stock"]
    got = {(r["warehouse_id"], r["sku"]): (Decimal(str(r["physical"])), Decimal(str(r["reserved"]))) for r in stock}
    invoices = await invoice_rows(s)
    invoiced = {(r["shop_id"], r["shop_order_id"]) for r in invoices.values() if r["kind"] == "invoice"}
    stock_skus = await s.stock_item_skus()
    physical: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    reserved: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for receipt in s.receipts:
        for line in receipt["lines"]:
            physical[(receipt["warehouse_id"], line["sku"])] += Decimal(line["quantity"])
    for order in await s.order_lines():
        warehouse = s.by_shop[order.shop_id].warehouse
        for line in order.lines:
            if line["sku"] not in stock_skus:
                continue
            key = (warehouse, line["sku"])
            if (order.shop_id, order.shop_order_id) in invoiced:
                physical[key] -= Decimal(line["quantity"])
            else:
                reserved[key] += Decimal(line["quantity"])
    # Hostile bad-input orders may be imported with their text cleaned (polc/scenario/badinput.py);
    # one that is reserves its stock-item lines like any open order (bad input is never invoiced).
    if s.bad:
        bad_docs = await gather_limited([s.api.call("order_ingest", "GET", f"/orders/{ref[0]}/{ref[1]}",
                                                    ok=(200, 404)) for ref in sorted(s.bad.refs())])
        for response in bad_docs:
            if response.status_code != 200:
                continue
            doc = response.json()["document"]
            for line in doc["lines"]:
                if line.get("sku") and line.get("is_stock_item") and line.get("kind", "product") == "product":
                    reserved[(doc["warehouse_id"], line["sku"])] += Decimal(str(line["quantity"]))
    diffs = []
    for key in sorted(set(physical) | set(reserved) | set(got)):
        want = (physical.get(key, Decimal(0)), reserved.get(key, Decimal(0)))
        have = got.get(key, (Decimal(0), Decimal(0)))
        if want != have:
            diffs.append(f"{key[0]}/{key[1]}: physical {have[0]} reserved {have[1]}, "
                         f"expected physical {want[0]} reserved {want[1]}")
    return [
        result("physical stock equals the sum of movements and reserved the open reservations (GET /stock/check)",
               check["consistent"], {k: v[:10] for k, v in check.items() if k != "consistent"}),
        result("physical = receipts - invoiced lines and reserved = open orders' lines (from outside)", not diffs,
               diffs[:30] + ([f"... {len(diffs) - 30} more"] if len(diffs) > 30 else [])),
    ]


async def check_services(s: Scenario) -> list[dict[str, Any]]:
    dead = {}
    for name in s.stack.services:
        rows = (await s.api.get_json(name, "/dead-letters")).get("dead_letters", [])
        if rows:
            dead[name] = [{k: str(r.get(k))[:200] for k in ("message_type", "reason", "topic")} for r in rows[:10]]
    crash_loops = {p.name: p.starts - 1 - p.kills for p in s.stack.all_services() if p.starts - 1 - p.kills > 0}
    return [
        result("no message was dead-lettered", not dead, dead),
        result("no service process exited on its own", not crash_loops, crash_loops),
    ]


# --- figures --------------------------------------------------------------------------------

def _ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


async def throughput_figures(s: Scenario) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    orders = await ingest_orders(s)
    per_shop: dict[str, list[float]] = defaultdict(list)
    for (shop, _), doc in orders.items():
        if doc is not None and doc.get("received_at"):
            per_shop[shop].append(_ts(doc["received_at"]))
    rates = {}
    for shop, stamps in per_shop.items():
        span = max(stamps) - min(stamps)
        rates[shop] = round(len(stamps) / span, 1) if span > 0 else None
    figures["orders_ingested_per_s_per_shop"] = rates
    all_stamps = sorted(t for v in per_shop.values() for t in v)
    if len(all_stamps) > 1:
        figures["orders_ingested_per_s_total"] = round(len(all_stamps) / (all_stamps[-1] - all_stamps[0]), 1)
    invoices = await invoice_rows(s)
    issued = sorted(_ts(r["issued_at"]) for r in invoices.values() if r.get("issued_at"))
    if len(issued) > 1:
        figures["invoices_issued_per_s"] = round(len(issued) / max(1e-3, issued[-1] - issued[0]), 2)
    mails = sorted(m["mtime"] for m in read_mailbox(s))
    if len(mails) > 1 and issued:
        figures["invoices_emailed_per_s"] = round(len(mails) / max(1e-3, mails[-1] - issued[0]), 2)
    figures["invoices"] = len(invoices)
    stock = (await s.api.get_json("stock_ledger", "/stock"))["stock"]

    async def moves(row):
        data = await s.api.get_json("stock_ledger", f"/stock/{row['warehouse_id']}/{row['sku']}/movements",
                                    limit="5000")
        return [_ts(m["booked_at"]) for m in data["movements"]]

    stamps = sorted(t for part in await gather_limited([moves(r) for r in stock]) for t in part)
    figures["movements"] = len(stamps)
    if len(stamps) > 1:
        figures["movements_per_s_over_run"] = round(len(stamps) / max(1e-3, stamps[-1] - stamps[0]), 1)
        window = 10.0
        best, j = 0, 0
        for i, t in enumerate(stamps):
            while stamps[j] < t - window:
                j += 1
            best = max(best, i - j + 1)
        figures["movements_per_s_peak_10s"] = round(best / window, 1)
    return figures
