"""End to end: feed → poller → classifier → notifier → history → dashboard, as processes."""

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.integration.test_pipeline_e2e import _config, _feed
from tests.pipeline import compose_command, compose_services, start, stop, write_config
from tests.servers import HttpServer, Route, free_port
from tests.support import eventually_sync

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _delivered_alert(base: str) -> dict[str, object] | None:
    """The newest alert in the web API once it has a delivery (None before that)."""
    try:
        items = httpx.get(base + "/api/events", timeout=5).json()["items"]
    except httpx.HTTPError:
        return None
    return dict(items[0]) if items and items[0]["deliveries"] else None


def _wait_for_alert(base: str, timeout: float = 60) -> dict[str, object]:
    return eventually_sync(lambda: _delivered_alert(base), timeout,
                           what="a delivered alert in the web API")


def test_run_serves_the_dashboard_with_the_delivered_alert(
        tmp_path: Path, http_server: Callable[[Route], HttpServer],
        webhook_sink: HttpServer) -> None:
    """``newsalert run`` also serves the web API; the seed story shows there as delivered."""
    port = free_port()
    data = _config(_feed(http_server), webhook_sink, None, tmp_path / "data")
    config = write_config(tmp_path / "config.yaml", {**data, "web": {"port": port}})
    proc = start([*compose_command("poller")[:-1], "run"], config, tmp_path / "run.log")
    try:
        alert = _wait_for_alert(f"http://127.0.0.1:{port}")
        page = httpx.get(f"http://127.0.0.1:{port}/events/{alert['id']}", timeout=5)
    finally:
        code = stop(proc)
    assert "Kataib Hezbollah" in str(alert["title"])
    assert alert["deliveries"] == [{"subscription": "desk", "channel": "json", "outcome": "sent"}]
    assert page.status_code == 200 and "Kataib Hezbollah" in page.text
    assert code == 0, (tmp_path / "run.log").read_text()[-2000:]


def test_compose_web_service_reads_what_the_notifier_wrote(
        tmp_path: Path, redis_url: str, http_server: Callable[[Route], HttpServer],
        webhook_sink: HttpServer) -> None:
    """``newsalert web`` (compose's command) as its own process shows the pipeline's alert."""
    port = free_port()
    data = _config(_feed(http_server), webhook_sink, redis_url, tmp_path / "data")
    config = write_config(tmp_path / "config.yaml", {**data, "web": {"port": port}})
    web = start(compose_command("web"), config, tmp_path / "web.log")
    try:
        with compose_services(config, tmp_path) as codes:
            alert = _wait_for_alert(f"http://127.0.0.1:{port}")
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    finally:
        web_code = stop(web)
    assert "Kataib Hezbollah" in str(alert["title"])
    assert health.json() == {"status": "ok"}
    assert codes == {"classifier": 0, "notifier": 0, "poller": 0}
    assert web_code == 0, (tmp_path / "web.log").read_text()[-2000:]
