"""`python -m polc.shoprenter_sim --host 127.0.0.1 --port 8765 --shops demo1,demo2`."""

from __future__ import annotations

import argparse
import asyncio
import logging

from polc.shoprenter_sim.app import serve


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m polc.shoprenter_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--shops", default="demo1,demo2", help="comma-separated shop names")
    parser.add_argument("--demo-orders-per-minute", type=float, default=0.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    shops = [s.strip() for s in args.shops.split(",") if s.strip()]
    asyncio.run(serve(args.host, args.port, shops, demo_orders_per_minute=args.demo_orders_per_minute))


if __name__ == "__main__":
    main()
