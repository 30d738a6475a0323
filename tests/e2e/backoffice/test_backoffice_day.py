"""Acceptance of issue 8: the main day in real headless Chromium, from login to the shop's stock."""

from __future__ import annotations

import shutil

import pytest
from playwright.async_api import async_playwright

from tests.e2e.backoffice.walk import CHROMIUM_ARGS, walk_the_day

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [pytest.mark.broker, pytest.mark.slow,
              pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed")]


async def test_the_main_day_in_a_browser(day, tmp_path) -> None:
    """Log in, sync the shop, Shift-select fulfillable orders, print the packing summary, move them to
    the basket, invoice and e-mail all (mails arrive), record a goods receipt and see the shop's stock."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1360, "height": 900}, locale="hu-HU")
            page = await context.new_page()
            page.set_default_timeout(30_000)
            await walk_the_day(page, context, day, tmp_path / "shots")
        finally:
            await browser.close()
    assert len(list((tmp_path / "shots").glob("*.png"))) >= 15
