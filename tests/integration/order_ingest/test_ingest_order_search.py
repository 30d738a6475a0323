"""The order list: search by customer, number or code, state filters, newest first, pages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.broker

LINE = [{"sku": "TOJAS-10", "quantity": 1}]


def _guest(first: str, last: str, email: str) -> dict:
    return {"firstname": first, "lastname": last, "email": email}


async def test_orders_are_searched_filtered_and_paged_by_the_service(sim, control, shop_names, start_ingest):
    a, b = shop_names(2)
    ingest = await start_ingest()
    await ingest.add_shop(sim, a, series_prefix="SA-")
    await ingest.add_shop(sim, b, series_prefix="SB-")
    control.place_order(a, lines=LINE, guest=_guest("Réka", "Szabó", "szabo.reka@example.hu"))
    control.place_order(a, lines=LINE, guest=_guest("Ödön", "Tóth", "toth_odon@example.hu"))
    control.place_order(b, lines=LINE, guest=_guest("Réka", "Szabó", "szabo.reka@example.hu"))
    await ingest.sync()

    async def listed(**params) -> dict:
        resp = await ingest.http.get("/orders", params=params)
        assert resp.status_code == 200, resp.text
        return resp.json()

    every = await listed(newest_first=1)
    assert every["total"] == 3
    received = [o["received_at"] for o in every["orders"]]
    assert received == sorted(received, reverse=True)
    by_customer = await listed(q="SZABO.Reka")
    assert {o["order_number"] for o in by_customer["orders"]} == {"SA-000001", "SB-000001"}
    assert all(o["customer_name"] and o["customer_email"] == "szabo.reka@example.hu" for o in by_customer["orders"])
    assert [o["order_number"] for o in (await listed(q="toth_odon"))["orders"]] == ["SA-000002"]
    assert [o["order_number"] for o in (await listed(q="ödön tóth"))["orders"]] == ["SA-000002"]
    assert (await listed(q="toth%odon"))["total"] == 0  # % and _ are plain characters in a search
    assert [o["order_number"] for o in (await listed(q="reka", shop=b))["orders"]] == ["SB-000001"]
    code = every["orders"][0]["shop_order_code"]
    assert code and [o["shop_order_code"] for o in (await listed(q=code, shop=every["orders"][0]["shop_id"]))["orders"]] == [code]
    assert (await listed(state="open"))["total"] == 3 and (await listed(state="invoiced"))["total"] == 0

    first, second = await listed(limit=2, offset=0), await listed(limit=2, offset=2)
    assert first["total"] == second["total"] == 3
    numbers = [o["order_number"] for o in first["orders"] + second["orders"]]
    assert sorted(numbers) == ["SA-000001", "SA-000002", "SB-000001"]
    assert (await listed(limit=2, offset=10)) == {"orders": [], "total": 3, "offset": 10, "limit": 2}

    for bad in ({"state": "lost"}, {"limit": "0"}, {"offset": "-1"}, {"limit": "many"}):
        resp = await ingest.http.get("/orders", params=bad)
        assert resp.status_code == 422 and "error" in resp.json()
