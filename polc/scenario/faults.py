"""The faults the scenario runs under: killed processes, a lost broker, failing shops and a failing
mail server. Each is a coroutine that runs next to the scenario's work."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from polc.scenario.driver import Scenario


async def chaos(s: Scenario) -> None:
    """SIGKILL a random service process every few seconds and start it again.

    Runs until cancelled; once the orders are placed it keeps going until ``min_kills`` is reached.
    """
    config = s.config
    while True:
        await asyncio.sleep(s.rng.uniform(0.5, 1.5) * config.chaos_interval_s)
        alive = [p for p in s.stack.all_services() if p.alive()]
        if not alive:
            continue
        victim = s.rng.choice(alive)
        victim.kill()
        s.event(f"chaos: SIGKILL {victim.name} (kill #{sum(p.kills for p in s.stack.all_services())})")
        await asyncio.sleep(s.rng.uniform(0.2, 2.0))
        victim.start()


async def wait_kills(s: Scenario) -> None:
    """Keep the chaos loop's work going until the configured number of kills happened."""
    while s.config.chaos and sum(p.kills for p in s.stack.all_services()) < s.config.min_kills:
        await asyncio.sleep(1)


async def restart_dead(s: Scenario) -> None:
    """Every service process runs again (the chaos loop may have been cancelled mid-restart)."""
    for proc in s.stack.all_services():
        if not proc.alive():
            proc.start()
    await s.stack.wait_ready(timeout_s=180)


async def broker_loss(s: Scenario) -> None:
    """Restart Tansu at 40 % of the orders: the new broker has no topics, no offsets, no data."""
    await s.at_progress(0.4)
    s.event("broker loss: stopping Tansu (memory storage, everything is lost)")
    started = time.monotonic()
    await s.stack.restart_broker(down_s=5)
    s.event(f"broker loss: an empty Tansu is back after {time.monotonic() - started:.1f}s")


SHOP_FAULTS = {"p429": 0.08, "p500": 0.06, "p503": 0.06, "p504": 0.03, "p_timeout": 0.03, "timeout_seconds": 3.0,
               "p_malformed": 0.04}


async def shop_faults(s: Scenario) -> None:
    """30 % of every shop's API calls fail (429, 500, 503, 504, timeouts, truncated bodies) from
    20 % to 70 % of the orders, then the shops behave again."""
    await s.at_progress(0.2)
    for plan in s.plans:
        await s.api.sim("PUT", f"/_control/shops/{plan.shop_id}/faults", json=SHOP_FAULTS)
    s.event(f"shop faults on: {SHOP_FAULTS}")
    await s.at_progress(0.7)
    await asyncio.sleep(20)
    for plan in s.plans:
        await s.api.sim("PUT", f"/_control/shops/{plan.shop_id}/faults", json={})
    stats = (await s.api.sim("GET", "/_control/stats")).json()
    s.event("shop faults off; injected: " + ", ".join(f"{p.shop_id} {stats[p.shop_id]['faults_injected']}"
                                                      for p in s.plans))


async def smtp_faults(s: Scenario) -> None:
    """The mail server goes away (connections dropped, then refused) while batches are e-mailed."""
    inbox = s.stack.infra["smtp-inbox"]
    for round_ in range(3):
        while len(list(s.stack.mail.glob("*.eml"))) < (round_ + 1) * 5:
            if s.placing_done.is_set() and len(s.batches) >= s.config.invoice_rounds:
                break
            await asyncio.sleep(0.2)
        inbox.kill()
        s.event(f"SMTP fault {round_ + 1}: mail server killed mid-batch "
                f"({len(list(s.stack.mail.glob('*.eml')))} mails so far)")
        await asyncio.sleep(8)
        inbox.start()
        await asyncio.to_thread(inbox.wait_port, 30)
        s.event(f"SMTP fault {round_ + 1}: mail server back")
        await asyncio.sleep(5)
