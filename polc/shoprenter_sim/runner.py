"""Running the simulator in a background thread: for tests and embedding."""

from __future__ import annotations

import threading
import time

from polc.shoprenter_sim.app import build_app, make_server
from polc.shoprenter_sim.specs import ShopSpec


class BackgroundSimulator:
    """A simulator on its own thread and event loop, so the caller's loop cannot skew it.

        with BackgroundSimulator(["shop1"]) as sim:
            sim.api_base_url("shop1"), sim.token_url("shop1"), sim.base_url
    """

    def __init__(self, shops: list[ShopSpec | str], host: str = "127.0.0.1", port: int = 0,
                 demo_orders_per_minute: float = 0.0) -> None:
        self.specs = [ShopSpec.coerce(s) for s in shops]
        self.app = build_app(self.specs, demo_orders_per_minute=demo_orders_per_minute)
        self._server, self._sock = make_server(self.app, host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self._thread = threading.Thread(target=self._run, name="shoprenter-sim", daemon=True)

    def _run(self) -> None:
        self._server.run(sockets=[self._sock])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def api_base_url(self, shop: str) -> str:
        return f"{self.base_url}/{shop}/api"

    def token_url(self, shop: str) -> str:
        return f"{self.base_url}/oauth/{shop}/app/token"

    def credentials(self, shop: str) -> dict[str, str]:
        return next(s for s in self.specs if s.name == shop).credentials

    def start(self, timeout: float = 10.0) -> BackgroundSimulator:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("simulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
