"""Running the NAV simulator in a background thread: for tests and embedding."""

from __future__ import annotations

import threading
import time

import httpx

from polc.nav_sim.app import build_app, make_server
from polc.nav_sim.state import DEMO_USER, User


class BackgroundNavSimulator:
    """A NAV simulator on its own thread and event loop.

        with BackgroundNavSimulator() as nav:
            nav.api_url, nav.user, nav.control("inject", invoice_number=..., severity="ERROR")
    """

    def __init__(self, users: list[User] | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.users = users or [DEMO_USER]
        self.app = build_app(self.users)
        self._server, self._sock = make_server(self.app, host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self._thread = threading.Thread(target=lambda: self._server.run(sockets=[self._sock]), name="nav-sim",
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/invoiceService/v3"

    @property
    def user(self) -> User:
        return self.users[0]

    def control(self, action: str, **body: object) -> dict:
        """POST to ``/_control/<action>`` (GET when no body)."""
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            response = client.post(f"/_control/{action}", json=body) if body or action == "reset" \
                else client.get(f"/_control/{action}")
        response.raise_for_status()
        return response.json()

    def start(self, timeout: float = 10.0) -> BackgroundNavSimulator:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("NAV simulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundNavSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
