"""A corpus of malformed and hostile orders and products, placed in the shops mid-run.

Malformed cases (missing fields, wrong types, negative or huge quantities, unknown VAT, broken
totals, products that cannot be read) must each wait in order_ingest's review queue with a
reason and a detail, except where a case says otherwise (``expect``) and why. Hostile but well-formed cases (HTML and script, control characters, 100 KB
comments, text that is not UTF-8, odd e-mail addresses) may be imported, but then their text is
stored cleaned (no markup, no control characters, valid UTF-8); or they wait in review with a
reason. Either way the other orders keep flowing and no service crash-loops.

Every case orders the gift voucher (a product that moves no stock) or a product of its own, so
the stock figures of the rest of the scenario stay exactly predictable.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from polc.scenario.checks import result

if TYPE_CHECKING:
    from polc.scenario.driver import Scenario

VOUCHER = "AJANDEK-10K"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202e]")
SURROGATE = re.compile(r"[\ud800-\udfff]")


@dataclass
class Case:
    label: str
    malformed: bool  # True: must wait in review; False: hostile, imported cleaned or in review
    #: "skipped": not an order to import at all; ingest must list it under GET /skipped with a reason
    expect: str = "review"
    set: dict[str, Any] = field(default_factory=dict)
    unset: list[str] = field(default_factory=list)
    line_set: dict[str, Any] = field(default_factory=dict)
    line_unset: list[str] = field(default_factory=list)
    total_set: dict[str, dict[str, Any]] = field(default_factory=dict)
    drop_totals: list[str] = field(default_factory=list)
    drop_lines: bool = False
    product: dict[str, Any] | None = None  # a raw product this order buys
    comment: str = ""
    shop_id: str = ""
    shop_order_id: str = ""


def corpus() -> list[Case]:
    big = "Hosszú megjegyzés. " * 5500  # about 100 KB
    m, h = True, False
    cases = [
        Case("order without e-mail", m, unset=["email"]),
        Case("e-mail is a number", m, set={"email": 12345}),
        Case("e-mail without @", m, set={"email": "nem-email-cim"}),
        Case("e-mail with two @", m, set={"email": "a@b@pelda.hu"}),
        Case("e-mail with a header injection", m, set={"email": "x@pelda.hu\r\nBcc: tamado@pelda.hu"}),
        Case("no first and last name", m, unset=["firstname", "lastname"]),
        Case("last name null", m, set={"lastname": None, "firstname": None}),
        Case("first name is an object", m, set={"firstname": {"a": 1}}),
        Case("last name is a list", m, set={"lastname": ["Kiss"]}),
        Case("order without total", m, unset=["total"]),
        Case("total is text", m, set={"total": "sok"}),
        Case("total negative", m, set={"total": "-5000.0000"}),
        Case("total overflows", m, set={"total": "1e309"}),
        Case("no currency", m, set={"currency": None}),
        Case("creation date is not a date", m, set={"dateCreated": "tegnap"}),
        Case("payment method code is a number", m, set={"paymentMethodCode": 42, "paymentMethodName": None}),
        Case("shipping VAT rate is text", m, set={"shippingMethodTaxRate": "abc"}),
        Case("unknown shipping VAT name", m, set={"shippingMethodTaxName": "99%", "shippingMethodTaxRate": "99.0000"}),
        Case("unknown payment VAT name", m, set={"paymentMethodTaxName": "ÁFA-X"}),
        # ShopRenter: an order without orderStatus is "not completed" (an unfinished checkout, an
        # abandoned cart), not an order; importing it would reserve and invoice goods nobody
        # ordered. It is skipped, and the skip must be visible with its reason.
        Case("status null", m, set={"orderStatus": None}, expect="skipped"),
        Case("customer link to a missing customer", m,
             set={"customer": {"href": "http://127.0.0.1/shop/api/customers/Y3VzdG9tZXItY3VzdG9tZXJfaWQ9OTk5OQ=="}}),
        Case("shipping fee is text", m, total_set={"SHIPPING": {"value": "ingyen"}}),
        Case("billing address empty", m, set={"paymentPostcode": "", "paymentCity": "", "paymentAddress1": "",
                                              "paymentFirstname": "", "paymentLastname": ""}),
        Case("negative quantity", m, line_set={"stock1": "-3"}),
        Case("zero quantity", m, line_set={"stock1": "0"}),
        Case("huge quantity", m, line_set={"stock1": "1000000000000"}),
        Case("quantity is text", m, line_set={"stock1": "három"}),
        Case("line price is text", m, line_set={"price": "olcsó", "total": "olcsó"}),
        Case("line price negative", m, line_set={"price": "-100.0000", "total": "-100.0000"}),
        Case("unknown VAT rate on a line", m, line_set={"taxRate": "99.0000"}),
        Case("line without SKU", m, line_unset=["sku"]),
        Case("line with empty SKU", m, line_set={"sku": ""}),
        Case("line with an unknown SKU", m, line_set={"sku": "NINCS-ILYEN-TERMEK"}),
        Case("order without lines", m, drop_lines=True),
        Case("TOTAL far from the lines", m, total_set={"TOTAL": {"value": "999999.0000"}}, set={"total": "999999.0000"}),
        Case("TOTAL row missing", m, drop_totals=["TOTAL"]),
        # The voucher is VAT-exempt and its shipping free, so its order has no TAX row to break:
        # this case buys a 27 % product of its own, whose order has one. Like the voucher it moves
        # no stock, so the shop's stock figures stay those of the rest of the scenario.
        Case("TAX row is text", m, total_set={"TAX": {"value": "abc"}}, product={"subtract_stock": False}),
        Case("unknown kind of fee", m, total_set={"SHIPPING": {"type": "TITOKZATOS", "name": "Titokzatos díj:",
                                                               "value": "500.0000"}}),
        Case("product price is text", m, product={"set": {"price": "drága"}}),
        Case("product with an unknown tax class", m, product={"tax_class_inner_id": 99}),
        Case("product without tax class", m, product={"set": {"taxClass": None}}),
        Case("product with a negative price", m, product={"set": {"price": "-10.0000"}}),
        Case("product without name", m, product={"description_set": {"name": ""}}),
        Case("product SKU with a NUL byte", m, product={"sku_suffix": "\x00"}),
        Case("script in the comment", h, comment="<script>alert('polc')</script><b>félkövér</b> megjegyzés"),
        Case("100 KB comment", h, comment=big),
        Case("control characters in the name", h, set={"firstname": "Jó\x00zsef\x07", "lastname": "Kis\x1bs"}),
        Case("right-to-left override in the name", h, set={"lastname": "\u202egpj.exe"}),
        Case("comment that is not UTF-8", h, comment="rossz \udcf5\udcfb b\u00e1jtok"),
        Case("last name that is not UTF-8", h, set={"lastname": "Sz\udce9p"}),
        Case("mojibake name", h, set={"firstname": "TÅ±rÃ³s"}),
        Case("SQL in the company name", h, set={"paymentCompany": "Robert'); DROP TABLE orders;--"}),
        Case("script in the city", h, set={"paymentCity": "<img src=x onerror=alert(1)>Budapest"}),
        Case("emoji and zero-width characters", h, comment="köszönöm 👍\u200b\u200d"),
        Case("10 KB street address", h, set={"paymentAddress1": "Fő utca 1. " * 900}),
        Case("entities in the name", h, set={"lastname": "&lt;b&gt;Kovács&amp;"}),
        Case("product name with script", h, product={"name": "<script>alert(1)</script>Szép termék"}),
    ]
    return cases


def _dumps(body: Any) -> str:
    return json.dumps(body)  # ASCII with escapes: lone surrogates survive the trip


class BadInput:
    def __init__(self, s: Scenario) -> None:
        self.s = s
        self.cases = corpus()

    async def place(self) -> None:
        s = self.s
        await s.at_progress(0.5)
        for i, case in enumerate(self.cases):
            plan = s.plans[i % len(s.plans)]
            case.shop_id = plan.shop_id
            sku = VOUCHER
            if case.product is not None:
                product = dict(case.product)
                sku = f"ROSSZ-{i}{product.pop('sku_suffix', '')}"
                later = {k: product.pop(k) for k in ("set", "unset", "description_set") if k in product}
                response = await s.api.http.post(
                    f"{s.stack.simulator_url}/_control/shops/{plan.shop_id}/raw-products",
                    content=_dumps({"sku": sku, "price": 990, **product}), headers={"Content-Type": "application/json"})
                if response.status_code != 201:
                    raise RuntimeError(f"raw product of {case.label!r} refused: {response.text[:300]}")
            body = {"order": {"lines": [{"sku": sku, "quantity": 1}], "payment_code": "BANK_TRANSFER",
                              "shipping_mode_inner_id": 86, "comment": case.comment,
                              "guest": {"firstname": "Rossz", "lastname": "Adat", "email": f"rossz{i}@example.hu"}},
                    "set": case.set, "unset": case.unset, "line_set": case.line_set, "line_unset": case.line_unset,
                    "total_set": case.total_set, "drop_totals": case.drop_totals, "drop_lines": case.drop_lines}
            response = await s.api.http.post(f"{s.stack.simulator_url}/_control/shops/{plan.shop_id}/raw-orders",
                                             content=_dumps(body), headers={"Content-Type": "application/json"})
            if response.status_code != 201:
                raise RuntimeError(f"raw order of {case.label!r} refused: {response.text[:300]}")
            case.shop_order_id = response.json()["id"]
            if case.product is not None and later:  # the product breaks after the shopper bought it
                response = await s.api.http.patch(
                    f"{s.stack.simulator_url}/_control/shops/{plan.shop_id}/raw-products/{quote(sku, safe='')}",
                    content=_dumps(later), headers={"Content-Type": "application/json"})
                if response.status_code != 200:
                    raise RuntimeError(f"raw product change of {case.label!r} refused: {response.text[:300]}")
        s.event(f"bad input: {len(self.cases)} malformed or hostile orders placed "
                f"({sum(c.malformed for c in self.cases)} malformed)")

    def refs(self) -> set[tuple[str, str]]:
        return {(c.shop_id, c.shop_order_id) for c in self.cases if c.shop_order_id}

    def expected_review(self) -> set[tuple[str, str]]:
        return {(c.shop_id, c.shop_order_id) for c in self.cases if c.shop_order_id and c.expect == "review"}

    def expected_skipped(self) -> set[tuple[str, str]]:
        return {(c.shop_id, c.shop_order_id) for c in self.cases if c.shop_order_id and c.expect == "skipped"}

    async def check(self) -> list[dict[str, Any]]:
        s = self.s
        review = {(r["shop_id"], r["shop_order_id"]): r
                  for r in (await s.api.get_json("order_ingest", "/review"))["items"]}
        skipped = {(r["shop_id"], r["shop_order_id"]): r
                   for r in (await s.api.get_json("order_ingest", "/skipped", limit="1000"))["items"]}

        async def outcome(case: Case) -> dict[str, Any]:
            ref = (case.shop_id, case.shop_order_id)
            row = {"case": case.label, "malformed": case.malformed, "order": f"{ref[0]}:{ref[1]}"}
            if ref in skipped and ref not in review:
                item = skipped[ref]
                row.update(outcome="skipped", reason=item["reason"], detail=str(item.get("detail") or "")[:160])
                row["ok"] = case.expect == "skipped" and bool(item["reason"]) and bool(item.get("detail"))
                return row
            if ref in review:
                item = review[ref]
                row.update(outcome="review", reason=item["reason"], detail=str(item.get("detail") or "")[:160])
                row["ok"] = case.expect == "review" and bool(item["reason"]) and bool(item.get("detail"))
                return row
            response = await s.api.call("order_ingest", "GET", f"/orders/{ref[0]}/{ref[1]}", ok=(200, 404))
            if response.status_code != 200:
                row.update(outcome="nowhere", ok=False)
                return row
            text = json.dumps(response.json()["document"], ensure_ascii=False)
            dirty = [what for what, bad in (("markup", "<script" in text.lower() or "onerror=" in text.lower()),
                                            ("control characters", bool(CONTROL.search(text))),
                                            ("not UTF-8", bool(SURROGATE.search(text)))) if bad]
            row.update(outcome="imported", stored_text_problems=dirty, document_kb=round(len(text) / 1024, 1))
            row["ok"] = not case.malformed and not dirty
            return row

        rows = await asyncio.gather(*(outcome(c) for c in self.cases))
        bad = [r for r in rows if not r["ok"]]
        (s.config.home / "bad-input.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))
        summary = {"cases": len(rows), "malformed": sum(c.malformed for c in self.cases),
                   "in_review": sum(r["outcome"] == "review" for r in rows),
                   "skipped": sum(r["outcome"] == "skipped" for r in rows),
                   "imported_clean": sum(r["outcome"] == "imported" and r["ok"] for r in rows),
                   "reasons": sorted({r.get("reason") for r in rows if r.get("reason")})}
        return [result("every malformed order waits in review with a reason (an unfinished checkout is skipped "
                       "with one); hostile ones are imported clean or wait in review", not bad,
                       {"summary": summary, "wrong": bad})]
