"""``newsalert status``: JSON fields on a running pipeline, and the rich tables (smoke)."""

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest
import redis as redis_sync
from rich.console import Console

from services.poller.state import feed_id
from services.status import add_commands, collect, render
from shared import streams
from shared.loading import load_config
from shared.schemas import Article
from tests.pipeline import compose_command, start, stop, write_config
from tests.servers import HttpServer, Route, free_port
from tests.support import eventually_sync

pytestmark = pytest.mark.slow
SEED = (Path(__file__).resolve().parents[1] / "fixtures" / "seed_feed.xml").read_bytes()


def _status(config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=None)
    add_commands(parser.add_subparsers(dest="command"), common)
    args = parser.parse_args(["status", "--config", str(config), *extra])
    code = int(args.func(args))
    return code, capsys.readouterr().out


def test_status_json_and_table(tmp_path: Path, redis_url: str, webhook_sink: HttpServer,
                               http_server: Callable[[Route], HttpServer],
                               capsys: pytest.CaptureFixture[str]) -> None:
    """status --json reports groups, DLQ, retries, feeds and the last alerts; tables render."""
    feed = http_server(lambda p, h, b: (200, {"Content-Type": "application/rss+xml"}, SEED))
    feed_url = f"{feed.base}/ok.xml"
    config = write_config(tmp_path / "config.yaml", {
        "redis": {"url": redis_url}, "data_dir": str(tmp_path / "data"),
        "poller": {"allow_private_hosts": ["127.0.0.1"]},
        "feeds": [{"url": feed_url, "name": "wire", "interval": "30s"},
                  {"url": f"http://127.0.0.1:{free_port()}/never.xml", "name": "idle",
                   "interval": "1h"}],
        "watch": [{"name": "zanzibar", "any": ["Zanzibar"]}],
        "subscriptions": [{"name": "desk", "urls": [f"json://127.0.0.1:{webhook_sink.port}/h"],
                           "tags": ["zanzibar"]}]})
    procs = [start(compose_command(n), config, tmp_path / f"{n}.log")
             for n in ("classifier", "notifier", "poller")]
    client = redis_sync.Redis.from_url(redis_url)
    try:
        eventually_sync(lambda: client.exists(streams.key("feed", feed_id(feed_url))), 20,
                        what="the wire feed polled")
        title = "Zanzibar [bold]markup[/bold] story"
        client.xadd(streams.ARTICLES, {"__data__": Article(id="s1", feed="t", title=title)
                                       .model_dump_json()})
        assert len(webhook_sink.wait_for(1, timeout=30)) == 1
        # The notifier records the delivery just after the sink answered.
        eventually_sync(lambda: client.xlen(streams.DELIVERED), 10, what="the delivery recorded")
        code, out = _status(config, capsys, "--json")
    finally:
        for proc in procs:
            stop(proc)
        client.close()
    assert code == 0
    doc = json.loads(out)
    assert set(doc) >= {"lengths", "groups", "dlq", "retry", "feeds", "recent_deliveries"}
    groups = {(g["stream"], g["group"]): g for g in doc["groups"]}
    assert set(groups) == set(streams.GROUPS) and all(g["exists"] for g in groups.values())
    assert groups[(streams.ARTICLES, streams.CLASSIFIER_GROUP)]["lag"] == 0
    assert doc["dlq"] == 0 and doc["retry"] == 0
    feeds = {f["name"]: f for f in doc["feeds"]}
    assert feeds["wire"]["health"] == "ok" and feeds["wire"]["next_poll_in"] > 0
    assert feeds["idle"]["health"] in ("never polled", "failing (1)")
    last = doc["recent_deliveries"][0]
    assert (last["title"], last["subscription"], last["channel"]) == (title, "desk", "json")
    console = Console(record=True, width=160)
    render(doc, console)
    screen = console.export_text()
    for text in ("Streams and consumer groups", "wire", title, "desk", "dead letters: 0"):
        assert text in screen


async def test_status_collect_on_empty_redis(redis_url: str, tmp_path: Path) -> None:
    """On a fresh Redis the groups show as missing and every count is zero."""
    config = load_config(write_config(tmp_path / "c.yaml", {"redis": {"url": redis_url}}))
    doc = await collect(config, redis_url)
    assert [g["exists"] for g in doc["groups"]] == [False, False]
    assert (doc["dlq"], doc["retry"], doc["feeds"], doc["recent_deliveries"]) == (0, 0, [], [])
