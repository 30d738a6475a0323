"""The proof under fire: the whole stack as processes, a scenario of shops, orders, stock,
invoices and catalogue changes, faults injected while it runs, and checks from outside."""

from polc.scenario.driver import Report, ScenarioConfig, run_scenario

__all__ = ["Report", "ScenarioConfig", "run_scenario"]
