"""Seed data that looks like a small Hungarian shop: groceries, crafts, books, wine."""

from __future__ import annotations

from polc.shoprenter_sim.store import Coll, Ref, ShopState, money

HU = Ref("languages", 1)
# (inner id, name, rate)
TAX_CLASSES = [(10, "27%", "27"), (11, "18%", "18"), (12, "5%", "5"), (13, "AAM", "0")]
# (sku, name, net price, tax class, stock, subtracts stock)
PRODUCTS = [
    ("PICK-TSZ-500", "Pick téliszalámi, 500 g", 4720, 10, 40, True),
    ("KAL-PAP-100", "Kalocsai fűszerpaprika-őrlemény, édes, 100 g", 1180, 10, 120, True),
    ("TOK-ASZU5-05", "Tokaji Aszú 5 puttonyos, 0,5 l", 9440, 10, 18, True),
    ("RETES-TUR-4", "Házi túrós rétes (4 db)", 1690, 11, 25, True),
    ("SAJT-TRAP-1K", "Trappista sajt, 1 kg", 3380, 11, 30, True),
    ("TOJAS-10", "Friss tanyasi tojás (10 db)", 1140, 12, 60, True),
    ("MANG-KARAJ-1K", "Mangalica karaj, 1 kg", 5700, 12, 12, True),
    ("KONYV-NEPMESE", "Magyar népmesék – díszkiadás", 5710, 12, 15, True),
    ("TERITO-KAL-80", "Kalocsai hímzéses terítő, 80 cm", 12500, 13, 6, True),
    ("HER-BOGRE-VIK", "Herendi porcelán bögre – Viktória minta", 18110, 10, 8, True),
    ("ZSOL-VAZA-25", "Zsolnay eozin váza, 25 cm", 39370, 10, 4, True),
    ("RUBIK-3X3", "Rubik-kocka 3×3, eredeti", 3930, 10, 50, True),
    ("BAL-ROZE-24", "Balatoni rozé 2024, 0,75 l", 2750, 10, 36, True),
    ("GYULAI-KOLB-2", "Gyulai kolbász, 2 pár", 3540, 10, 22, True),
    ("AJANDEK-10K", "Ajándékutalvány 10 000 Ft", 10000, 13, 0, False),
]
# (first, last, email, phone, company, tax number, address1, postcode, city); the companies' tax
# numbers have a valid check digit, as a real shop's customers' do
REGISTERED = [
    ("Anna", "Kovács", "kovacs.anna@example.hu", "+36301234567", "", "", "Andrássy út 12.", "1061", "Budapest"),
    ("Péter", "Nagy", "nagy.peter@nagyestarsa.hu", "+36209876543", "Nagy és Társa Kft.", "12345676-2-09",
     "Piac utca 45.", "4024", "Debrecen"),
    ("Éva", "Szabó", "szabo.eva@example.hu", "+36705551234", "", "", "Kárász utca 8.", "6720", "Szeged"),
    ("Gábor", "Tóth", "toth.gabor@tothbt.hu", "+36304441122", "Tóth és Fia Bt.", "23456787-1-02",
     "Király utca 3.", "7621", "Pécs"),
    ("Zsófia", "Horváth", "horvath.zsofia@example.hu", "+36201112233", "", "", "Baross Gábor út 21.", "9022", "Győr"),
]
GUESTS = [
    ("László", "Fekete", "fekete.laszlo@example.hu", "+36309998877", "", "", "Fő tér 1.", "8000", "Székesfehérvár"),
    ("Katalin", "Varga", "rendeles@vargapekseg.hu", "+36703334455", "Varga Pékség Kft.", "34567898-2-13",
     "Szent István út 7.", "2000", "Szentendre"),
    ("Bence", "Kiss", "kiss.bence@example.hu", "+36205556677", "", "", "Széchenyi tér 5.", "3525", "Miskolc"),
    ("Júlia", "Molnár", "molnar.julia@example.hu", "+36306667788", "", "", "Rákóczi út 30.", "6000", "Kecskemét"),
]
# (inner id, code on the order, name, net fee)
PAYMENT_MODES = [(23, "COD", "Utánvétel", 390), (24, "BANK_TRANSFER", "Banki átutalás", 0),
                 (25, "BARION", "Bankkártyás fizetés (Barion)", 0)]
# (inner id, name, extension, shipping type, net cost, free from gross)
SHIPPING_MODES = [
    (84, "Házhozszállítás futárszolgálattal (GLS)", "GLSPARCELPOINT", "COURIER_SERVICE", 1490, 30000),
    (85, "Foxpost csomagautomata", "FOXPOST", "PARCEL_POINT", 990, 20000),
    (86, "Személyes átvétel – Budapest, Király u. 12.", "", "PERSONAL_RECEIPT", 0, 0),
]
# (inner id, name, color); 7 is the storno status
ORDER_STATUSES = [(1, "Függőben", "#ff9900"), (2, "Feldolgozás alatt", "#3399ff"),
                  (3, "Szállítás alatt", "#9966ff"), (5, "Teljesítve", "#33cc33"), (7, "Visszavonva", "#cc0000")]
# (code, type, percent, fixed net, free shipping)
COUPONS = [("NYAR10", "PERCENT", 10, 0, False), ("UDVOZLO1000", "FIXED", 0, 1000, False),
           ("INGYENSZALLITAS", "PERCENT", 0, 0, True)]


def seed_shop(state: ShopState) -> None:
    """Fill an empty shop with the catalogue, customers, modes and statuses."""
    state.insert("languages", {"innerId": "1", "code": "hu", "name": "Magyar", "status": "1"}, 1)
    state.insert("currencies", {"innerId": "4", "code": "HUF", "name": "Forint", "value": "1.00000000",
                                "decimalPlace": "0", "symbolRight": " Ft"}, 4)
    state.insert("customerGroups", {"innerId": "8", "name": "Vásárlók"}, 8)
    for inner, name, rate in TAX_CLASSES:
        state.insert("taxClasses", {"innerId": str(inner), "name": name, "description": f"ÁFA {name}",
                                    "taxRates": Coll("taxRates", "taxClassId", Ref("taxClasses", inner))}, inner)
        state.insert("taxRates", {"priority": "1", "rate": rate, "description": f"ÁFA {name}",
                                  "geoZone": {}, "taxClass": Ref("taxClasses", inner)}, inner + 80)
    for sku, name, price, tax, stock, subtract in PRODUCTS:
        _seed_product(state, sku, name, price, tax, stock, subtract)
    for person in REGISTERED:
        _seed_customer(state, person)
    state.extras["guests"] = GUESTS
    for inner, code, name, fee in PAYMENT_MODES:
        state.insert("paymentModes", {
            "innerId": str(inner), "code": code.lower(), "status": "1", "sortOrder": str(inner - 22),
            "geoZone": {}, "orderStatus": Ref("orderStatuses", 1),
            "paymentDescription": [{"name": name, "description": f"{name} – díja nettó {fee} Ft", "language": HU}],
            "_order_code": code, "_fee_net": fee}, inner)
    for inner, name, ext, kind, cost, free_from in SHIPPING_MODES:
        owner = Ref("shippingModes", inner)
        state.insert("shippingModes", {
            "innerId": str(inner), "sortOrder": str(inner - 83), "enabled": "1", "type": ext,
            "costCalculationBy": "PRICE", "freeShippingFrom": money(free_from), "shippingType": kind,
            "extension": ext, "taxClass": Ref("taxClasses", 10), "geoZone": {},
            "shippingModeDescriptions": [{"name": name, "description": name, "shippingMode": owner, "language": HU}],
            "shippingLanes": [{"innerId": str(inner * 10), "cartMinimumGross": money(0),
                               "cartMaximumGross": "99999999999.9999", "costNet": money(cost), "shippingMode": owner}],
        }, inner)
    for inner, name, color in ORDER_STATUSES:
        owner = Ref("orderStatuses", inner)
        state.insert("orderStatuses", {"orderStatusDescriptions": Coll(
            "orderStatusDescriptions", "orderStatusId", owner)}, inner)
        state.insert("orderStatusDescriptions", {"name": name, "color": color, "orderStatus": owner,
                                                 "language": HU}, inner)
    state.extras["storno_status_ids"] = (7,)
    for i, (code, kind, percent, fixed, free) in enumerate(COUPONS, start=1):
        state.insert("coupons", {
            "code": code, "discountType": kind, "percentDiscountValue": money(percent), "loginRequired": "0",
            "freeShipping": "1" if free else "0", "fixDiscountValue": money(fixed), "dateStart": "0000-00-00",
            "dateEnd": "0000-00-00", "totalNumberOfCoupons": "1000", "totalNumberOfCouponsPerCustomer": "1",
            "status": "1", "email": {}, "minOrderLimit": "0.00", "maxOrderLimit": "0.00", "targetType": "CATEGORY",
            "taxClass": Ref("taxClasses", 10),
            "couponDescriptions": Coll("couponDescriptions", "couponId", Ref("coupons", i))}, i)


def _seed_product(state: ShopState, sku: str, name: str, price: int, tax: int, stock: int, subtract: bool) -> None:
    inner = state.next_ids.get("products", 101)
    owner = Ref("products", inner)
    state.insert("products", {
        "innerId": str(inner), "sku": sku, "modelNumber": {}, "gtin": "", "orderable": "1", "price": money(price),
        "multiplier": "1.0000", "multiplierLock": "0", "loyaltyPoints": {}, "stock1": str(stock), "stock2": "0",
        "stock3": "0", "stock4": "0", "subtractStock": "1" if subtract else "0", "mainPicture": f"product/{sku}.jpg",
        "width": "0.00", "height": "0.00", "length": "0.00", "weight": "0.00", "status": "1", "shipped": "1",
        "minimalOrderNumber": "1", "maximalOrderNumber": "0", "availableDate": "0000-00-00", "quantity": "0.0000",
        "sortOrder": "0", "freeShipping": "0", "taxClass": Ref("taxClasses", tax), "parentProduct": None,
        "productDescriptions": Coll("productDescriptions", "productId", owner),
    }, inner)
    state.insert("productDescriptions", {"name": name, "metaTitle": name, "shortDescription": "",
                                         "description": f"<p>{name}</p>", "product": owner, "language": HU})


def _seed_customer(state: ShopState, person: tuple[str, ...]) -> None:
    first, last, email, phone, company, tax_number, street, postcode, city = person
    inner = state.next_ids.get("customers", 31)
    owner = Ref("customers", inner)
    address = state.insert("addresses", {
        "company": company, "firstname": first, "lastname": last, "taxNumber": tax_number,
        "type": "business" if company else "private", "address1": street, "address2": "", "postcode": postcode,
        "city": city, "telephone": phone, "customer": owner, "country": {}, "zone": None,
        "_country_name": "Magyarország"}, state.next_ids.get("addresses", 61))
    state.table("addresses")[address]["innerId"] = str(address)
    state.insert("customers", {
        "innerId": str(inner), "firstname": first, "lastname": last, "email": email, "telephone": phone,
        "fax": {}, "password": "$2y$10$simulatedhashsimulatedhashsimulatedhashsimulatedhas",
        "newsletter": "0", "status": "1", "approved": "1", "freeShipping": "0",
        "defaultAddress": Ref("addresses", address), "customerGroup": Ref("customerGroups", 8),
        "addresses": Coll("addresses", "customerId", owner),
        "loyaltyPoints": Coll("loyaltyPoints", "customerId", owner)}, inner)
