"""The scenario: shops, orders, stock documents, invoicing, catalogue changes, faults, then checks.

``run_scenario(config)`` starts the stack (``ScenarioStack``), configures the shops, places the
orders through the simulator's control API while goods receipts, purchase orders, price changes
and new products go through the back office, invoices and e-mails fulfillable orders in
batches, waits for the system to settle and checks every promise from outside
(``polc.scenario.checks``). It returns a ``Report`` with the check results and the figures.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import shutil
import statistics
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from polc.scenario import checks, faults
from polc.scenario.badinput import BadInput
from polc.scenario.client import Api
from polc.scenario.shoppers import ALL_SKUS, STOCK_SKUS, random_order
from polc.scenario.stack import ScenarioStack, StackOptions
from polc.shoprenter_sim.ids import encode_id

log = logging.getLogger("polc.scenario")
logging.getLogger("httpx").setLevel(logging.WARNING)
SUPPLIER = "SCN-SUP"
PROBE_PREFIX = "SCN-PROBE-"


@dataclass
class ScenarioConfig:
    home: Path
    orders: int = 500
    shops: int = 3
    instances: int = 1
    chaos: bool = False
    chaos_interval_s: float = 5.0
    min_kills: int = 0
    broker_loss: bool = False
    shop_faults: bool = False
    smtp_faults: bool = False
    bad_input: bool = False
    invoice_rounds: int = 4
    invoice_batch_max: int = 150
    seed: int = 12
    settle_timeout_s: float = 1800
    stage_timeout_s: float = 600
    #: a shop whose polls keep failing this long without progress counts as blocked
    blocked_after_s: float = 120
    sync_every_s: float = 10.0
    poll_interval_s: float = 30.0
    #: the shops' ``rate_limit_per_s`` (None: the registry's default, ShopRenter's 3); order_ingest
    #: and webshop_push share each shop's request slots, so together they stay within it
    rate_limit_per_s: int | None = None
    placers: int = 4
    #: orders placed per second over all shops (None: as fast as the simulator takes them)
    order_rate: float | None = 20.0
    log_level: str = "INFO"
    keep_home: bool = True


@dataclass
class ShopPlan:
    shop_id: str
    warehouse: str
    order_series: str
    invoice_series: str


@dataclass
class PlacedOrder:
    shop_id: str
    inner_id: int
    shop_order_id: str
    lines: list[dict[str, Any]]
    placed_at: float


@dataclass
class Report:
    config: dict[str, Any]
    ok: bool = False
    checks: list[dict[str, Any]] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)

    def failures(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if not c["ok"]]


def plan_shops(count: int) -> list[ShopPlan]:
    """Shops 1 and 2 share warehouse W1; every other shop has its own. Each has its own series."""
    plans = []
    for i in range(1, count + 1):
        warehouse = "W1" if i <= 2 else f"W{i - 1}"
        plans.append(ShopPlan(f"shop{i}", warehouse, f"R{i}-", f"SZ{i}"))
    return plans


def order_id(inner_id: int) -> str:
    return encode_id("order", "order_id", inner_id)


class Scenario:
    def __init__(self, config: ScenarioConfig) -> None:
        self.config = config
        self.rng = random.Random(config.seed)
        self.plans = plan_shops(config.shops)
        self.by_shop = {p.shop_id: p for p in self.plans}
        self.stack = ScenarioStack(config.home, StackOptions(
            instances=config.instances, shops=tuple(p.shop_id for p in self.plans), log_level=config.log_level,
            invoice_series={p.shop_id: p.invoice_series for p in self.plans}))
        self.api = Api(self.stack)
        self.report = Report(config={k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()})
        self.orders: list[PlacedOrder] = []
        self.seeded: list[PlacedOrder] = []
        self.receipts: list[dict[str, Any]] = []  # every goods receipt accepted by the ledger
        self.purchase_orders: list[dict[str, Any]] = []
        self.price_changes: dict[str, Decimal] = {}
        self.new_products: list[str] = []
        self.probe_latencies: list[float] = []
        self.batches: list[str] = []
        self.email_batches: list[str] = []
        self.invoice_failures: dict[tuple[str, str], str] = {}
        self.requested: set[tuple[str, str]] = set()
        self.placing_done = asyncio.Event()
        self.t0 = 0.0
        self.timeline: dict[str, float] = {}
        self.bad = BadInput(self) if config.bad_input else None
        self.orderable: dict[str, set[str]] = {p.shop_id: set(ALL_SKUS) for p in self.plans}
        self._seed_lines_loaded = False
        self._poll_states: dict[str, tuple[tuple[Any, Any], float]] = {}
        self.blocked: dict[str, str] = {}

    def event(self, text: str) -> None:
        stamp = time.monotonic() - self.t0 if self.t0 else 0.0
        line = f"[{stamp:7.1f}s] {text}"
        self.report.events.append(line)
        log.info(line)

    # --- the run ---------------------------------------------------------------------------

    async def run(self) -> Report:
        if self.config.home.exists():
            shutil.rmtree(self.config.home)
        self.config.home.mkdir(parents=True)
        started = time.monotonic()
        await self.stack.start()
        self.report.figures["stack_start_s"] = round(time.monotonic() - started, 1)
        try:
            await self.setup()
            self.t0 = time.monotonic()
            self.event(f"stack ready; placing {self.config.orders} orders over {len(self.plans)} shops")
            background = [asyncio.create_task(self.keep_syncing())]
            if self.config.chaos:
                background.append(asyncio.create_task(faults.chaos(self)))
            workers = [self.place_orders(), self.stock_documents(), self.catalogue_changes(), self.probes(),
                       self.invoicing_rounds()]
            if self.config.chaos:
                workers.append(faults.wait_kills(self))
            if self.config.broker_loss:
                workers.append(faults.broker_loss(self))
            if self.config.shop_faults:
                workers.append(faults.shop_faults(self))
            if self.config.smtp_faults:
                workers.append(faults.smtp_faults(self))
            if self.bad:
                workers.append(self.bad.place())
            results = await asyncio.gather(*workers, return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            self.timeline["work_done"] = time.monotonic() - self.t0
            self.event("all work submitted; chaos stops, waiting for the system to settle")
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            await faults.restart_dead(self)
            await self.settle()
            self.timeline["settled"] = time.monotonic() - self.t0
            self.report.checks = await checks.run_all(self)
            self.report.ok = all(c["ok"] for c in self.report.checks)
            await self.figures()
        finally:
            await self.api.close()
            await self.stack.stop()
            self.report.figures["peak_rss_mb"] = {k: round(v / 2**20) for k, v in
                                                  self.stack.peak_rss_by_service().items()}
            (self.config.home / "report.json").write_text(json.dumps(asdict(self.report), indent=2, default=str))
        return self.report

    # --- set-up ----------------------------------------------------------------------------

    async def setup(self) -> None:
        await self.api.call("stock_ledger", "POST", "/suppliers", json={"supplier_id": SUPPLIER, "name": "Nagyker Kft."})
        for warehouse in sorted({p.warehouse for p in self.plans}):
            await self.api.call("stock_ledger", "POST", "/warehouses", json={"warehouse_id": warehouse,
                                                                            "name": f"Raktár {warehouse}"})
        for plan in self.plans:
            body = {"shop_id": plan.shop_id, "name": f"Bolt {plan.shop_id}",
                    "api_base_url": f"{self.stack.simulator_url}/{plan.shop_id}/api",
                    "token_url": f"{self.stack.simulator_url}/oauth/{plan.shop_id}/app/token",
                    "client_id": f"{plan.shop_id}-client", "client_secret": f"{plan.shop_id}-secret",
                    "warehouse_id": plan.warehouse, "series_id": f"orders-{plan.shop_id}",
                    "series_prefix": plan.order_series, "poll_interval_s": self.config.poll_interval_s,
                    "first_sync_from": "2020-01-01T00:00:00Z"}
            if self.config.rate_limit_per_s:
                body["rate_limit_per_s"] = self.config.rate_limit_per_s
            response = await self.api.call("order_ingest", "POST", "/shops", json=body, ok=(201, 409))
            if response.status_code not in (201, 409):
                raise RuntimeError(f"shop {plan.shop_id} refused: {response.text}")
        stats = (await self.api.sim("GET", "/_control/stats")).json()
        for plan in self.plans:
            for inner in range(1, stats[plan.shop_id]["orders"] + 1):
                self.seeded.append(PlacedOrder(plan.shop_id, inner, order_id(inner), [], 0.0))
        # Opening stock: one receipt per warehouse for every stock product of the shops.
        for warehouse in sorted({p.warehouse for p in self.plans}):
            shops = sum(1 for p in self.plans if p.warehouse == warehouse)
            per_sku = max(5, self.config.orders * shops // (len(self.plans) * len(STOCK_SKUS)) // 2)
            await self.receipt(f"NYITO-{warehouse}", warehouse, {sku: per_sku for sku in STOCK_SKUS})

    async def receipt(self, receipt_id: str, warehouse: str, lines: dict[str, int], po: str | None = None) -> None:
        body = {"warehouse_id": warehouse, "receipt_id": receipt_id, "supplier_id": SUPPLIER,
                "received_on": date.today().isoformat(), "requested_by": "scenario", "purchase_order_id": po,
                "lines": [{"sku": sku, "quantity": str(q)} for sku, q in lines.items()]}
        response = await self.api.call("stock_ledger", "POST", "/receipts", json=body, ok=(201,))
        if response.status_code != 201:
            raise RuntimeError(f"receipt {receipt_id} refused: {response.status_code} {response.text[:500]}")
        self.receipts.append(body)

    # --- orders ----------------------------------------------------------------------------

    async def place_orders(self) -> None:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(self.config.orders):
            queue.put_nowait(n)

        start = time.monotonic()

        async def placer() -> None:
            while True:
                try:
                    n = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                if self.config.order_rate:
                    delay = start + n / self.config.order_rate - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                plan = self.plans[n % len(self.plans)]
                body = random_order(self.rng, n, tuple(sorted(self.orderable[plan.shop_id])))
                response = await self.api.sim("POST", f"/_control/shops/{plan.shop_id}/orders", json=body)
                if response.status_code != 201:
                    raise RuntimeError(f"simulator refused order {body}: {response.text}")
                placed = response.json()
                self.orders.append(PlacedOrder(plan.shop_id, placed["inner_id"], placed["id"], body["lines"],
                                               time.monotonic()))
                if self.config.orders >= 10 and (n + 1) % (self.config.orders // 10) == 0:
                    self.event(f"{n + 1} orders placed")

        await asyncio.gather(*(placer() for _ in range(self.config.placers)))
        self.timeline["orders_placed"] = time.monotonic() - self.t0
        self.placing_done.set()

    async def progress(self) -> float:
        return len(self.orders) / max(1, self.config.orders)

    async def at_progress(self, fraction: float) -> None:
        while len(self.orders) < fraction * self.config.orders and not self.placing_done.is_set():
            await asyncio.sleep(0.2)

    async def keep_syncing(self) -> None:
        while True:
            await asyncio.sleep(self.config.sync_every_s)
            try:
                await self.api.call("order_ingest", "POST", "/sync", json={"requested_by": "scenario"}, give_up_s=30)
            except RuntimeError as error:
                self.event(f"sync request failed: {error}")

    # --- stock documents -------------------------------------------------------------------

    async def stock_documents(self) -> None:
        """Purchase orders and goods receipts (some against the purchase orders) during the run."""
        warehouses = sorted({p.warehouse for p in self.plans})
        for k in range(1, 9):
            await self.at_progress(k / 10)
            warehouse = warehouses[k % len(warehouses)]
            skus = self.rng.sample(STOCK_SKUS, 4)
            qty = max(3, self.config.orders // 60)
            po = f"PO-{k}"
            body = {"warehouse_id": warehouse, "purchase_order_id": po, "supplier_id": SUPPLIER,
                    "requested_by": "scenario", "lines": [{"sku": s, "quantity": str(qty * 2)} for s in skus]}
            response = await self.api.call("stock_ledger", "POST", "/purchase-orders", json=body, ok=(201,))
            if response.status_code != 201:
                raise RuntimeError(f"purchase order refused: {response.text[:500]}")
            self.purchase_orders.append(body)
            await self.receipt(f"BEV-{k}-PO", warehouse, {s: qty for s in skus}, po=po)
            await self.receipt(f"BEV-{k}", self.rng.choice(warehouses),
                               {s: qty for s in self.rng.sample(STOCK_SKUS, 5)})
        self.event(f"{len(self.receipts)} receipts and {len(self.purchase_orders)} purchase orders recorded")

    # --- catalogue -------------------------------------------------------------------------

    async def catalogue_changes(self) -> None:
        """Price changes of seeded products and new products created in the back office."""
        for k, fraction in enumerate((0.3, 0.6), start=1):
            await self.at_progress(fraction)
            for _ in range(120):  # the shops' products reach the catalogue with their first orders
                products = {p["sku"]: p for p in (await self.api.get_json("stock_ledger", "/products"))["products"]}
                if sum(1 for sku in STOCK_SKUS if sku in products) >= 3:
                    break
                await asyncio.sleep(1)
            known = [sku for sku in STOCK_SKUS if sku in products]
            for sku in self.rng.sample(known, min(3, len(known))):
                new_price = (Decimal(products[sku]["net_price"]) * Decimal("1.1")).quantize(Decimal(1))
                response = await self.api.call("stock_ledger", "PUT", f"/products/{sku}/price",
                                               json={"net_price": str(new_price), "requested_by": "scenario"})
                if response.status_code == 200:
                    self.price_changes[sku] = new_price
            sku = f"SCN-NEW-{k}"
            await self.create_product(sku, f"Új termék {k} – házi lekvár", Decimal(1490 + 100 * k))
            for warehouse in sorted({p.warehouse for p in self.plans}):
                await self.receipt(f"BEV-NEW-{k}-{warehouse}", warehouse, {sku: 50})
            self.new_products.append(sku)
            self.event(f"prices changed ({', '.join(self.price_changes)}), product {sku} created")
            asyncio.create_task(self.make_orderable(sku))

    async def create_product(self, sku: str, name: str, net_price: Decimal) -> None:
        body = {"sku": sku, "requested_by": "scenario", "product": {
            "name": name, "unit": "db", "net_price": str(net_price), "currency": "HUF", "is_stock_item": True,
            "vat": {"short_name": "27%", "category": "PERCENTAGE", "rate": "0.27"}, "shop_ids": []}}
        response = await self.api.call("stock_ledger", "POST", "/products", json=body, ok=(201,))
        if response.status_code != 201:
            raise RuntimeError(f"product {sku} refused: {response.text[:500]}")

    async def make_orderable(self, sku: str) -> None:
        """Shoppers order a new product once their shop shows it (switched on)."""
        waiting = {p.shop_id for p in self.plans}
        while waiting:
            for shop in list(waiting):
                response = await self.api.sim("GET", f"/_control/shops/{shop}/products/{sku}", ok=(200, 404))
                if response.status_code == 200 and str(response.json().get("status")) == "1":
                    self.orderable[shop].add(sku)
                    waiting.discard(shop)
            await asyncio.sleep(1)

    # --- receipt to shop latency -----------------------------------------------------------

    async def probes(self) -> None:
        """A receipt of a product nobody orders, timed until every shop of its warehouse shows it."""
        warehouses = sorted({p.warehouse for p in self.plans})
        for warehouse in warehouses:
            await self.create_product(f"{PROBE_PREFIX}{warehouse}", f"Mérőtermék {warehouse}", Decimal(100))
        expected = {w: 0 for w in warehouses}
        k = 0
        while not self.placing_done.is_set() or k < 5:
            k += 1
            for warehouse in warehouses:
                sku = f"{PROBE_PREFIX}{warehouse}"
                expected[warehouse] += 1
                started = time.monotonic()
                await self.receipt(f"PROBE-{warehouse}-{k}", warehouse, {sku: 1})
                shops = [p.shop_id for p in self.plans if p.warehouse == warehouse]
                seen = await self.wait_shop_stock(shops, sku, expected[warehouse], timeout_s=600)
                if seen:
                    self.probe_latencies.append(time.monotonic() - started)
            await asyncio.sleep(2)

    async def wait_shop_stock(self, shops: list[str], sku: str, quantity: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        pending = set(shops)
        while pending and time.monotonic() < deadline:
            for shop in list(pending):
                response = await self.api.sim("GET", f"/_control/shops/{shop}/products/{sku}", ok=(200, 404))
                if response.status_code == 200 and Decimal(str(response.json()["stock1"])) == quantity:
                    pending.discard(shop)
            if pending:
                await asyncio.sleep(0.1)
        return not pending

    # --- invoicing -------------------------------------------------------------------------

    async def invoicing_rounds(self) -> None:
        rounds = self.config.invoice_rounds
        for k in range(1, rounds + 1):
            await self.at_progress(k / rounds)
            if k == rounds:
                await self.placing_done.wait()
                await self.wait_ingested(timeout_s=self.config.settle_timeout_s / 2)
            await self.invoice_round(k)

    async def invoice_round(self, k: int) -> None:
        verdicts = (await self.api.get_json("stock_ledger", "/fulfilment/orders", fulfillable_only="1"))["orders"]
        bad = self.bad.refs() if self.bad else set()
        candidates = [(v["shop_id"], v["shop_order_id"]) for v in verdicts
                      if (v["shop_id"], v["shop_order_id"]) not in self.requested | bad]
        chosen = []
        for ref in candidates:
            if len(chosen) >= self.config.invoice_batch_max:
                break
            response = await self.api.call("invoicing", "GET", f"/orders/{ref[0]}/{ref[1]}", ok=(200, 404))
            if response.status_code == 200 and response.json().get("status") in (None, "open", "received"):
                chosen.append(ref)
        if not chosen:
            self.event(f"invoice round {k}: nothing fulfillable")
            return
        basket = f"round-{k}"
        await self.api.call("invoicing", "POST", f"/baskets/{basket}/orders", json={
            "orders": [{"shop_id": s, "shop_order_id": o} for s, o in chosen], "requested_by": "scenario"})
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            inside = (await self.api.get_json("invoicing", f"/baskets/{basket}"))["orders"]
            if len(inside) >= len(chosen):
                break
            await asyncio.sleep(0.5)
        batch = f"inv-round-{k}"
        await self.api.call("invoicing", "POST", f"/baskets/{basket}/invoice",
                            json={"batch_id": batch, "email_after": True, "requested_by": "scenario"})
        self.requested.update(chosen)
        self.batches.append(batch)
        self.event(f"invoice round {k}: {len(chosen)} fulfillable orders in basket {basket}, batch {batch}")

    # --- settling --------------------------------------------------------------------------

    async def wait_ingested(self, timeout_s: float) -> bool:
        """Until every order the shops hold is in the back office (or in review, for bad input)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            expected = await checks.expected_order_count(self)
            filed = await checks.filed_order_count(self)
            if filed >= expected:
                return True
            if await self.blocked_shops():
                return False
            await asyncio.sleep(2)
        return False

    async def blocked_shops(self) -> dict[str, str]:
        """Shops whose polls have failed with an error for ``blocked_after_s`` without progress."""
        rows = (await self.api.get_json("order_ingest", "/sync"))["shops"]
        now = time.monotonic()
        for row in rows:
            state = (row.get("max_inner_id"), row.get("last_error"))
            seen = self._poll_states.get(row["shop_id"])
            if seen is None or seen[0] != state:
                self._poll_states[row["shop_id"]] = (state, now)
        blocked = {shop: str(state[1])[:300] for shop, (state, since) in self._poll_states.items()
                   if state[1] and now - since > self.config.blocked_after_s}
        for shop, error in blocked.items():
            if shop not in self.blocked:
                self.event(f"order_ingest is stuck on {shop} for {self.config.blocked_after_s:.0f}s: {error}")
        self.blocked.update(blocked)
        return blocked

    async def settle(self) -> None:
        deadline = time.monotonic() + self.config.settle_timeout_s
        stages = [("orders ingested", lambda: self.wait_ingested(1)),
                  ("invoice batches finished", lambda: checks.batches_finished(self)),
                  ("e-mails sent", lambda: checks.emails_settled(self)),
                  ("no pending shop writes", lambda: checks.push_idle(self)),
                  ("shops show the back office's figures", lambda: checks.shops_converged(self))]
        for name, ready in stages:
            stage_deadline = min(deadline, time.monotonic() + self.config.stage_timeout_s)
            while not await ready():
                if time.monotonic() > stage_deadline:
                    self.event(f"did not settle: {name}")
                    return
                await asyncio.sleep(2)
            self.event(f"settled: {name}")

    # --- what the shops hold ----------------------------------------------------------------

    async def stock_item_skus(self) -> set[str]:
        """SKUs the shops subtract stock for, plus the products created in the back office."""
        return set(STOCK_SKUS) | set(self.new_products) | {f"{PROBE_PREFIX}{p.warehouse}" for p in self.plans}

    async def order_lines(self) -> list[PlacedOrder]:
        """Every order with its lines: the scenario's own as placed, the seeded ones as the shop holds them."""
        if not self._seed_lines_loaded:
            for order in self.seeded:
                data = await self.api.get_json("order_ingest", f"/orders/{order.shop_id}/{order.shop_order_id}")
                order.lines = [{"sku": line["sku"], "quantity": line["quantity"]}
                               for line in data["document"]["lines"] if line.get("sku")]
            self._seed_lines_loaded = True
        return self.seeded + self.orders

    # --- figures ---------------------------------------------------------------------------

    async def figures(self) -> None:
        f = self.report.figures
        f["end_to_end_s"] = round(self.timeline.get("settled", 0), 1)
        f["orders_placed_s"] = round(self.timeline.get("orders_placed", 0), 1)
        f.update(await checks.throughput_figures(self))
        if self.probe_latencies:
            lat = sorted(self.probe_latencies)
            f["receipt_to_shop_s"] = {"p50": round(statistics.median(lat), 2),
                                      "p99": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))], 2),
                                      "samples": len(lat)}
        stats = (await self.api.sim("GET", "/_control/stats")).json()
        f["peak_requests_per_second"] = {p.shop_id: stats[p.shop_id]["peak_requests_per_second"] for p in self.plans}
        f["kills"] = sum(p.kills for p in self.stack.all_services())
        f["api_retries"] = self.api.retries


async def run_scenario(config: ScenarioConfig) -> Report:
    return await Scenario(config).run()


__all__ = ["ScenarioConfig", "Report", "run_scenario", "plan_shops"]
