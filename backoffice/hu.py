"""Hungarian texts of the back office, keyed by their English original."""

HU: dict[str, str] = {
    # navigation and common words
    "Dashboard": "Áttekintés", "Orders": "Rendelések", "Fulfillable orders": "Teljesíthető rendelések",
    "Basket": "Kosár", "Invoices": "Számlák", "Stock": "Készlet", "Products": "Termékek",
    "Review queue": "Ellenőrzésre vár", "Shops": "Webshopok", "Sign in": "Belépés", "Sign out": "Kilépés",
    "User name": "Felhasználónév", "Password": "Jelszó", "Wrong user name or password.": "Hibás felhasználónév vagy jelszó.",
    "Change password": "Jelszócsere", "Current password": "Jelenlegi jelszó", "New password": "Új jelszó",
    "New password again": "Új jelszó még egyszer", "The current password is wrong.": "A jelenlegi jelszó hibás.",
    "The new password needs at least 8 characters, typed the same twice.":
        "Az új jelszó legalább 8 karakter legyen, kétszer ugyanúgy beírva.",
    "Password changed.": "A jelszó megváltozott.",
    "Back": "Vissza", "Back to the dashboard": "Vissza az áttekintéshez", "Back to the basket": "Vissza a kosárhoz",
    "Filter": "Szűrés", "Search": "Keresés", "Save": "Mentés", "Record": "Rögzítés", "all": "mind", "yes": "igen",
    "no": "nem", "open": "nyitott", "closed": "lezárt", "selected": "kijelölve", "Select all": "Összes kijelölése",
    "Something went wrong": "Valami nem sikerült", "The form has expired": "Az űrlap lejárt",
    "This form was open too long or came from elsewhere. Reload the page and try again.":
        "Az űrlap túl régóta volt nyitva, vagy máshonnan érkezett. Töltse be újra az oldalt, és próbálja újra.",
    "Check this field: {field}": "Ellenőrizze ezt a mezőt: {field}",
    # services and their failures
    "order sync": "rendelésletöltés", "stock ledger": "készletnyilvántartás", "webshop updates": "webshop-frissítés",
    "invoicing": "számlázás",
    "The {service} service cannot be reached right now. Check that polc is running, then try again.":
        "A(z) {service} szolgáltatás most nem érhető el. Ellenőrizze, hogy fut-e a polc, majd próbálja újra.",
    "Not found in the {service} service.": "Nem található a(z) {service} szolgáltatásban.",
    "The {service} service did not accept this: {detail}": "A(z) {service} szolgáltatás ezt nem fogadta el: {detail}",
    "The {service} service ran into an error. Try again; if it keeps failing, look at its log.":
        "A(z) {service} szolgáltatásban hiba történt. Próbálja újra; ha nem javul, nézze meg a naplóját.",
    # dashboard and sync
    "Sync all shops now": "Minden webshop szinkronizálása most", "Shop": "Webshop",
    "Last successful sync": "Utolsó sikeres szinkron", "Next sync": "Következő szinkron", "Sync error": "Szinkronhiba",
    "In review": "Ellenőrzésre vár", "Pending shop writes": "Webshopba küldendő", "E-mail failures": "Sikertelen e-mail",
    "Sync now": "Szinkron most", "disabled": "kikapcsolva", "enabled": "bekapcsolva", "No shops yet.": "Még nincs webshop.",
    "Add a shop": "Webshop hozzáadása", "Invoices whose e-mail failed": "Számlák, amelyek e-mailje nem ment el",
    "Webshop updates": "Webshop-frissítés",
    "Writing to the shop fails; polc retries by itself.": "A webshopba írás nem sikerül; a polc magától újrapróbálja.", "No enabled shop to sync.": "Nincs bekapcsolt webshop.",
    "Sync": "Szinkron", "State": "Állapot", "Result": "Eredmény", "Syncing…": "Szinkronizálás…", "Done": "Kész",
    "Failed": "Sikertelen", "New orders": "Új rendelések", "changed": "módosult", "to review": "ellenőrzendő",
    "The sync failed.": "A szinkron nem sikerült.",
    "The shop refused the credentials: check the client id and secret on the shop's page.":
        "A webshop nem fogadta el a belépési adatokat: ellenőrizze a client id-t és a secretet a webshop oldalán.",
    "The shop could not be reached; polc tries again by itself.": "A webshop nem érhető el; a polc magától újrapróbálja.",
    "The shop asked polc to slow down; polc tries again by itself.":
        "A webshop lassítást kért; a polc magától újrapróbálja.",
    "The shop answered something polc does not understand; see the detail.":
        "A webshop olyan választ adott, amit a polc nem ért; lásd a részleteket.",
    # orders
    "number, customer, e-mail, invoice": "szám, vevő, e-mail, számla", "not invoiced": "nem számlázott",
    "invoiced": "számlázott", "{n} orders": "{n} rendelés", "Number": "Szám", "Customer": "Vevő", "Status": "Állapot",
    "Total": "Összesen", "Received": "Letöltve", "Invoice": "Számla", "No orders match.": "Nincs ilyen rendelés.",
    "page {page} of {pages}": "{page}. oldal / {pages}", "newer": "újabbak", "older": "régebbiek",
    "carrier": "futárszolgálat", "parcel number": "csomagszám", "Handed to carrier": "Futárnak átadva",
    "Marked as handed to the carrier; the shop's status follows.":
        "Futárnak átadottként jelölve; a webshop állapota követi.",
    "Not marked: the order is cancelled or was handed over before.":
        "Nincs jelölve: a rendelés törölt, vagy már korábban átadták.",
    "Order": "Rendelés", "and e-mail it": "és e-mailben elküldve", "Invoice now": "Számlázás most",
    "To basket": "Kosárba", "in the basket": "kosárban", "Header": "Fejléc",
    "Shop order code": "Webshop rendelésszám", "Placed": "Leadva", "Warehouse": "Raktár", "Header note": "Fejléc megjegyzés",
    "Internal note": "Belső megjegyzés", "Name": "Név", "Company": "Cég", "E-mail": "E-mail", "Phone": "Telefon",
    "Billing address": "Számlázási cím", "Shipping address": "Szállítási cím", "Payment and shipping": "Fizetés és szállítás",
    "Payment method": "Fizetési mód", "Paid": "Fizetve", "Shipping method": "Szállítási mód", "storno": "sztornó",
    "invoice": "számla", "being made…": "készül…", "Lines": "Tételek", "SKU": "Cikkszám", "Quantity": "Mennyiség",
    "Gross unit price": "Bruttó egységár", "VAT": "ÁFA", "Gross": "Bruttó",
    "The invoice is being made; it shows up here in a few seconds.":
        "A számla készül; néhány másodperc múlva itt megjelenik.",
    "The order was put in the basket.": "A rendelés a kosárba került.",
    # fulfilment
    "Open orders not yet invoiced. An order is fulfillable when the warehouse has enough of every product on it.":
        "Nyitott, még nem számlázott rendelések. Egy rendelés akkor teljesíthető, ha minden tételéből van elég a raktárban.",
    "{n} of {total} fulfillable.": "{total} rendelésből {n} teljesíthető.", "Show": "Mutat",
    "fulfillable": "teljesíthető", "not fulfillable": "nem teljesíthető", "Pick summary": "Szedési összesítő",
    "Packing summary (PDF)": "Csomagolási összesítő (PDF)", "What to purchase": "Mit kell beszerezni",
    "Click: select · Shift-click: range · Ctrl-click: add or remove":
        "Kattintás: kijelölés · Shift+kattintás: tartomány · Ctrl+kattintás: hozzáad vagy elvesz",
    "Fulfillable": "Teljesíthető", "packed": "csomagolva", "No open orders.": "Nincs nyitott rendelés.",
    "Orders": "Rendelések", "Not fulfillable, left out": "Nem teljesíthető, kimaradt",
    "What must be purchased": "Amit be kell szerezni", "Needed": "Szükséges", "Available": "Elérhető",
    "Incoming": "Beérkező", "To purchase": "Beszerzendő", "Supplier": "Szállító",
    "Supplier's item number": "Szállítói cikkszám",
    "Nothing to purchase: the selected orders are fulfillable.":
        "Nem kell semmit beszerezni: a kijelölt rendelések teljesíthetők.",
    "Record a purchase order": "Szállítói rendelés rögzítése", "Select at least one order first.": "Előbb jelöljön ki legalább egy rendelést.",
    "{n} orders moved to the basket.": "{n} rendelés a kosárba került.",
    "{n} orders are on their way to the basket; they show up in a few seconds.":
        "{n} rendelés úton van a kosárba; néhány másodperc múlva megjelenik.",
    "Moved {n} orders": "{n} rendelés áthelyezve",
    # basket and batches
    "Orders waiting to be invoiced. Invoice them all in one batch, then e-mail the invoices in one batch.":
        "Számlázásra váró rendelések (kosár). Egy lépésben mind számlázható, majd a számlák egy lépésben e-mailezhetők.",
    "Invoice all ({n})": "Mind számlázása ({n})", "e-mail them right after": "utána rögtön e-mailben is",
    "Added": "Hozzáadva", "By": "Ki", "Take out of the basket": "Kivétel a kosárból",
    "The basket is empty. Put orders in it from the fulfillable orders.":
        "A kosár üres. A teljesíthető rendelések közül tehet bele.",
    "Recent batches": "Legutóbbi kötegek", "Invoicing": "Számlázás", "{n} orders taken out of the basket.":
        "{n} rendelés kikerült a kosárból.",
    "Batch": "Köteg", "Invoicing the basket": "A kosár számlázása", "E-mailing invoices": "Számlák e-mailezése",
    "Starting…": "Indul…", "{done} of {total} orders invoiced": "{total} rendelésből {done} számlázva",
    "{done} of {total} e-mails sent": "{total} e-mailből {done} elküldve", "{n} failed": "{n} sikertelen",
    "{n} skipped (sent before)": "{n} kihagyva (korábban elküldve)", "e-mails sent: {n}": "elküldött e-mail: {n}",
    "Finished.": "Kész.", "Orders that could not be invoiced": "Nem számlázható rendelések", "Reason": "Ok",
    "E-mails that failed": "Sikertelen e-mailek", "Address": "Cím", "E-mail all": "Mind e-mailezése", "PDF": "PDF",
    "sent": "elküldve", "failed": "sikertelen", "queued": "sorban áll", "not sent": "nincs elküldve",
    "The buyer's data is not enough for an invoice (a company needs a valid tax number).":
        "A vevő adatai nem elegendők a számlához (cégnél érvényes adószám kell).",
    "The order is cancelled or closed.": "A rendelés törölve vagy lezárva.",
    "The order already has an invoice.": "A rendelésnek már van számlája.",
    "A line has a VAT rate an invoice cannot carry; fix the product's VAT key.":
        "Egy tétel ÁFA-kulcsa számlán nem szerepelhet; javítsa a termék ÁFA-kulcsát.",
    "The invoice could not be made.": "A számla nem készült el.",
    "The customer has no e-mail address.": "A vevőnek nincs e-mail címe.",
    "The mail server refused the address.": "A levelezőszerver elutasította a címet.",
    "The mail server could not be reached.": "A levelezőszerver nem érhető el.",
    "The mail server did not answer in time.": "A levelezőszerver nem válaszolt időben.",
    "The e-mail could not be sent.": "Az e-mail nem ment el.",
    # invoices
    "invoice number or order": "számlaszám vagy rendelés", "Kind": "Fajta", "Issued": "Kiállítva",
    "No invoices match.": "Nincs ilyen számla.", "also those sent before": "a korábban elküldötteket is",
    "E-mail the selected": "Kijelöltek e-mailezése", "{n} invoices": "{n} számla", "Open PDF": "PDF megnyitása",
    "E-mail again": "E-mail újra", "Buyer": "Vevő", "Due": "Fizetési határidő", "Cancels": "Sztornózza",
    "Cancelled by": "Sztornózta", "Attempts": "Próbálkozások", "Sent": "Elküldve", "Error": "Hiba",
    "Storno": "Sztornó", "Cancel this invoice with a storno invoice?": "Sztornózza ezt a számlát?",
    "put the goods back in stock": "az áru visszakerül a készletre", "The PDF is being made.": "A PDF készül.",
    "The invoice is being e-mailed again.": "A számla e-mailje újra elindult.",
    "Give the reason of the storno.": "Adja meg a sztornó okát.",
    "The storno invoice is being made; it shows up on this page in a few seconds.":
        "A sztornó számla készül; néhány másodperc múlva megjelenik ezen az oldalon.",
    # stock
    "Stock quantity report": "Készletkimutatás", "Goods receipt": "Bevételezés", "Purchase order": "Szállítói rendelés",
    "Export CSV": "CSV export",
    "Free = physical − reserved by open orders. To purchase = minimum + reserved − physical − incoming, when above zero.":
        "Szabad = fizikai − nyitott rendelések foglalása. Beszerzendő = minimum + foglalt − fizikai − beérkező, ha nagyobb nullánál.",
    "SKU starts with": "Cikkszám eleje", "supplier columns": "szállítói oszlopok",
    "only what must be purchased": "csak a beszerzendők", "only below minimum": "csak a minimum alattiak",
    "Physical": "Fizikai", "Reserved": "Foglalt", "Free": "Szabad", "Minimum": "Minimum",
    "No stock recorded yet.": "Még nincs rögzített készlet.",
    "Goods arrived from a supplier: the physical stock rises and the shops show it.":
        "Szállítótól beérkezett áru: a fizikai készlet nő, és a webshopok is mutatják.",
    "Goods ordered from a supplier: they count as incoming until received.":
        "Szállítótól rendelt áru: beérkezésig beérkezőként számít.",
    "Document number": "Bizonylatszám", "Received on": "Beérkezés napja", "Expected on": "Várható érkezés",
    "Supplier's delivery note or invoice": "Szállítólevél vagy szállítói számla", "Fulfils purchase order": "Szállítói rendelés",
    "Net unit cost": "Nettó beszerzési ár", "Add line": "Új sor", "New supplier": "Új szállító",
    "Supplier id": "Szállító azonosító", "New warehouse": "Új raktár", "Warehouse id": "Raktár azonosító",
    "Goods receipt {id} recorded; the shops get the new stock in a few seconds.":
        "A(z) {id} bevételezés rögzítve; a webshopok néhány másodpercen belül megkapják az új készletet.",
    "Purchase order {id} recorded; its goods count as incoming.":
        "A(z) {id} szállítói rendelés rögzítve; az áru beérkezőként számít.",
    "Supplier saved.": "Szállító mentve.", "Warehouse saved.": "Raktár mentve.",
    # products
    "Net price": "Nettó ár", "Origin": "Eredet", "back office": "ügyviteli rendszer", "No products yet.": "Még nincs termék.",
    "New product": "Új termék", "It is created in the shops too, with this SKU.": "A webshopokban is létrejön, ezzel a cikkszámmal.",
    "Unit": "Egység", "Minimum stock": "Minimális készlet", "Default supplier": "Alapértelmezett szállító",
    "service (not kept in stock)": "szolgáltatás (nincs készleten)", "Create product": "Termék létrehozása",
    "In the webshops": "A webshopokban", "Stock shown": "Mutatott készlet", "Price": "Ár", "Updated": "Frissítve",
    "Waiting": "Várakozik", "Selling price": "Eladási ár", "Save price": "Ár mentése", "Purchasing": "Beszerzés",
    "Product {sku} created; the shops get it in a few seconds.":
        "A(z) {sku} termék létrejött; a webshopok néhány másodpercen belül megkapják.",
    "Price saved; the shops get it in a few seconds.": "Az ár mentve; a webshopok néhány másodpercen belül megkapják.",
    "Product saved.": "Termék mentve.",
    # review
    "Orders that could not be imported. Fix the cause; the order then flows in by itself.":
        "Rendelések, amelyeket nem sikerült betölteni. Javítsa az okot, és a rendelés magától betöltődik.",
    "imported": "betöltve", "dismissed": "elvetve",
    "The shop uses a VAT name the back office does not know. Map it to a VAT key below.":
        "A webshop olyan ÁFA-nevet használ, amelyet az ügyviteli rendszer nem ismer. Rendelje hozzá egy ÁFA-kulcshoz lent.",
    "The guest's name and e-mail match several registered customers.":
        "A vendég neve és e-mail címe több regisztrált vevőre is illik.",
    "A line is a service the back office does not know. Add it as a service item below.":
        "Egy tétel olyan szolgáltatás, amelyet az ügyviteli rendszer nem ismer. Vegye fel szolgáltatásként lent.",
    "A product of the order could not be found in the shop.": "A rendelés egyik terméke nem található a webshopban.",
    "The shop sent data polc cannot read; see the detail.": "A webshop olyan adatot küldött, amit a polc nem tud olvasni; lásd a részleteket.",
    "The order's total differs from the sum of its lines.": "A rendelés végösszege eltér a tételek összegétől.",
    "Difference (shop minus lines)": "Eltérés (webshop mínusz tételek)", "First seen": "Először látva",
    "attempts": "próbálkozás", "VAT name in the shop": "ÁFA-név a webshopban", "rate": "kulcs", "exempt": "mentes",
    "out of scope": "hatályon kívüli", "reverse charge": "fordított adózás", "no VAT charged": "ÁFA nem kerül felszámításra",
    "Rate %": "Kulcs %", "NAV case": "NAV eset", "Map VAT name": "ÁFA-név hozzárendelése", "Known VAT keys": "Ismert ÁFA-kulcsok",
    "Service name": "Szolgáltatás neve", "other": "egyéb", "shipping fee": "szállítási díj", "payment fee": "fizetési díj",
    "Add service item": "Szolgáltatás felvétele", "Customers with this e-mail": "Vevők ezzel az e-mail címmel",
    "Merge or correct these customers in the shop, then retry.": "Vonja össze vagy javítsa ezeket a vevőket a webshopban, majd próbálja újra.",
    "Retry now": "Újrapróbálás most", "Never import this order?": "Soha ne töltődjön be ez a rendelés?", "note": "megjegyzés",
    "Dismiss": "Elvetés", "Nothing waits for review.": "Nincs ellenőrzésre váró rendelés.",
    "VAT name {name} mapped; {n} shops' held orders are being imported again.":
        "A(z) {name} ÁFA-név hozzárendelve; {n} webshop visszatartott rendelései újra betöltődnek.",
    "Service item {name} added; held orders are being imported again.":
        "A(z) {name} szolgáltatás felvéve; a visszatartott rendelések újra betöltődnek.",
    "The order is being imported again.": "A rendelés újra betöltődik.",
    "The order was dismissed; it will not be imported.": "A rendelés elvetve; nem töltődik be.",
    # shops
    "API address": "API cím", "Number series": "Sorszámtartomány", "Sync interval": "Szinkron gyakorisága",
    "{n} min": "{n} perc", "Shop id (a-z, 0-9, -)": "Webshop azonosító (a-z, 0-9, -)",
    "Warehouse its orders reserve from": "Raktár, amelyből a rendelései foglalnak",
    "own series when empty": "üresen saját sorszámtartomány", "Prefix of a new series": "Új sorszámtartomány előtagja",
    "Sync interval (seconds)": "Szinkron gyakorisága (másodperc)", "enabled (synced on schedule)": "bekapcsolva (ütemezett szinkron)",
    "ShopRenter API access": "ShopRenter API hozzáférés", "Sign-in method": "Belépés módja",
    "API user (user name + password)": "API felhasználó (név + jelszó)", "Token address": "Token cím",
    "unchanged": "változatlan", "API user name": "API felhasználónév", "API password": "API jelszó",
    "or: environment variable holding the secret": "vagy: a titkot tartalmazó környezeti változó",
    "Secrets are never shown again; leave them empty to keep the stored ones.":
        "A titkok soha nem jelennek meg újra; üresen hagyva a tároltak maradnak.",
    "Stock and prices in the webshop": "Készlet és árak a webshopban",
    "Safety buffer (kept back from the stock the shop shows)": "Biztonsági tartalék (ennyivel kevesebbet mutat a webshop)",
    "Create products made in the back office": "Az ügyviteli rendszerben létrehozott termékek létrehozása",
    "yes, those meant for this shop": "igen, az ennek a webshopnak szántakat", "never": "soha",
    "Sync orders before lowering stock": "Rendelések letöltése készletcsökkentés előtt",
    "yes (no overselling)": "igen (nincs túlértékesítés)",
    "Shop {shop} added. Its first sync starts within a few seconds.":
        "A(z) {shop} webshop hozzáadva. Az első szinkron néhány másodpercen belül indul.",
    "Shop settings saved.": "Webshop beállítások mentve.", "Webshop update settings saved.": "Webshop-frissítési beállítások mentve.",
    # order status write-back
    "Order status in the webshop": "Rendelésállapot a webshopban",
    "When the back office invoices, packs, ships or cancels an order, the shop order gets the status chosen here (an invoice also writes its number). Events without a status write nothing.":
        "Amikor a back office számláz, csomagol, feladja vagy törli a rendelést, a webshopban a rendelés az itt "
        "választott állapotot kapja (a számla a számlaszámot is beírja). Állapot nélküli eseményre semmi nem íródik.",
    "Invoiced": "Számlázva", "Packed": "Csomagolva", "Handed to the carrier": "Futárnak átadva", "Cancelled": "Törölve",
    "(nothing is written)": "(nem íródik semmi)",
    "The shop's order statuses have not been downloaded yet.": "A webshop rendelésállapotai még nincsenek letöltve.",
    "Download the shop's order statuses": "A webshop rendelésállapotainak letöltése",
    "Order status mapping saved.": "A rendelésállapotok hozzárendelése mentve.",
    "The shop's order statuses were downloaded.": "A webshop rendelésállapotai letöltve.",
}
