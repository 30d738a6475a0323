"""The operator's main day in a real browser, step by step, with a screenshot of every screen."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from playwright.async_api import BrowserContext, Page, expect

from tests.e2e.backoffice.harness import ADMIN_PASSWORD, ORDERS, SHOP, WAREHOUSE, Day

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
RECEIVED_SKU = "RUBIK-3X3"


class Shots:
    """Numbered full-page screenshots into ``folder`` (nothing when None)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder, self.n = folder, 0
        if folder:
            folder.mkdir(parents=True, exist_ok=True)

    async def take(self, page: Page, name: str) -> None:
        if self.folder:
            self.n += 1
            await page.screenshot(path=str(self.folder / f"{self.n:02d}-{name}.png"), full_page=True)


async def until(check, timeout_s: float = 60.0, interval_s: float = 0.3):
    """Poll an async check until it returns a truthy value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        value = await check()
        if value:
            return value
        assert loop.time() < deadline, f"not reached within {timeout_s}s (last {value!r})"
        await asyncio.sleep(interval_s)


async def reload_until(page: Page, selector: str, timeout_s: float = 60.0) -> None:
    """Reload the page until ``selector`` is on it (for screens fed by asynchronous services)."""
    async def there() -> bool:
        if await page.locator(selector).count():
            return True
        await page.reload()
        return False
    await until(there, timeout_s, 0.5)


async def log_in(page: Page, day: Day, shots: Shots) -> None:
    await page.goto(day.backoffice_url + "/")
    await expect(page).to_have_url(f"{day.backoffice_url}/login?next=%2F")
    await shots.take(page, "login")
    await page.fill("input[name=username]", "admin")
    await page.fill("input[name=password]", ADMIN_PASSWORD)
    await page.click("button[type=submit]")
    await expect(page.locator("h1")).to_have_text("Áttekintés")


async def sync_shop(page: Page, day: Day, shots: Shots) -> None:
    row = page.locator(f"#shops-status tr[data-shop={SHOP}]")
    await shots.take(page, "dashboard-before-sync")
    await row.locator("button.sync-now").click()
    await expect(page.locator("[data-state=done]")).to_be_visible(timeout=60_000)
    await expect(page.locator("b.received")).to_have_text(str(len(ORDERS)))
    await shots.take(page, "sync-done")
    await page.goto(day.backoffice_url + "/")
    await expect(row.locator(".last-sync")).not_to_have_text("–")
    await expect(row.locator(".last-error")).to_have_text("")


async def stock_up(day: Day) -> None:
    """The warehouse already holds goods for every ordered product (the morning's starting point)."""
    async def ledger_knows_orders() -> bool:
        orders = (await day.call("GET", "ledger", "/fulfilment/orders"))["orders"]
        return len(orders) == len(ORDERS)
    await until(ledger_knows_orders)
    skus = sorted({sku for _, lines in ORDERS for sku, _ in lines})
    await day.call("POST", "ledger", "/receipts", {
        "warehouse_id": WAREHOUSE, "receipt_id": "NYITO-1", "supplier_id": "NAGYKER", "received_on": "2025-01-02",
        "lines": [{"sku": s, "quantity": "10"} for s in skus], "requested_by": "test"})


async def fulfil(page: Page, context: BrowserContext, day: Day, shots: Shots) -> list[str]:
    await page.click("nav >> text=Teljesíthető rendelések")
    rows = page.locator("#fulfillable tbody tr.row")
    await expect(rows).to_have_count(len(ORDERS))
    await reload_until(page, "#fulfillable tbody tr.row.fulfillable >> nth=3")
    await rows.nth(0).click(position={"x": 200, "y": 8})
    await rows.nth(2).click(modifiers=["Shift"], position={"x": 200, "y": 8})
    await expect(page.locator("#selection-count")).to_have_text("3")
    await expect(page.locator("#fulfillable tr.selected")).to_have_count(3)
    await rows.nth(1).click(modifiers=["Control"], position={"x": 200, "y": 8})
    await expect(page.locator("#selection-count")).to_have_text("2")
    await rows.nth(1).click(modifiers=["Control"], position={"x": 200, "y": 8})
    await expect(page.locator("#selection-count")).to_have_text("3")
    chosen = [await r.get_attribute("data-key") for r in await page.locator("#fulfillable tr.selected").all()]
    await shots.take(page, "fulfillable-selected")

    await page.click("#btn-pick")
    await expect(page.locator("#pick-summary")).to_be_visible()
    await expect(page.locator("#fulfillable tr.selected")).to_have_count(3)
    await shots.take(page, "pick-summary")

    printed: list[tuple[int, str, bytes]] = []

    async def keep_pdf(route) -> None:  # the browser shows the PDF in its viewer; keep the bytes it got
        response = await route.fetch()
        printed.append((response.status, response.headers["content-type"], await response.body()))
        await route.fulfill(response=response)

    await context.route("**/fulfillable/packing.pdf", keep_pdf)
    async with context.expect_page() as popup:
        await page.click("#btn-packing")
    viewer = await popup.value
    await viewer.wait_for_load_state()
    await context.unroute("**/fulfillable/packing.pdf")
    status, content_type, body = printed[0]
    assert status == 200 and content_type == "application/pdf" and body.startswith(b"%PDF"), (status, body[:200])
    for extra in context.pages[1:]:
        await extra.close()

    await page.click("#btn-basket")
    await expect(page).to_have_url(day.backoffice_url + "/basket")
    await expect(page.locator("#basket tbody tr.row")).to_have_count(3)
    await shots.take(page, "basket")
    return chosen


async def invoice_and_email(page: Page, day: Day, shots: Shots, chosen: list[str]) -> None:
    await page.click("#invoice-all")
    await expect(page.locator("#batch-done")).to_be_visible(timeout=120_000)
    await expect(page.locator("#batch-invoices tbody tr")).to_have_count(3)
    await shots.take(page, "invoiced")
    await page.click("#email-all")
    await expect(page.locator("#batch-done")).to_be_visible(timeout=120_000)
    await expect(page.locator("#batch-invoices .email-status[data-status=sent]")).to_have_count(3)
    await shots.take(page, "emailed")

    async def mails_arrived():
        found = day.mails()
        return found if len(found) == 3 else None
    mails = await until(mails_arrived)
    addresses = {m["To"].addresses[0].addr_spec for m in mails}
    emails = await day.order_emails()
    expected = {emails[key] for key in chosen}
    assert addresses == expected, (addresses, expected)
    for mail in mails:
        pdfs = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF")

    first = page.locator("#batch-invoices tbody tr a").first
    await first.click()
    await expect(page.locator("#email-status")).to_contain_text("elküldve")
    await shots.take(page, "invoice")


async def receive_goods(page: Page, day: Day, shots: Shots) -> None:
    before = Decimal(await day.shop_stock(RECEIVED_SKU))
    await page.click("nav >> text=Készlet")
    await expect(page.locator(f"#stock-report tr[data-sku='{RECEIVED_SKU}']")).to_be_visible()
    await shots.take(page, "stock-report")
    await page.click("#new-receipt")
    await page.fill("input[name=supplier_id]", "NAGYKER")
    await page.locator("input[name=sku]").first.fill(RECEIVED_SKU)
    await page.locator("input[name=quantity]").first.fill("5")
    await page.locator("input[name=cost]").first.fill("2100")
    await shots.take(page, "goods-receipt")
    await page.click("#record-document")
    await expect(page).to_have_url(f"{day.backoffice_url}/products/{RECEIVED_SKU}")
    await expect(page.locator(".flash.ok")).to_be_visible()

    async def shop_shows_more() -> Decimal | None:
        now = Decimal(await day.shop_stock(RECEIVED_SKU))
        return now if now == before + 5 else None
    after = await until(shop_shows_more)
    await reload_until(page, f"#shop-stock tr[data-shop={SHOP}] td.shop-stock:text-is('{after.normalize():f}')")
    await shots.take(page, "product-in-shop")


async def other_screens(page: Page, day: Day, shots: Shots) -> None:
    """The screens the day did not pass through, for the screenshots."""
    for path, name in (("/orders", "orders"), ("/invoices", "invoices"), ("/products", "products"),
                       ("/review", "review"), ("/shops", "shops"), (f"/shops/{SHOP}", "shop"),
                       ("/stock/purchase-orders/new", "purchase-order"), ("/", "dashboard")):
        await page.goto(day.backoffice_url + path)
        await shots.take(page, name)
    await page.goto(day.backoffice_url + "/orders")
    await page.locator("#orders tbody tr td:first-child a").first.click()
    await expect(page.locator("#order-lines")).to_be_visible()
    await shots.take(page, "order")
    await page.click("#lang-switch")
    await expect(page.locator("h1")).to_contain_text("Order")
    await shots.take(page, "order-english")
    await page.click("#lang-switch")


async def walk_the_day(page: Page, context: BrowserContext, day: Day, shots_folder: Path | None = None) -> None:
    shots = Shots(shots_folder)
    await day.add_shop()
    await day.first_sync_done()  # a new shop is polled at once; the orders below arrive after it
    await day.place_orders()
    await log_in(page, day, shots)
    await sync_shop(page, day, shots)
    await stock_up(day)
    chosen = await fulfil(page, context, day, shots)
    await invoice_and_email(page, day, shots, chosen)
    await receive_goods(page, day, shots)
    await other_screens(page, day, shots)
