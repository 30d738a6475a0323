"""The demo shops of ``polc up``: the simulator's shops registered in order ingest, once."""

from __future__ import annotations

import time

import httpx

#: Demo shop -> warehouse. Two shops with their own warehouses and number series.
DEMO_SHOPS = {"demo1": "FO", "demo2": "BP"}


def register_demo_shops(ingest_url: str, simulator_url: str, timeout_s: float = 120) -> list[str]:
    """Add the simulator's demo shops to order ingest unless they exist; returns the ones added."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=ingest_url, timeout=10) as http:
        while True:
            try:
                existing = {s["shop_id"] for s in http.get("/shops").raise_for_status().json()["shops"]}
                break
            except (httpx.HTTPError, KeyError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        added = []
        for shop_id, warehouse in DEMO_SHOPS.items():
            if shop_id in existing:
                continue
            http.post("/shops", json={
                "shop_id": shop_id, "name": f"Demo bolt {shop_id[-1]}",
                "api_base_url": f"{simulator_url}/{shop_id}/api",
                "token_url": f"{simulator_url}/oauth/{shop_id}/app/token",
                "client_id": f"{shop_id}-client", "client_secret": f"{shop_id}-secret",
                "warehouse_id": warehouse, "poll_interval_s": 60,
                "first_sync_from": "2020-01-01T00:00:00Z",
            }).raise_for_status()
            added.append(shop_id)
        return added
