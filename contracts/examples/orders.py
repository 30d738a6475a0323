"""Example orders, syncs, catalog and fulfilment messages: one coffee shop order of 25 570 Ft."""

from __future__ import annotations

from decimal import Decimal as D

from contracts import catalog, fulfilment, orders, sync
from contracts.catalog import ProductData
from contracts.examples.shared import (
    COD,
    CUSTOMER,
    ORDER_NUMBER,
    PENDING,
    PROCESSING,
    SHOP,
    SHOP_ORDER_ID,
    VAT_5,
    VAT_27,
    WAREHOUSE,
    at,
)
from contracts.orders import CouponLine, ProductLine, ServiceLine, ShippingMethod, ShopTotal

ORDER_RECEIVED = orders.OrderReceived(
    shop_id=SHOP,
    shop_order_id=SHOP_ORDER_ID,
    shop_order_code="SR-172",
    shop_inner_id=172,
    order_number=ORDER_NUMBER,
    placed_at=at(9, 21, 7),
    status=PENDING,
    customer=CUSTOMER,
    lines=(
        ProductLine(
            line_no=1, name="Kávéőrlő – kézi, kerámia őrlőművel", sku="KO-1001",
            shop_product_id="cHJvZHVjdC1wcm9kdWN0X2lkPTEwMQ==", quantity=D("1"), unit="db",
            net_unit_price=D("10228.35"), gross_unit_price=D("12990.00"), vat=VAT_27,
            net_amount=D("10228.35"), gross_amount=D("12990.00"),
        ),
        ProductLine(
            line_no=2, name="Szemes kávé, Etióp Yirgacheffe 250 g", sku="KV-ETI-250",
            shop_product_id="cHJvZHVjdC1wcm9kdWN0X2lkPTEwMg==", quantity=D("2"), unit="db",
            net_unit_price=D("2748.03"), gross_unit_price=D("3490.00"), vat=VAT_27,
            net_amount=D("5496.06"), gross_amount=D("6980.00"),
        ),
        ProductLine(
            line_no=3, name="Az eszpresszó kézikönyve (könyv)", sku="KONYV-ESP",
            shop_product_id="cHJvZHVjdC1wcm9kdWN0X2lkPTEwMw==", quantity=D("1"), unit="db",
            net_unit_price=D("4752.38"), gross_unit_price=D("4990.00"), vat=VAT_5,
            net_amount=D("4752.38"), gross_amount=D("4990.00"),
        ),
        ServiceLine(
            line_no=4, name="GLS házhozszállítás", service_kind="shipping_fee", service_id="SZOLG-GLS",
            quantity=D("1"), unit="db", net_unit_price=D("1173.23"), gross_unit_price=D("1490.00"),
            vat=VAT_27, net_amount=D("1173.23"), gross_amount=D("1490.00"),
        ),
        ServiceLine(
            line_no=5, name="Utánvét kezelési díj", service_kind="payment_fee", service_id="SZOLG-UTANVET",
            quantity=D("1"), unit="db", net_unit_price=D("307.09"), gross_unit_price=D("390.00"),
            vat=VAT_27, net_amount=D("307.09"), gross_amount=D("390.00"),
        ),
        CouponLine(
            line_no=6, name="Kupon: TAVASZ1000", coupon_code="TAVASZ1000", quantity=D("1"), unit="db",
            net_unit_price=D("-1000.00"), gross_unit_price=D("-1270.00"), vat=VAT_27,
            net_amount=D("-1000.00"), gross_amount=D("-1270.00"),
        ),
    ),
    payment_method=COD,
    shipping_method=ShippingMethod(code="GLSPARCELPOINT", name="GLS házhozszállítás"),
    is_paid=False,
    header_note="Webshop rendelés: SR-172",
    internal_note="Kérem, délután 4 után csöngessenek! A kapukód: 12#",
    currency="HUF",
    net_total=D("20957.11"),
    vat_total=D("4612.89"),
    gross_total=D("25570.00"),
    shop_totals=(
        ShopTotal(type="SUB_TOTAL", name="Részösszeg", value=D("20476.79")),
        ShopTotal(type="SHIPPING", name="GLS házhozszállítás", value=D("1173.23")),
        ShopTotal(type="PAYMENT", name="Utánvét", value=D("307.09")),
        ShopTotal(type="COUPON", name="Kupon (TAVASZ1000)", value=D("-1000.00")),
        ShopTotal(type="TAX", name="ÁFA", value=D("4612.89")),
        ShopTotal(type="TOTAL", name="Bruttó végösszeg", value=D("25570.00")),
    ),
    warehouse_id=WAREHOUSE,
)

EXAMPLES = (
    sync.SyncRequested(
        shop_id=SHOP, request_id="fence-3f9c", requested_by="webshop_push", not_before=at(9, 30)
    ),
    sync.SyncCompleted(
        shop_id=SHOP, request_id="fence-3f9c", trigger="request", started_at=at(9, 30, 1),
        finished_at=at(9, 30, 4), watermark=at(9, 30), orders_received=1, orders_changed=0,
        orders_quarantined=0, api_requests=4,
    ),
    sync.ShopSyncFailed(
        shop_id=SHOP, trigger="schedule", error="rate_limited",
        detail="A ShopRenter 429-et adott 5 próbálkozás után (Retry-After: 2).", failed_at=at(9, 35, 12),
        last_success_at=at(9, 30, 4),
    ),
    ORDER_RECEIVED,
    orders.OrderStatusChanged(
        shop_id=SHOP, shop_order_id=SHOP_ORDER_ID, order_number=ORDER_NUMBER, previous_status=PENDING,
        status=PROCESSING, changed_at=at(10, 2, 45),
    ),
    orders.OrderCancelled(
        shop_id=SHOP, shop_order_id=SHOP_ORDER_ID, order_number=ORDER_NUMBER, warehouse_id=WAREHOUSE,
        source="shop", reason="Törölve", cancelled_at=at(11, 15),
    ),
    orders.OrderQuarantined(
        shop_id=SHOP, shop_order_id="b3JkZXItb3JkZXJfaWQ9MTcz", shop_order_code="SR-173",
        reason="unknown_vat_name", detail='Ismeretlen ÁFA rövid név: "18% (pékáru)".',
        raw={"innerId": "173", "orderProducts": [{"sku": "KIFLI-01", "taxName": "18% (pékáru)"}]},
        quarantined_at=at(9, 30, 3),
    ),
    orders.OrderReviewResolved(
        shop_id=SHOP, shop_order_id="b3JkZXItb3JkZXJfaWQ9MTcz", outcome="imported", resolved_by="auto",
        note="ÁFA leképezés hozzáadva: 18% (pékáru) → 18%", resolved_at=at(12, 0, 30),
    ),
    catalog.CreateProduct(
        sku="DARALO-PRO",
        product=ProductData(
            name="Daráló Pro – elektromos kávédaráló", unit="db", vat=VAT_27, net_price=D("31488.19"),
            minimum_stock=D("3"), default_supplier_id="SZALL-007", supplier_item_number="GR-PRO-220",
        ),
        requested_by="szabo.peter",
    ),
    catalog.ChangeProductPrice(sku="KO-1001", net_price=D("11015.75"), requested_by="szabo.peter"),
    catalog.ProductDiscovered(
        sku="KV-ETI-250", shop_id=SHOP, shop_product_id="cHJvZHVjdC1wcm9kdWN0X2lkPTEwMg==",
        name="Szemes kávé, Etióp Yirgacheffe 250 g", unit="db", vat=VAT_27, net_price=D("2748.03"),
        discovered_at=at(9, 30, 2),
    ),
    catalog.ProductCreated(
        sku="DARALO-PRO",
        product=ProductData(
            name="Daráló Pro – elektromos kávédaráló", unit="db", vat=VAT_27, net_price=D("31488.19"),
            minimum_stock=D("3"), default_supplier_id="SZALL-007", supplier_item_number="GR-PRO-220",
        ),
        created_at=at(13, 5),
    ),
    catalog.ProductPriceChanged(
        sku="KO-1001", net_price=D("11015.75"), gross_price=D("13990.00"), previous_net_price=D("10228.35"),
        price_version=4, changed_at=at(13, 10),
    ),
    fulfilment.OrderPacked(
        shop_id=SHOP, shop_order_id=SHOP_ORDER_ID, order_number=ORDER_NUMBER, warehouse_id=WAREHOUSE,
        packed_by="nagy.zsofia", packed_at=at(14, 20),
    ),
    fulfilment.OrderShipped(
        shop_id=SHOP, shop_order_id=SHOP_ORDER_ID, order_number=ORDER_NUMBER, carrier="GLS",
        tracking_number="GLS-00123456789", shipped_at=at(16, 0),
    ),
)
