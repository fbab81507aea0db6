"""End to end: five outlets report one strike, two other strikes the same day: three alerts."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from services.cli import main
from tests.pipeline import compose_services, wait_reports, write_config
from tests.servers import HttpServer, Route
from tests.support import eventually_sync, pipeline_drained

pytestmark = pytest.mark.slow
OUTLETS = ("Alpha Wire", "Beta News", "Gamma Post", "Delta Times", "Epsilon Daily")
HARBOUR = [
    ("Missile strike hits Port Kessler harbour in Norland, killing four",
     "A missile strike hit warehouses at the Port Kessler harbour on Tuesday morning, officials"
     " in Norland said. Four dock workers were killed."),
    ("Four killed as missile strikes Port Kessler harbour warehouses",
     "Norland officials said a missile struck harbour warehouses in Port Kessler on Tuesday,"
     " killing four workers."),
    ("Norland: missile attack on Port Kessler harbour leaves four dead",
     "Four people died when a missile hit the harbour warehouses of Port Kessler, Norland's"
     " interior ministry said on Tuesday."),
    ("Port Kessler harbour struck by missile, four dock workers killed",
     "A missile struck the warehouses of the Port Kessler harbour in Norland on Tuesday, killing"
     " four dock workers, local officials said."),
    ("Missile hits warehouses at Norland's Port Kessler harbour; four dead",
     "Four workers were killed on Tuesday when a missile hit warehouses at the harbour in Port"
     " Kessler, Norland officials said."),
]
POWER = [("Drones strike Velmar power station in Norland",
          "Two drones struck the Velmar power station in northern Norland on Tuesday, cutting"
          " electricity to thousands of homes."),
         ("Velmar power station hit by drone strike, Norland says",
          "Drones hit the power station in Velmar, northern Norland, on Tuesday and cut"
          " electricity to thousands of homes, officials said.")]
RAIL = [("Artillery shelling hits Dunmore rail depot in Norland",
         "Artillery shells hit the rail depot in Dunmore, in eastern Norland, on Tuesday,"
         " damaging locomotives, the railway company said."),
        ("Shelling damages locomotives at Dunmore rail depot",
         "Artillery shelling hit the Dunmore rail depot in eastern Norland on Tuesday; the railway"
         " company said several locomotives were damaged.")]
NOW = datetime.now(UTC).replace(microsecond=0)


def _item(outlet: int, slug: str, story: tuple[str, str], minutes: int) -> str:
    title, summary = story
    when = format_datetime(NOW - timedelta(hours=2) + timedelta(minutes=minutes), usegmt=True)
    return (f"<item><title>{title}</title><link>http://outlet{outlet}.test/{slug}</link>"
            f"<guid>outlet{outlet}-{slug}</guid><pubDate>{when}</pubDate>"
            f"<description>{summary}</description></item>")


def _feed_items(phase: int) -> list[list[str]]:
    """Phase 1: the first outlet's three reports; phase 2: every other outlet's reports too."""
    items: list[list[str]] = [[_item(0, "harbour", HARBOUR[0], 0),
                               _item(0, "power", POWER[0], 5), _item(0, "rail", RAIL[0], 10)]]
    items += [[] for _ in OUTLETS[1:]]
    if phase == 2:
        for i in range(1, len(OUTLETS)):
            items[i].append(_item(i, "harbour", HARBOUR[i], 20 + i))
        items[3].append(_item(3, "power", POWER[1], 30))
        items[4].append(_item(4, "rail", RAIL[1], 35))
    return items


def _serve(http_server: Callable[[Route], HttpServer], phase: list[int]) -> HttpServer:
    def route(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        index = int(path.strip("/").split(".")[0].removeprefix("outlet"))
        xml = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{OUTLETS[index]}'
               f"</title><link>http://outlet{index}.test/</link><description>t</description>"
               + "".join(_feed_items(phase[0])[index]) + "</channel></rss>")
        return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, xml.encode()
    return http_server(route)


def _config(feed: HttpServer, sink: HttpServer, redis_url: str, data_dir: Path) -> dict[str, Any]:
    return {
        "data_dir": str(data_dir), "log_level": "DEBUG", "redis": {"url": redis_url},
        "poller": {"allow_private_hosts": ["127.0.0.1"]},
        "feeds": [{"url": f"{feed.base}/outlet{i}.xml", "name": name, "interval": "2s",
                   "backfill": 10} for i, name in enumerate(OUTLETS)],
        "subscriptions": [{"name": "desk", "urls": [f"json://127.0.0.1:{sink.port}/hook"],
                           "tags": ["military_strike"]}],
    }


def test_cluster_e2e_one_alert_per_strike(tmp_path: Path, redis_url: str,
                                          http_server: Callable[[Route], HttpServer],
                                          webhook_sink: HttpServer,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Three strikes give three alerts; four more outlets' reports give none; show lists 5."""
    phase = [1]
    feed = _serve(http_server, phase)
    config = write_config(tmp_path / "config.yaml",
                          _config(feed, webhook_sink, redis_url, tmp_path / "data"))
    with compose_services(config, tmp_path, {"NEWSALERT_REDIS__URL": redis_url}) as codes:
        assert len(webhook_sink.wait_for(3, timeout=60)) == 3, "one alert per strike"
        phase[0] = 2
        counts = wait_reports(redis_url, 9, timeout=15)
        # Once every article and event is handled and acked, a wrongly split report's
        # alert would already be at the sink (the notifier acks after delivering).
        eventually_sync(lambda: pipeline_drained(redis_url), 15, what="the pipeline drained")
        assert len(webhook_sink.requests) == 3, "later reports fold into their clusters"
    assert sorted(counts.values()) == [2, 2, 5], counts
    capsys.readouterr()
    harbour = next(cid for cid, n in counts.items() if n == 5)
    assert main(["--config", str(config), "events", "show", harbour]) == 0
    shown = capsys.readouterr().out
    assert "5 source(s)" in shown and all(f"[{name}]" in shown for name in OUTLETS), shown
    assert main(["--config", str(config), "events", "show", harbour, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["id"] == harbour and doc["sources"] == 5 and len(doc["reports"]) == 5
    assert codes == {"classifier": 0, "notifier": 0, "poller": 0}
