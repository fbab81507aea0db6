"""The poll cycle against a real Redis and local feed servers: dedup, backfill, health."""

import json
from collections.abc import AsyncIterator, Callable

import pytest

from services.poller.polling import Poller
from services.poller.state import feed_id
from shared import streams
from shared.config import Feed, PollerSettings
from tests.servers import HttpServer, Route
from tests.support import open_poller

SETTINGS = PollerSettings(allow_private_hosts=["127.0.0.1"], timeout=5, failure_threshold=3)


def rss(*items: tuple[str, str]) -> bytes:
    """A small RSS document with (guid, title) items, newest first."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>http://wire.test/{guid}</link><description>About {title}.</description></item>"
        for guid, title in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}'
            "</channel></rss>").encode()


class Feeds:
    """A mutable feed document served at /feed.xml, with ETag support."""

    def __init__(self) -> None:
        self.doc = rss(("a", "Alpha"))
        self.status = 200

    def route(self, path: str, headers: dict[str, str], body: bytes) -> tuple[
            int, dict[str, str], bytes]:
        etag = f'"{hash(self.doc) & 0xFFFF}"'
        if self.status != 200:
            return self.status, {}, b"error"
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": etag}, self.doc


@pytest.fixture(name="poller")
async def _poller(redis_url: str) -> AsyncIterator[Poller]:
    async with open_poller(redis_url, SETTINGS) as poller:
        yield poller


def _setup(http_server: Callable[[Route], HttpServer], backfill: int = 0) -> tuple[Feeds, Feed]:
    feeds = Feeds()
    server = http_server(feeds.route)
    return feeds, Feed(url=f"{server.base}/feed.xml", name="wire", interval=60, backfill=backfill)


async def _titles(poller: Poller) -> list[str]:
    entries = await poller.redis.xrange(streams.ARTICLES)
    return [json.loads(fields[b"__data__"])["title"] for _, fields in entries]


async def test_new_feed_backlog_is_not_alerted(poller: Poller,
                                               http_server: Callable[[Route], HttpServer]) -> None:
    """backfill 0: the first poll publishes nothing; a later new item is published once."""
    feeds, feed = _setup(http_server)
    feeds.doc = rss(("b", "Bravo"), ("a", "Alpha"))
    first = await poller.poll_once([feed])
    assert first.published == 0 and first.seen == 2
    feeds.doc = rss(("c", "Charlie"), ("b", "Bravo"), ("a", "Alpha"))
    second = await poller.poll_once([feed])
    third = await poller.poll_once([feed])
    assert (second.published, third.published) == (1, 0)
    assert await _titles(poller) == ["Charlie"]


async def test_backfill_publishes_newest_items(poller: Poller,
                                               http_server: Callable[[Route], HttpServer]) -> None:
    """backfill N publishes only the N newest items of a new feed's backlog."""
    feeds, feed = _setup(http_server, backfill=2)
    feeds.doc = rss(("c", "Charlie"), ("b", "Bravo"), ("a", "Alpha"))
    report = await poller.poll_once([feed])
    assert report.published == 2
    assert await _titles(poller) == ["Charlie", "Bravo"]


async def test_changed_content_is_not_a_new_alert(
        poller: Poller, http_server: Callable[[Route], HttpServer]) -> None:
    """An item whose text changes later keeps its id and is not published again."""
    feeds, feed = _setup(http_server, backfill=5)
    await poller.poll_once([feed])
    feeds.doc = rss(("a", "Alpha, updated with new figures"))
    report = await poller.poll_once([feed])
    assert (report.published, report.updated) == (0, 1)
    assert await poller.redis.xlen(streams.ARTICLES) == 1


async def test_conditional_get_uses_etag(poller: Poller,
                                         http_server: Callable[[Route], HttpServer]) -> None:
    """The second poll sends If-None-Match and a 304 counts as success without a body."""
    _, feed = _setup(http_server)
    await poller.poll_once([feed])
    report = await poller.poll_once([feed])
    assert report.outcomes["not_modified"] == 1


async def test_failing_feed_alerts_once_then_recovers(
        poller: Poller, http_server: Callable[[Route], HttpServer]) -> None:
    """After failure_threshold failures one feed_health event; one more when it recovers."""
    feeds, feed = _setup(http_server)
    feeds.status = 500
    for _ in range(SETTINGS.failure_threshold + 3):
        await poller.poll_once([feed])
    state = await poller.store.load(feed_id(feed.url))
    assert state.failures == SETTINGS.failure_threshold + 3 and state.unhealthy
    assert "500" in state.last_error
    assert await poller.redis.xlen(streams.EVENTS) == 1
    feeds.status = 200
    await poller.poll_once([feed])
    events = await poller.redis.xrange(streams.EVENTS)
    titles = [json.loads(f[b"__data__"])["article"]["title"] for _, f in events]
    assert titles == ["Feed wire is failing", "Feed wire recovered"]


async def test_gone_feed_is_disabled(poller: Poller,
                                     http_server: Callable[[Route], HttpServer]) -> None:
    """HTTP 410 disables the feed: it is not fetched again."""
    feeds, feed = _setup(http_server)
    feeds.status = 410
    await poller.poll_once([feed])
    report = await poller.poll_once([feed])
    assert report.outcomes["disabled"] == 1
    assert (await poller.store.load(feed_id(feed.url))).disabled


async def test_a_broken_feed_does_not_hurt_a_good_one(
        poller: Poller, http_server: Callable[[Route], HttpServer]) -> None:
    """A refused (private, not allowed) feed fails alone; the good feed publishes."""
    _, good = _setup(http_server, backfill=1)
    bad = Feed(url="http://10.0.0.1/feed.xml", name="bad", interval=60)
    report = await poller.poll_once([bad, good])
    assert report.published == 1
    assert report.outcomes == {"ok": 1, "failed": 1}


async def test_permanent_redirect_updates_the_stored_url(
        poller: Poller, http_server: Callable[[Route], HttpServer]) -> None:
    """A 301 moves the feed: the new URL is stored and later polls go straight to it."""
    def route(path: str, headers: dict[str, str], body: bytes) -> tuple[
            int, dict[str, str], bytes]:
        if path == "/old.xml":
            return 301, {"Location": "/new.xml"}, b""
        return 200, {"Content-Type": "application/rss+xml"}, rss(("a", "Alpha"))
    server = http_server(route)
    feed = Feed(url=f"{server.base}/old.xml", name="moved", interval=60)
    await poller.poll_once([feed])
    state = await poller.store.load(feed_id(feed.url))
    assert state.url == f"{server.base}/new.xml"
    await poller.poll_once([feed])
    assert [r["path"] for r in server.requests] == ["/old.xml", "/new.xml", "/new.xml"]


async def test_retry_after_delays_the_next_poll(
        poller: Poller, http_server: Callable[[Route], HttpServer]) -> None:
    """A 429 with Retry-After: 600 schedules the next poll no sooner than 600 s later."""
    server = http_server(lambda p, h, b: (429, {"Retry-After": "600"}, b"slow down"))
    feed = Feed(url=f"{server.base}/feed.xml", name="limited", interval=30)
    await poller.poll_once([feed])
    state = await poller.store.load(feed_id(feed.url))
    assert state.next_poll - state.last_poll >= 600
    assert state.failures == 1
