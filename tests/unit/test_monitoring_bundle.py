"""deploy/monitoring: Prometheus config and alert rules (checked and unit-tested by promtool),
runbook links that land on README headings, Grafana provisioning and dashboard JSON."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
PROMETHEUS = MONITORING / "prometheus"
DASHBOARD = MONITORING / "grafana" / "dashboards" / "newsalert.json"
# Names the services export; `up` is written by Prometheus itself for every target.
METRIC = re.compile(r"\b(?:newsalert|process|python|faststream)_[a-z0-9_]+\b")


def promtool() -> str:
    """Path of promtool (Debian package `prometheus`, which .ci/run installs)."""
    found = shutil.which("promtool")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("promtool missing: .ci/run installs the Debian package prometheus")
        pytest.skip("promtool not installed (apt-get install prometheus)")
    return found


def rules() -> list[dict[str, Any]]:
    """Every alerting rule of alerts.yml."""
    doc = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    """The PromQL of every panel target of the Grafana dashboard."""
    doc = json.loads(DASHBOARD.read_text())
    return [t["expr"] for p in doc["panels"] if p["type"] != "row" for t in p["targets"]]


def referenced_metrics() -> set[str]:
    """Metric names that the alert rules and the dashboard query."""
    exprs = [r["expr"] for r in rules()] + dashboard_exprs()
    return {name for expr in exprs for name in METRIC.findall(expr)}


@pytest.mark.parametrize("args", [["check", "config", "prometheus.yml"],
                                  ["check", "rules", "alerts.yml"],
                                  ["test", "rules", "alerts_test.yml"]])
def test_promtool_accepts_config_and_rules_fire_on_synthetic_series(args: list[str]) -> None:
    """promtool validates the scrape config and rules; every alert fires in alerts_test.yml."""
    done = subprocess.run([promtool(), *args], cwd=PROMETHEUS, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout + done.stderr


def test_every_alert_has_a_firing_case_and_a_runbook_heading() -> None:
    """Each alert is exercised by alerts_test.yml and links to a heading of the README."""
    tests = yaml.safe_load((PROMETHEUS / "alerts_test.yml").read_text())["tests"]
    fired = {case["alertname"] for test in tests for case in test["alert_rule_test"]
             if case["exp_alerts"]}
    readme = (ROOT / "README.md").read_text()
    anchors = {re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
               for line in readme.splitlines() if line.startswith("#")}
    for rule in rules():
        assert rule["alert"] in fired, rule["alert"]
        url = rule["annotations"]["runbook_url"]
        assert url.split("#", 1)[1] in anchors, url
        assert rule["labels"]["severity"] in ("critical", "warning", "info")


def test_dashboard_loads_and_covers_the_pipeline() -> None:
    """The dashboard is valid JSON on the provisioned data source, with the required panels."""
    doc = json.loads(DASHBOARD.read_text())
    source = yaml.safe_load((MONITORING / "grafana" / "provisioning" / "datasources" /
                             "prometheus.yml").read_text())["datasources"][0]
    panels = [p for p in doc["panels"] if p["type"] != "row"]
    assert doc["uid"] == "newsalert" and len({p["id"] for p in doc["panels"]}) == len(
        doc["panels"])
    assert all(p["datasource"]["uid"] == source["uid"] and p["targets"] for p in panels)
    titles = " | ".join(p["title"].lower() for p in panels)
    for needed in ("lag", "throughput per stage", "tags per hour",
                   "deliveries by channel and outcome", "feed", "end-to-end latency"):
        assert needed in titles, needed
    exprs = " ".join(dashboard_exprs())
    assert "newsalert_items_published_total" in exprs and "newsalert_stream_lag" in exprs


def test_compose_mounts_the_bundle() -> None:
    """The monitoring profile mounts exactly these files where the configs expect them."""
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())["services"]
    provider = yaml.safe_load((MONITORING / "grafana" / "provisioning" / "dashboards" /
                               "newsalert.yml").read_text())["providers"][0]
    prometheus, grafana = compose["prometheus"], compose["grafana"]
    assert prometheus["profiles"] == grafana["profiles"] == ["monitoring"]
    assert "./monitoring/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert f"./monitoring/grafana/dashboards:{provider['options']['path']}:ro" in \
        grafana["volumes"]
    assert "--config.file=/etc/prometheus/prometheus.yml" in prometheus["command"]
    scrape = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())["scrape_configs"][0]
    targets = {(name, sd["port"]) for sd in scrape["dns_sd_configs"] for name in sd["names"]}
    assert targets == {("poller", 9101), ("classifier", 9102), ("notifier", 9103)}
    assert {"poller", "classifier", "notifier"} <= set(compose)
