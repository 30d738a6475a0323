"""The scenario in a reduced size, under fire, with every check: guards each change.

Three shops (two sharing a warehouse), a few hundred orders of every kind placed through the
ShopRenter simulator, goods receipts and purchase orders, price changes and new products, three
invoice batches e-mailed, and a chaos loop SIGKILLing service processes while it runs. The
checks are the full scenario's (see docs/proof.md).
"""

from __future__ import annotations

import json

import pytest

from polc.scenario import ScenarioConfig, run_scenario

pytestmark = [pytest.mark.slow]


def _explain(report) -> str:
    failures = json.dumps(report.failures(), ensure_ascii=False, indent=1, default=str)[:6000]
    return f"{failures}\nevents:\n" + "\n".join(report.events[-40:])


async def test_the_scenario_keeps_every_promise_while_processes_are_killed(tmp_path):
    config = ScenarioConfig(home=tmp_path / "scenario", orders=400, order_rate=10, chaos=True, chaos_interval_s=6,
                            min_kills=6, invoice_rounds=3, invoice_batch_max=40, settle_timeout_s=900,
                            stage_timeout_s=600)
    report = await run_scenario(config)
    assert report.ok, _explain(report)
    assert report.figures["kills"] >= 6
    assert len(report.checks) >= 13


async def test_bad_input_waits_in_review_and_blocks_nothing(tmp_path):
    config = ScenarioConfig(home=tmp_path / "scenario", orders=90, order_rate=10, bad_input=True, invoice_rounds=1,
                            invoice_batch_max=20, settle_timeout_s=300, stage_timeout_s=200, blocked_after_s=60)
    report = await run_scenario(config)
    assert report.ok, _explain(report)
