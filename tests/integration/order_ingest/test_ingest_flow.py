"""Shop configuration -> poll of the simulator -> order document -> OrderReceived on the broker."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.order_ingest.topics import of_type, read_topic

pytestmark = pytest.mark.broker


async def test_two_shops_with_separate_series_publish_order_received(sim, control, shop_names, start_ingest,
                                                                     stack, topic_prefix):
    a, b = shop_names(2)
    ingest = await start_ingest()
    await ingest.add_shop(sim, a, series_prefix="A-")
    await ingest.add_shop(sim, b, series_prefix="B-")
    control.place_order(a, lines=[{"sku": "PICK-TSZ-500", "quantity": 2}], customer_email="kovacs.anna@example.hu",
                        comment="Kérem <b>délután</b> hozzák &amp; csengessenek", payment_code="COD")
    control.place_order(a, lines=[{"sku": "TOJAS-10", "quantity": 1}], payment_code="BANK_TRANSFER")
    control.place_order(b, lines=[{"sku": "RUBIK-3X3", "quantity": 1}], payment_code="BARION")

    await ingest.sync()

    orders = await ingest.orders()
    assert sorted(o["order_number"] for o in orders) == ["A-000001", "A-000002", "B-000001"]
    envelopes = await read_topic(stack.bootstrap_servers, f"{topic_prefix}polc.orders.v1",
                                 until=lambda found: len(of_type(found, "OrderReceived")) >= 3)
    received = {e.payload["order_number"]: e for e in of_type(envelopes, "OrderReceived")}
    assert set(received) == {"A-000001", "A-000002", "B-000001"}
    first = received["A-000001"]
    assert first.key == f"{a}:{first.payload['shop_order_id']}"
    doc = first.payload
    assert doc["warehouse_id"] == f"WH-{a.upper()}"
    assert doc["internal_note"] == "Kérem délután hozzák & csengessenek"
    assert doc["shop_order_code"] in doc["header_note"]
    assert doc["customer"]["shop_customer_id"]
    assert doc["payment_method"]["code"] == "COD"
    product = doc["lines"][0]
    assert product["kind"] == "product" and product["sku"] == "PICK-TSZ-500"
    assert Decimal(product["quantity"]) == 2 and product["vat"]["short_name"] == "27%"
    kinds = [line["kind"] for line in doc["lines"]]
    assert "service" in kinds  # shipping and the COD fee
    net = sum(Decimal(line["net_amount"]) for line in doc["lines"])
    assert abs(Decimal(doc["gross_total"]) - (net + Decimal(doc["vat_total"]))) <= Decimal("1.00")


async def test_polc_sync_and_shop_commands_go_through_the_http_api(sim, control, shop_names, start_ingest, capsys):
    import asyncio

    from polc.cli import main

    (shop,) = shop_names(1)
    ingest = await start_ingest()
    url = f"http://127.0.0.1:{ingest.runtime.http.port}"
    await ingest.add_shop(sim, shop, client_secret="not-the-right-one")
    listed = (await ingest.http.get(f"/shops/{shop}")).json()
    assert "client_secret" not in listed and "not-the-right-one" not in str(listed)
    control.place_order(shop, lines=[{"sku": "TOJAS-10", "quantity": 1}])

    code = await asyncio.to_thread(main, ["sync", "--shop", shop, "--ingest-url", url])
    out = capsys.readouterr().out
    assert code == 1 and "failed" in out and "not-the-right-one" not in out

    secret = sim.credentials(shop)["client_secret"]
    assert await asyncio.to_thread(main, ["shops", "set", shop, "--json", f'{{"client_secret": "{secret}"}}',
                                          "--ingest-url", url]) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["sync", "--shop", shop, "--ingest-url", url]) == 0
    assert f"{shop}: 1 new" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["shops", "list", "--ingest-url", url]) == 0
    assert secret not in capsys.readouterr().out
