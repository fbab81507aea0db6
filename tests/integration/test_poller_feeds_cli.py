"""Feed health over many polls: one event per state change, `feeds list` shows it; skipHours."""

import argparse
import asyncio
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.poller import polling
from services.poller.commands import add_commands
from services.poller.polling import Poller
from services.poller.state import feed_id
from shared import streams
from shared.config import Feed, PollerSettings
from tests.servers import HttpServer, Route
from tests.support import open_poller

SETTINGS = PollerSettings(allow_private_hosts=["127.0.0.1"], timeout=5, failure_threshold=3)
CHANNEL = "<ttl>120</ttl><skipHours><hour>6</hour><hour>7</hour></skipHours>"


def doc(channel: str = "") -> bytes:
    """A one-item RSS document with optional channel elements."""
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{channel}'
            "<item><guid>a</guid><title>Alpha</title></item></channel></rss>").encode()


class Switchable:
    """A feed that answers 500 while ``failing``, else 200 (or 304 for a matching ETag)."""

    def __init__(self, body: bytes) -> None:
        self.body, self.failing = body, False

    def route(self, path: str, headers: dict[str, str], body: bytes) -> tuple[
            int, dict[str, str], bytes]:
        if self.failing:
            return 500, {}, b"boom"
        if headers.get("if-none-match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, self.body


@pytest.fixture(name="poller")
async def _poller(redis_url: str) -> AsyncIterator[Poller]:
    async with open_poller(redis_url, SETTINGS) as poller:
        yield poller


def cli(tmp_path: Path, redis_url: str, feed: Feed, *argv: str) -> argparse.Namespace:
    """Parsed `feeds ...` arguments against a config file naming the feed and the Redis."""
    config = tmp_path / "config.yaml"
    config.write_text(f"redis: {{url: {json.dumps(redis_url)}}}\n"
                      f"feeds:\n  - {{url: {json.dumps(feed.url)}, name: wire}}\n")
    top = argparse.ArgumentParser()
    top.add_argument("--config", type=Path, default=None)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    add_commands(top.add_subparsers(dest="command"), common)
    return top.parse_args(["feeds", *argv, "--config", str(config)])


async def run_cli(args: argparse.Namespace, capsys: pytest.CaptureFixture[str]) -> str:
    """Run a command (it calls asyncio.run itself, so in a thread) and return its stdout."""
    assert await asyncio.to_thread(args.func, args) == 0
    return capsys.readouterr().out


async def test_poller_twenty_failures_one_event_and_listed(
        poller: Poller, http_server: Callable[[Route], HttpServer], tmp_path: Path,
        redis_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """20 failures → exactly 1 feed_health event; recovery → exactly 1 more; list shows both."""
    source = Switchable(doc())
    feed = Feed(url=f"{http_server(source.route).base}/feed.xml", name="wire")
    source.failing = True
    for _ in range(20):
        await poller.poll_once([feed])
    assert await poller.redis.xlen(streams.EVENTS) == 1
    rows = json.loads(await run_cli(cli(tmp_path, redis_url, feed, "list", "--json"), capsys))
    assert rows[0]["failures"] == 20 and rows[0]["last_error"] == "http 500"
    assert rows[0]["unhealthy"] and rows[0]["last_success"] == "" and rows[0]["next_poll"]
    table = await run_cli(cli(tmp_path, redis_url, feed, "list"), capsys)
    assert "wire" in table and "http 500" in table and "20" in table and "never" in table
    source.failing = False
    for _ in range(3):
        await poller.poll_once([feed])
    assert await poller.redis.xlen(streams.EVENTS) == 2
    rows = json.loads(await run_cli(cli(tmp_path, redis_url, feed, "list", "--json"), capsys))
    assert rows[0]["failures"] == 0 and rows[0]["last_success"] and not rows[0]["unhealthy"]


async def test_poller_skip_hours_and_ttl_on_simulated_clock(
        poller: Poller, http_server: Callable[[Route], HttpServer],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """At 05:30 UTC a feed skipping 6-7 UTC is next polled at 08:00, also after a 304."""
    clock = datetime(2026, 1, 1, 5, 30, tzinfo=UTC).timestamp()
    monkeypatch.setattr(polling, "now", lambda: clock)
    feed = Feed(url=f"{http_server(Switchable(doc(CHANNEL)).route).base}/f", interval=3600)
    eight = datetime(2026, 1, 1, 8, tzinfo=UTC).timestamp()
    for outcome in ("ok", "not_modified"):
        report = await poller.poll_once([feed])
        state = await poller.store.load(feed_id(feed.url))
        assert report.outcomes == {outcome: 1}
        assert state.next_poll == eight and state.ttl == 7200 and state.skip_hours == "6,7"
