"""The operations files are valid and only use metrics that polc exports."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
METRIC = re.compile(r"\bpolc_[a-z0-9_]+")


def exported_metric_names() -> set[str]:
    """Every series name the code can expose, after importing all of polc and its services."""
    for package in ("polc", "services"):
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        if family.type == "counter":
            names.add(family.name + "_total")
        if family.type == "histogram":
            names.update(family.name + suffix for suffix in ("_bucket", "_sum", "_count"))
    return names


def alert_rules() -> list[dict]:
    document = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "polc-overview.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_alert_rules_are_complete_and_use_exported_metrics():
    rules = alert_rules()
    assert {"ShopNotSynced", "ConsumerLagGrowing", "DeadLetters", "InvoiceEmailFailures"} <= {r["alert"] for r in rules}
    exported = exported_metric_names()
    for rule in rules:
        assert rule["annotations"]["summary"] and rule["labels"]["severity"]
        used = set(METRIC.findall(rule["expr"]))
        assert used, rule["alert"]
        assert used <= exported, f"{rule['alert']} uses unexported {sorted(used - exported)}"


def test_dashboard_panels_use_exported_metrics():
    exprs = dashboard_exprs()
    assert len(exprs) >= 10
    exported = exported_metric_names()
    for expr in exprs:
        used = set(METRIC.findall(expr))
        assert used and used <= exported, f"{expr} uses unexported {sorted(used - exported)}"


def test_prometheus_config_loads_the_alert_rules():
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    assert {job["job_name"] for job in config["scrape_configs"]} == {"polc", "polc-kubernetes"}


@pytest.mark.parametrize("manifest", sorted((DEPLOY / "k8s").glob("*.yaml")), ids=lambda p: p.name)
def test_kubernetes_manifests_are_valid(manifest: Path):
    documents = [d for d in yaml.safe_load_all(manifest.read_text()) if d]
    assert documents
    for document in documents:
        kubernetes_validate.validate(document, kubernetes_validate.latest_version(), strict=True)


def test_every_service_has_probes_on_its_health_endpoints():
    for manifest in (DEPLOY / "k8s").glob("*.yaml"):
        for document in yaml.safe_load_all(manifest.read_text()):
            if document and document["kind"] == "Deployment":
                container = document["spec"]["template"]["spec"]["containers"][0]
                assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
                assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
                assert container["resources"]["requests"]


def test_docker_compose_file_is_valid():
    tool = shutil.which("docker-compose")
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail("docker-compose (Debian package) is needed to validate docker-compose.yml")
        pytest.skip("docker-compose not installed; `polc test` installs it where it can")
    result = subprocess.run([tool, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
