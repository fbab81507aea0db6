"""Every metric the dashboard and the alert rules query is on the services' real /metrics."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_ops_metrics import (  # the three-service pipeline of the O1 test
    _pipeline,  # noqa: F401  (fixture)
    ready,
    run_to_settled,
    scrape,
)
from tests.pipeline import COMPOSE
from tests.servers import free_port
from tests.support import eventually_sync
from tests.unit.test_monitoring_bundle import referenced_metrics

pytestmark = pytest.mark.slow


def parse_size(text: str) -> float:
    """Compose's memory size ("512M", "1G") in bytes."""
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return float(text[:-1]) * units[text[-1].upper()] if text[-1].isalpha() else float(text)


def test_dashboard_and_rules_query_exported_metrics(pipeline: dict[str, Any],
                                                    redis_url: str) -> None:
    """After real polls, classifications and deliveries, the union of the three services'
    /metrics holds every queried name, process_/python_ series and no _created series; each
    service's resident memory is under half its compose memory limit."""
    client = redis_sync.Redis.from_url(redis_url)
    run_to_settled(pipeline, client)
    client.close()
    # An invalid edit (rejected, previous config kept) brings out the config-reload series.
    config = pipeline["config"]
    config.write_text(config.read_text() + "no_such_key: 1\n")
    eventually_sync(lambda: 'outcome="rejected"' in scrape(pipeline["ports"]["notifier"])[1],
                    30, what="the rejected edit counted")
    exported: set[str] = set()
    limits = yaml.safe_load(COMPOSE.read_text())["services"]
    for name, port in pipeline["ports"].items():
        status, text = scrape(port)
        assert status == 200
        families = list(text_string_to_metric_families(text))
        exported |= {s.name for f in families for s in f.samples}
        rss = next(s.value for f in families for s in f.samples
                   if s.name == "process_resident_memory_bytes")
        limit = limits[name]["deploy"]["resources"]["limits"]["memory"]
        assert rss < parse_size(limit) / 2, (name, rss, limit)  # headroom for real traffic
    missing = referenced_metrics() - exported
    assert not missing, sorted(missing)
    assert {"process_resident_memory_bytes", "process_cpu_seconds_total",
            "python_gc_collections_total", "python_info"} <= exported
    assert not [name for name in exported if name.endswith("_created")]


def test_healthcheck_probe_follows_readiness(pipeline: dict[str, Any]) -> None:
    """``newsalert-healthcheck PORT`` (compose's and the image's probe) exits 0 on a ready
    service and 1 where nothing answers."""
    ready(pipeline["ports"])
    probe = str(Path(sys.executable).parent / "newsalert-healthcheck")
    for port in pipeline["ports"].values():
        assert subprocess.run([probe, str(port)], timeout=30, check=False).returncode == 0
    assert subprocess.run([probe, str(free_port())], timeout=30, check=False).returncode == 1
