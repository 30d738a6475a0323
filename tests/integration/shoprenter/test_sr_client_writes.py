"""Webshop push: price/stock updates, product creation by SKU, and the typed order view."""

from __future__ import annotations

from decimal import Decimal

from polc.shoprenter import ProductUpdate, ShopRenterApi


async def test_update_sets_price_and_stock(connect, control):
    api = ShopRenterApi(connect("writes"))
    product = await api.find_product_by_sku("BAL-ROZE-24")
    updated = await api.update_product(ProductUpdate(product_id=product.id, price=Decimal(2760), stock1=Decimal(12)))
    assert (updated.price, updated.stock1) == (Decimal(2760), Decimal(12))
    assert control.product("writes", "BAL-ROZE-24")["stock1"] == "12"
    writes = control.call("GET", "/shops/writes/writes")
    assert writes[-1]["method"] == "PUT" and writes[-1]["body"] == {"price": 2760, "stock1": 12}


async def test_create_by_sku_is_repeatable(connect, control):
    api = ShopRenterApi(connect("writes"))
    tax = next(c for c in await api.list_tax_classes() if c.name == "27%")
    created = await api.create_product("POLC-ÚJ-1", price=Decimal("1574.80"), tax_class_id=tax.id,
                                       stock1=Decimal(5), name="Új termék – próba", language_id="bGFuZ3VhZ2UtbGFuZ3VhZ2VfaWQ9MQ==")
    again = await api.create_product("POLC-ÚJ-1", price=Decimal("1574.80"), tax_class_id=tax.id)
    assert created.id == again.id and created.tax_class_id == tax.id
    assert control.product("writes", "POLC-ÚJ-1")["price"] == "1574.8000"
    names = [d.name for d in await api.list_product_descriptions(created.id)]
    assert names == ["Új termék – próba"]


async def test_ordering_reduces_the_shops_own_stock(connect, control):
    before = int(control.product("writes", "TOJAS-10")["stock1"])
    control.place_order("writes", lines=[{"sku": "TOJAS-10", "quantity": 3}, {"sku": "AJANDEK-10K", "quantity": 1}])
    assert int(control.product("writes", "TOJAS-10")["stock1"]) == before - 3
    assert control.product("writes", "AJANDEK-10K")["stock1"] == "0"  # does not subtract stock


async def test_order_extend_gives_a_typed_complete_order(connect, control):
    api = ShopRenterApi(connect("typed"))
    placed = control.place_order(
        "typed", lines=[{"sku": "PICK-TSZ-500", "quantity": 2}, {"sku": "TOJAS-10", "quantity": 1}],
        customer_email="nagy.peter@nagyestarsa.hu", coupon_code="NYAR10", payment_code="COD",
        shipping_mode_inner_id=84, comment="Kérem, délelőtt hozzák.")
    order = await api.get_order_extend(placed["id"])
    assert order.comment == "Kérem, délelőtt hozzák." and order.payment_method_code == "COD"
    assert order.tax_number == "12345676-2-09" and order.customer_id is not None
    assert order.date_created.tzinfo is not None and order.currency.code == "HUF"
    assert order.coupon.code == "NYAR10"
    assert {(line.sku, line.quantity) for line in order.order_products} == {("PICK-TSZ-500", 2), ("TOJAS-10", 1)}
    kinds = [t.type for t in order.order_totals]
    assert {"SUB_TOTAL", "TAX", "SHIPPING", "PAYMENT", "COUPON", "TOTAL"} <= set(kinds)
    net_rows = sum(t.value for t in order.order_totals if t.type in ("SUB_TOTAL", "COUPON", "SHIPPING", "PAYMENT", "TAX"))
    assert net_rows == order.total
    customer = await api.get_customer(order.customer_id)
    addresses = await api.list_addresses(customer.id)
    assert addresses[0].company == "Nagy és Társa Kft." and addresses[0].type == "business"
    guest = await api.get_order(control.place_order("typed", lines=[{"sku": "RUBIK-3X3"}])["id"])
    assert guest.customer_id is None


async def test_a_product_creation_cut_short_before_its_name_is_completed_on_repeat(connect, control):
    api = ShopRenterApi(connect("writes"))
    hungarian = "bGFuZ3VhZ2UtbGFuZ3VhZ2VfaWQ9MQ=="
    # What a creation leaves when the call that names the product fails: a product without a name.
    await api.client.request("POST", "products/polc-POLC-FELBE-1", json={"sku": "POLC-FELBE-1", "price": 990,
                                                                          "stock1": 0, "status": 0}, idempotent=True)
    product = await api.create_product("POLC-FELBE-1", price=Decimal(990), name="Félbemaradt termék",
                                       language_id=hungarian)
    assert [d.name for d in await api.list_product_descriptions(product.id)] == ["Félbemaradt termék"]
    assert control.product("writes", "POLC-FELBE-1")["status"] == "1"
    # A product that has its name is left alone, whatever else is asked.
    again = await api.create_product("POLC-FELBE-1", price=Decimal(990), name="Más név", language_id=hungarian)
    assert [d.name for d in await api.list_product_descriptions(again.id)] == ["Félbemaradt termék"]
    # A new product is switched on only once it has its name.
    await api.create_product("POLC-UJ-2", price=Decimal(10), name="Új", language_id=hungarian)
    bodies = [(w["method"], w["path"].rsplit("/", 1)[-1], w["body"]) for w in control.call("GET", "/shops/writes/writes")
              if "POLC-UJ-2" in str(w["body"]) or w["method"] == "PUT"]
    created = next(b for m, _, b in bodies if m == "POST" and isinstance(b, dict) and b.get("sku") == "POLC-UJ-2")
    assert created["status"] == 0 and control.product("writes", "POLC-UJ-2")["status"] == "1"
