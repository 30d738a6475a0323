"""Explain (HTTP and CLI) and reconcile with and without --dry-run."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import httpx
import pytest

from polc.cli import main as polc
from tests.integration.webshop_push.conftest import set_push_settings, stock_changed
from tests.support.ping import wait_for

pytestmark = pytest.mark.broker


async def test_explain_and_reconcile(push, registry, sender, control, fresh_shop, capsys):
    shop = fresh_shop()
    await registry.add_shop(shop)
    runtime = await push()
    url = f"http://127.0.0.1:{runtime.http.port}"
    await set_push_settings(runtime, shop, safety_buffer=1)
    await sender.send(stock_changed("SAJT-TRAP-1K", 9, physical=31, reserved=4, document="BEV-2025-0042"))
    await wait_for(lambda: _shows(control, shop, "SAJT-TRAP-1K", 26))
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        async def pushed() -> bool:
            data = (await client.get(f"/shops/{shop}/products/SAJT-TRAP-1K")).json()
            return "stock" in data["pushed"]
        await wait_for(pushed)
        explained = (await client.get(f"/shops/{shop}/products/SAJT-TRAP-1K")).json()
        stock = explained["pushed"]["stock"]
        assert (Decimal(stock["value"]), stock["version"], Decimal(stock["free"]), Decimal(stock["safety_buffer"])) == (
            26, 9, 27, 1)
        assert stock["reason"]["cause"]["document_id"] == "BEV-2025-0042" and stock["pushed_at"]
        assert explained["shop_product_id"] == control.product(shop, "SAJT-TRAP-1K")["id"]

    assert await asyncio.to_thread(polc, ["push-explain", shop, "SAJT-TRAP-1K", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "value 26" in out and "version 9" in out and "BEV-2025-0042" in out

    # Someone edits the shop by hand: reconcile finds it, the dry run changes nothing, the real run fixes it.
    await _put_stock(control, shop, "SAJT-TRAP-1K", 99)
    assert await asyncio.to_thread(polc, ["reconcile", "--shop", shop, "--dry-run", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "SAJT-TRAP-1K" in out and "stock" in out and "shop=99 back_office=26" in out
    assert control.stock(shop, "SAJT-TRAP-1K") == 99
    assert await asyncio.to_thread(polc, ["reconcile", "--shop", shop, "--url", url]) == 0
    assert "shop=99 back_office=26" in capsys.readouterr().out
    await wait_for(lambda: _shows(control, shop, "SAJT-TRAP-1K", 26))
    assert await asyncio.to_thread(polc, ["reconcile", "--shop", shop, "--dry-run", "--url", url]) == 0
    assert "shop=99" not in capsys.readouterr().out


async def _shows(control, shop: str, sku: str, value: int) -> bool:
    return control.stock(shop, sku) == Decimal(value)


async def _put_stock(control, shop: str, sku: str, value: int) -> None:
    """A hand edit in the shop's admin, through the shop's own API."""
    token = httpx.post(f"{control.base}/oauth/{shop}/app/token", json={
        "grant_type": "client_credentials", "client_id": f"{shop}-client", "client_secret": f"{shop}-secret"}).json()
    pid = control.product(shop, sku)["id"]
    resp = httpx.put(f"{control.base}/{shop}/api/products/{pid}", json={"stock1": value},
                     headers={"Authorization": f"Bearer {token['access_token']}", "Accept": "application/json"})
    resp.raise_for_status()
