"""`python -m polc.shoprenter_sim --host 127.0.0.1 --port 8765 --shops demo1,demo2 [--seed-orders N]`."""

from __future__ import annotations

import argparse
import asyncio
import logging

from polc.shoprenter_sim.app import serve
from polc.shoprenter_sim.specs import ShopSpec


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m polc.shoprenter_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--shops", default="demo1,demo2", help="comma-separated shop names")
    parser.add_argument("--demo-orders-per-minute", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=None, help="random seed of every shop's generated orders")
    parser.add_argument("--seed-orders", type=int, default=None, help="orders every shop starts with")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    given = {k: v for k, v in (("seed", args.seed), ("seed_orders", args.seed_orders)) if v is not None}
    shops: list[ShopSpec | str] = [ShopSpec(name=s.strip(), **given) for s in args.shops.split(",") if s.strip()]
    asyncio.run(serve(args.host, args.port, shops, demo_orders_per_minute=args.demo_orders_per_minute))


if __name__ == "__main__":
    main()
