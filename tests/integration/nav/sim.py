"""Helpers of the NAV tests: a client of the simulator's demo user and InvoiceData to send."""

from __future__ import annotations

from dataclasses import replace

import httpx

from polc.nav_sim.runner import BackgroundNavSimulator
from services.invoicing.nav.client import NavClient
from services.invoicing.nav.messages import Credentials, Software

SOFTWARE = Software(software_id="HU10597190-POLC-01", name="polc", main_version="1.0", dev_name="polc",
                    dev_contact="dev@polc.local")


def credentials(nav: BackgroundNavSimulator, **override: str) -> Credentials:
    u = nav.user
    return replace(Credentials(login=u.login, password=u.password, signature_key=u.signature_key,
                               exchange_key=u.exchange_key, tax_number=u.tax_number), **override)


def client(nav: BackgroundNavSimulator, http: httpx.AsyncClient, **override: str) -> NavClient:
    return NavClient(http, nav.api_url, credentials(nav, **override), SOFTWARE)


def nav_settings(nav: BackgroundNavSimulator, **overrides: object) -> dict:
    """Invoicing settings that report to ``nav`` quickly (short polls, short recovery wait)."""
    u = nav.user
    return {"nav_enabled": True, "nav_url": nav.api_url, "nav_login": u.login, "nav_password": u.password,
            "nav_signature_key": u.signature_key, "nav_exchange_key": u.exchange_key, "nav_tax_number": u.tax_number,
            "nav_poll_interval_s": 0.2, "nav_batch_wait_s": 0.5, "nav_retry_delay_s": 0.5,
            "nav_recover_after_s": 1.0, "nav_request_timeout_s": 2.0, **overrides}
