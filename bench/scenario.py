"""The proof under fire, as one command: the whole stack as processes, the scenario, its checks and
its figures.

    .venv/bin/python bench/scenario.py --orders 10000              # the full scenario
    .venv/bin/python bench/scenario.py --orders 10000 --chaos      # SIGKILLs while it runs
    .venv/bin/python bench/scenario.py --broker-loss | --shop-faults | --smtp-faults | --bad-input
    .venv/bin/python bench/scenario.py --instances 2               # two processes of every service
    .venv/bin/python bench/scenario.py --sweep 1,3,10              # throughput by shop count

Exits 0 when every check holds, 1 otherwise. The report (checks, figures, events) is written to
``<home>/report.json``; logs of every process are under ``<home>/logs``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from polc.scenario import ScenarioConfig, run_scenario  # noqa: E402
from polc.scenario.driver import Report  # noqa: E402


def machine() -> str:
    import psutil

    return (f"{platform.node()}: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"load average at start {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def print_report(report: Report, title: str) -> None:
    print(f"\n=== {title}: {'ALL CHECKS HOLD' if report.ok else 'CHECKS FAILED'} ===")
    for check in report.checks:
        mark = "ok  " if check["ok"] else "FAIL"
        print(f"[{mark}] {check['name']}")
        if not check["ok"]:
            print("       " + json.dumps(check["detail"], ensure_ascii=False, default=str)[:2000])
    f = report.figures
    print("\nfigures:")
    print(f"  end-to-end time (first order placed to everything settled): {f.get('end_to_end_s')} s"
          f" (orders placed in {f.get('orders_placed_s')} s; stack start {f.get('stack_start_s')} s)")
    print(f"  orders ingested per second per shop: {f.get('orders_ingested_per_s_per_shop')}"
          f" (all shops: {f.get('orders_ingested_per_s_total')})")
    print(f"  receipt to shop latency: {f.get('receipt_to_shop_s')}")
    print(f"  ledger movements per second: {f.get('movements_per_s_over_run')} over the run, "
          f"{f.get('movements_per_s_peak_10s')} at the busiest 10 s ({f.get('movements')} movements)")
    print(f"  invoices per second: issued {f.get('invoices_issued_per_s')}, e-mailed with PDF "
          f"{f.get('invoices_emailed_per_s')} ({f.get('invoices')} invoices)")
    print(f"  peak RSS per service (MiB, all instances' maximum, render processes included): {f.get('peak_rss_mb')}")
    print(f"  simulator peak requests/s per shop: {f.get('peak_requests_per_second')}")
    if f.get("kills"):
        print(f"  SIGKILLs: {f['kills']}")


def config_from(args: argparse.Namespace, **overrides) -> ScenarioConfig:
    values = dict(home=Path(args.home), orders=args.orders, shops=args.shops, instances=args.instances,
                  chaos=args.chaos, chaos_interval_s=args.chaos_interval, min_kills=args.min_kills,
                  broker_loss=args.broker_loss, shop_faults=args.shop_faults, smtp_faults=args.smtp_faults,
                  bad_input=args.bad_input, order_rate=args.order_rate, rate_limit_per_s=args.rate_limit,
                  invoice_rounds=args.invoice_rounds, invoice_batch_max=args.invoice_batch,
                  settle_timeout_s=args.settle_timeout, log_level=args.log_level, seed=args.seed)
    values.update(overrides)
    return ScenarioConfig(**values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10000)
    parser.add_argument("--shops", type=int, default=3)
    parser.add_argument("--instances", type=int, default=1, help="processes of every service")
    parser.add_argument("--chaos", action="store_true", help="SIGKILL a random service process every few seconds")
    parser.add_argument("--chaos-interval", type=float, default=5.0, help="mean seconds between kills")
    parser.add_argument("--min-kills", type=int, default=50, help="with --chaos: keep killing until this many")
    parser.add_argument("--broker-loss", action="store_true", help="restart the broker (empty) mid-run")
    parser.add_argument("--shop-faults", action="store_true", help="30%% of ShopRenter calls fail for a while")
    parser.add_argument("--smtp-faults", action="store_true", help="the mail server goes away mid-batch")
    parser.add_argument("--bad-input", action="store_true", help="a corpus of malformed and hostile orders/products")
    parser.add_argument("--sweep", help="comma-separated shop counts, e.g. 1,3,10: one run each")
    parser.add_argument("--order-rate", type=float, default=None, help="orders placed per second (all shops)")
    parser.add_argument("--rate-limit", type=int, default=3,
                        help="the shops' rate_limit_per_s in polc (shared by order_ingest and webshop_push)")
    parser.add_argument("--invoice-rounds", type=int, default=4)
    parser.add_argument("--invoice-batch", type=int, default=250, help="orders per invoice batch at most")
    parser.add_argument("--settle-timeout", type=float, default=3600)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--log-level", default="INFO", help="log level of the services")
    parser.add_argument("--home", default=".polc-scenario", help="state folder (deleted at start)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(machine(), flush=True)
    if args.sweep:
        rows = []
        ok = True
        for count in [int(c) for c in args.sweep.split(",")]:
            home = Path(args.home) / f"shops-{count}"
            report = asyncio.run(run_scenario(config_from(args, shops=count, home=home)))
            print_report(report, f"{count} shops")
            ok &= report.ok
            f = report.figures
            rows.append((count, f.get("orders_ingested_per_s_total"), f.get("orders_ingested_per_s_per_shop"),
                         f.get("peak_requests_per_second"), report.ok))
        print("\nshop count sweep: shops | orders ingested/s (all) | per shop | peak requests/s per shop | checks")
        for row in rows:
            print(" | ".join(str(x) for x in row))
        return 0 if ok else 1
    report = asyncio.run(run_scenario(config_from(args)))
    print_report(report, "scenario")
    print(f"\nreport: {Path(args.home) / 'report.json'}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
