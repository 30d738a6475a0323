"""The ShopRenter simulator's control API and shop API, for arranging and observing tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import httpx

from polc.shoprenter_sim import BackgroundSimulator


class SimulatorControl:
    """Control calls (``/_control/...``) and, for shop-side edits, the shop API itself."""

    def __init__(self, sim: BackgroundSimulator) -> None:
        self.sim = sim
        self.base = sim.base_url

    def call(self, method: str, path: str, body: Any = None) -> Any:
        resp = httpx.request(method, f"{self.base}/_control{path}", json=body, timeout=10)
        resp.raise_for_status()
        return resp.json()

    def reset(self, shop: str) -> None:
        self.call("POST", f"/shops/{shop}/reset")

    def faults(self, shop: str, **faults: Any) -> None:
        self.call("PUT", f"/shops/{shop}/faults", faults)

    def stats(self, shop: str) -> dict[str, Any]:
        return self.call("GET", f"/shops/{shop}/stats")

    def place_order(self, shop: str, **order: Any) -> dict[str, Any]:
        return self.call("POST", f"/shops/{shop}/orders", order)

    def set_status(self, shop: str, inner_id: int, status_inner_id: int) -> None:
        self.call("PUT", f"/shops/{shop}/orders/{inner_id}/status", {"status_inner_id": status_inner_id})

    def product(self, shop: str, sku: str) -> dict[str, Any]:
        return self.call("GET", f"/shops/{shop}/products/{sku}")

    def has_product(self, shop: str, sku: str) -> bool:
        return httpx.get(f"{self.base}/_control/shops/{shop}/products/{sku}", timeout=10).status_code == 200

    def stock(self, shop: str, sku: str) -> Decimal:
        return Decimal(str(self.product(shop, sku)["stock1"]))

    def writes(self, shop: str) -> list[dict[str, Any]]:
        return self.call("GET", f"/shops/{shop}/writes")

    def api(self, shop: str, method: str, path: str, body: Any = None) -> Any:
        creds = self.sim.credentials(shop)
        resp = httpx.request(method, f"{self.sim.api_base_url(shop)}/{path}", json=body, timeout=10,
                             auth=(creds["username"], creds["password"]), headers={"Accept": "application/json"})
        resp.raise_for_status()
        return resp.json() if resp.content else None


def shop_taker(control: SimulatorControl, names: Sequence[str], rounds: int = 20) -> Callable[[], str]:
    """Hands out the simulator's shops in turn, each reset to its seed state and without faults,
    so that no two tests of a session share one shop's state."""
    queue = iter(list(names) * rounds)

    def take() -> str:
        name = next(queue)
        control.call("POST", f"/shops/{name}/reset")
        control.faults(name)
        return name

    return take
