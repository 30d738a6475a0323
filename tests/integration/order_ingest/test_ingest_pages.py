"""A poll of several pages: each page is planned while the one before it is filed."""

from __future__ import annotations

import httpx

from tests.support.ping import wait_for


async def test_pages_are_filed_in_order_once_each_and_a_customer_is_downloaded_once(sim, control, shop_names,
                                                                                   start_ingest):
    (shop,) = shop_names(1)
    line = [{"sku": "TOJAS-10", "quantity": 1}]
    registered = {"lines": line, "customer_email": "nagy.peter@nagyestarsa.hu"}
    guests = [{"lines": line, "guest": {"firstname": "Vevő", "lastname": f"{i}",
                                        "email": "nem-cim" if i == 250 else f"vevo{i}@example.hu"}}
              for i in range(1, 400)]  # the 250th cannot be imported (page 2)
    with httpx.Client(base_url=f"{control.base}/_control/shops/{shop}", timeout=30) as http:  # one connection
        for order in [registered, *guests, registered]:  # the registered customer on pages 1 and 3
            http.post("/orders", json=order).raise_for_status()
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop, enabled=False)
    assert control.stats(shop)["requests"] == 0

    (await ingest.http.patch(f"/shops/{shop}", json={"enabled": True})).raise_for_status()
    await wait_for(lambda: _polled(ingest))

    # One poll: 3 pages of orders, statuses, tax classes, the one product, the one registered
    # customer; the customer met again on page 3 is not downloaded again while page 1 may still
    # be being filed.
    assert control.stats(shop)["requests"] == 7
    orders = (await ingest.http.get("/orders", params={"shop": shop, "limit": 1000})).json()["orders"]
    assert len(orders) == 400 and len({o["shop_order_id"] for o in orders}) == 400
    by_inner = sorted(orders, key=lambda o: o["inner_id"])
    numbers = [int(o["order_number"].rsplit("-", 1)[-1]) for o in by_inner]
    assert numbers == list(range(numbers[0], numbers[0] + 400)), "numbered without gaps, in the shop's order"
    assert by_inner[0]["customer_id"] == by_inner[-1]["customer_id"]
    (held,) = await ingest.review()
    assert held["reason"] == "malformed_data" and "nem-cim" in held["detail"]


async def _polled(ingest) -> bool:  # noqa: ANN001 - the Ingest helper of conftest
    (status,) = (await ingest.http.get("/sync")).json()["shops"]
    return status["polls"] >= 1
