"""Customers, lines, VAT, coupons, fees and text as order_ingest files them from the simulator."""

from __future__ import annotations

from decimal import Decimal

from polc.shoprenter.models import id_from_href


def _guest(first: str, last: str, email: str, **extra) -> dict:
    return {"firstname": first, "lastname": last, "email": email, **extra}


async def test_guests_by_name_and_email_and_registered_by_id(sim, control, shop_names, start_ingest):
    (shop,) = shop_names(1)
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop)
    line = [{"sku": "TOJAS-10", "quantity": 1}]
    control.place_order(shop, lines=line, guest=_guest("Bence", "Kiss", "kiss.bence@example.hu"))
    control.place_order(shop, lines=line, guest=_guest("Bence", "Kiss", "bence.kiss@masik.hu"))
    control.place_order(shop, lines=line, guest=_guest(" bence ", "KISS", " Kiss.Bence@Example.hu "))
    control.place_order(shop, lines=line, customer_email="nagy.peter@nagyestarsa.hu")
    control.place_order(shop, lines=line, customer_email="nagy.peter@nagyestarsa.hu")
    control.place_order(shop, lines=line, guest=_guest("Katalin", "Varga", "rendeles@vargapekseg.hu",
                                                        company="Varga Pékség Kft.", tax_number="34567898-2-13",
                                                        address1="Szent István út 7.", postcode="2000",
                                                        city="Szentendre"))

    await ingest.sync(shop)

    orders = await ingest.orders(shop)
    assert len(orders) == 6
    by_order = [o["customer_id"] for o in sorted(orders, key=lambda o: o["inner_id"])]
    assert by_order[0] == by_order[2], "the same guest twice (case and spaces aside) is one customer"
    assert by_order[0] != by_order[1], "same name, different e-mail: two customers"
    assert by_order[3] == by_order[4], "a registered customer is matched by id"
    customers = {c["customer_id"]: c for c in await ingest.customers()}
    assert len(customers) == 4
    registered = customers[by_order[3]]
    assert registered["shop_customer_id"] and registered["company"] == "Nagy és Társa Kft."
    company = customers[by_order[5]]
    assert company["tax_number"] == "34567898-2-13" and company["billing_address"]["city"] == "Szentendre"
    assert company["email"] == "rendeles@vargapekseg.hu"


async def test_coupon_fees_and_mixed_vat_make_the_right_lines_and_totals(sim, control, shop_names, start_ingest):
    (shop,) = shop_names(1)
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop)
    placed = control.place_order(shop, lines=[{"sku": "PICK-TSZ-500", "quantity": 1}, {"sku": "RETES-TUR-4", "quantity": 2},
                                              {"sku": "TOJAS-10", "quantity": 3}],
                                 coupon_code="NYAR10", payment_code="COD", shipping_mode_inner_id=85)
    await ingest.sync(shop)

    doc = await ingest.document(shop, placed["id"])
    lines = doc["lines"]
    products = [ln for ln in lines if ln["kind"] == "product"]
    assert {p["vat"]["short_name"] for p in products} == {"27%", "18%", "5%"}
    coupons = [ln for ln in lines if ln["kind"] == "coupon"]
    assert {c["vat"]["short_name"] for c in coupons} == {"27%", "18%", "5%"}
    assert all(c["coupon_code"] == "NYAR10" and Decimal(c["net_amount"]) < 0 for c in coupons)
    for vat in ("27%", "18%", "5%"):
        product_net = sum(Decimal(p["net_amount"]) for p in products if p["vat"]["short_name"] == vat)
        coupon_net = sum(Decimal(c["net_amount"]) for c in coupons if c["vat"]["short_name"] == vat)
        assert abs(coupon_net + product_net * Decimal("0.10")) <= Decimal("0.01")
    services = {ln["service_kind"]: ln for ln in lines if ln["kind"] == "service"}
    assert Decimal(services["shipping_fee"]["net_amount"]) == Decimal("990.00")
    assert Decimal(services["payment_fee"]["net_amount"]) == Decimal("390.00")
    assert services["shipping_fee"]["vat"]["short_name"] == "27%"
    assert doc["shipping_method"]["name"] == "Foxpost csomagautomata" and doc["shipping_method"]["code"] == "FOXPOST"
    assert doc["payment_method"] == {"code": "COD", "name": "Utánvétel"}
    assert Decimal(doc["gross_total"]) == Decimal(str(placed["total"])).quantize(Decimal("0.01"))
    assert abs(Decimal(doc["net_total"]) + Decimal(doc["vat_total"]) - Decimal(doc["gross_total"])) <= Decimal("1.00")
    # the service items were matched by name, created on first sight (M12)
    items = (await ingest.http.get("/service-items")).json()["service_items"]
    assert {i["name"] for i in items} >= {services["shipping_fee"]["name"], services["payment_fee"]["name"]}


async def test_html_in_product_names_and_comments_is_stored_as_text(sim, control, shop_names, start_ingest,
                                                                     stack, topic_prefix):
    from tests.integration.order_ingest.topics import of_type, read_topic

    (shop,) = shop_names(1)
    tax = next(t for t in control.api(shop, "GET", "taxClasses?full=1")["items"] if t["name"] == "27%")
    language = control.api(shop, "GET", "languages?full=1")["items"][0]
    product = control.api(shop, "POST", "products", {"sku": "SZAPPAN-HTML", "price": 1000, "stock1": 9,
                                                     "subtractStock": 1, "taxClass": {"id": tax["id"]}})
    control.api(shop, "POST", "productDescriptions", {"name": "<b>Kézműves</b> levendula&nbsp;szappan &amp; doboz",
                                                      "product": {"id": product["id"]},
                                                      "language": {"id": language["id"]}})
    ingest = await start_ingest()
    await ingest.add_shop(sim, shop)
    placed = control.place_order(shop, lines=[{"sku": "SZAPPAN-HTML", "quantity": 1}],
                                 comment="<script>alert(1)</script><p>Hívjanak&nbsp;előtte!</p>")
    await ingest.sync(shop)

    doc = await ingest.document(shop, placed["id"])
    assert doc["lines"][0]["name"] == "Kézműves levendula\xa0szappan & doboz"
    assert doc["internal_note"] == "Hívjanak\xa0előtte!"
    found = await read_topic(stack.bootstrap_servers, f"{topic_prefix}polc.catalog.discoveries.v1",
                             until=lambda f: any(e.payload["sku"] == "SZAPPAN-HTML" for e in f))
    discovered = next(e for e in of_type(found, "ProductDiscovered") if e.payload["sku"] == "SZAPPAN-HTML")
    assert discovered.payload["name"] == "Kézműves levendula\xa0szappan & doboz"
    assert discovered.payload["vat"]["short_name"] == "27%" and id_from_href(product["href"]) == product["id"]
