"""`python -m polc.nav_sim --port 8790`: the NAV simulator with one technical user.

The user's credentials come from the variables the invoicing service reads
(``POLC_INVOICING_NAV_LOGIN``, ``..._PASSWORD``, ``..._SIGNATURE_KEY``, ``..._EXCHANGE_KEY``,
``..._TAX_NUMBER``); unset ones take the demo user's values (set the same ones for the service).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os

from polc.nav_sim.app import serve
from polc.nav_sim.state import DEMO_USER, User


def user_from_env() -> User:
    env = os.environ.get

    def pick(name: str, default: str) -> str:
        return env(f"POLC_INVOICING_NAV_{name}") or default

    return User(login=pick("LOGIN", DEMO_USER.login), password=pick("PASSWORD", DEMO_USER.password),
                signature_key=pick("SIGNATURE_KEY", DEMO_USER.signature_key),
                exchange_key=pick("EXCHANGE_KEY", DEMO_USER.exchange_key),
                tax_number=pick("TAX_NUMBER", DEMO_USER.tax_number))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m polc.nav_sim", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(serve(args.host, args.port, [user_from_env()]))


if __name__ == "__main__":
    main()
