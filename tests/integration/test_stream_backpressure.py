"""Chaos: a stream with a small cap and a slow consumer group; nothing unread is trimmed."""

import asyncio
import json
from collections import Counter
from collections.abc import Callable

import pytest
from redis.asyncio import Redis

from services.poller.polling import PollReport
from shared import metrics, streams
from shared.backpressure import UNTRIMMED, StreamGuard, read_backlog
from shared.config import Feed
from tests.integration.test_poller_flow import SETTINGS, rss
from tests.servers import HttpServer, Route
from tests.support import eventually, open_poller

pytestmark = pytest.mark.integration
CAP = 40
ITEMS = 300


async def slow_consumer(redis: Redis, got: list[str], stop: asyncio.Event) -> None:
    """The classifier group, reading 3 entries every 20 ms and acking them."""
    while not stop.is_set():
        reply = await redis.xreadgroup(streams.CLASSIFIER_GROUP, "slow",
                                       {streams.ARTICLES: ">"}, count=3)
        for _, entries in reply or []:
            for mid, fields in entries:
                got.append(json.loads(fields[b"__data__"])["id"])
                await redis.xack(streams.ARTICLES, streams.CLASSIFIER_GROUP, mid)
        await asyncio.sleep(0.02)


async def test_small_cap_slow_group_nothing_unread_is_trimmed(
        redis_url: str, http_server: Callable[[Route], HttpServer],
        caplog: pytest.LogCaptureFixture) -> None:
    """300 new items into a stream capped at 40: the poller pauses and the metric fires while
    the group lags; the group reads every item exactly once (0 lost, 0 duplicated)."""
    server = http_server(_feed_route())
    feed = Feed(url=f"{server.base}/feed.xml", name="wire", interval=60, backfill=ITEMS)
    peaks: list[float] = []
    async with open_poller(redis_url, SETTINGS) as poller:
        poller.guard = StreamGuard(poller.redis, streams.ARTICLES, CAP, pause_poll=0.02)
        got: list[str] = []
        stop = asyncio.Event()
        reader = asyncio.create_task(slow_consumer(poller.redis, got, stop))
        watcher = asyncio.create_task(_watch_alarm(peaks, stop))
        report = PollReport()
        await asyncio.wait_for(poller.poll_feed(feed, report), 60)
        await eventually(lambda: len(got) >= report.published, 30, what="the group read all")
        stop.set()
        await asyncio.gather(reader, watcher)
        length = await poller.redis.xlen(streams.ARTICLES)
    assert report.published == ITEMS
    counts = Counter(got)
    assert len(counts) == ITEMS and set(counts.values()) == {1}  # 0 lost, 0 duplicated
    assert max(peaks) == 1.0, "the backpressure metric fired"
    assert any("producer paused" in r.getMessage() for r in caplog.records)
    assert length <= ITEMS


async def test_trim_never_reaches_unacked_entries(redis: Redis) -> None:
    """Near the cap the guard trims by id below the oldest pending entry; count trimming
    (and FastStream's MAXLEN) comes back once the group caught up."""
    guard = StreamGuard(redis, streams.EVENTS, CAP)
    ids = [await redis.xadd(streams.EVENTS, {"__data__": b"{}"}) for _ in range(CAP)]
    assert (await guard.trim()).strategy == "MINID"
    assert await guard.maxlen() == UNTRIMMED
    # The group reads everything; the first 5 stay pending (a slow or crashed handler).
    await redis.xreadgroup(streams.NOTIFIER_GROUP, "n", {streams.EVENTS: ">"})
    await redis.xack(streams.EVENTS, streams.NOTIFIER_GROUP, *ids[5:])
    trim = await guard.trim()
    assert (trim.strategy, trim.threshold) == ("MAXLEN", CAP)
    await redis.xadd(streams.EVENTS, {"__data__": b"{}"}, **(await guard.trim()).kwargs())
    # Push the backlog over the low-water mark again: the trim keeps the pending ones.
    for _ in range(CAP):
        await redis.xadd(streams.EVENTS, {"__data__": b"{}"}, **(await guard.trim()).kwargs())
    backlog = await read_backlog(redis, streams.EVENTS, CAP)
    assert backlog.oldest == ids[0].decode()
    assert (await redis.xrange(streams.EVENTS, count=1))[0][0] == ids[0]


def _feed_route() -> Route:
    doc = rss(*((f"g{n}", f"Item {n}") for n in range(ITEMS)))

    def route(path: str, headers: dict[str, str], body: bytes) -> tuple[
            int, dict[str, str], bytes]:
        return 200, {"Content-Type": "application/rss+xml"}, doc
    return route


async def _watch_alarm(peaks: list[float], stop: asyncio.Event) -> None:
    """Sample the backpressure gauge the way a Prometheus scrape would."""
    gauge = metrics.STREAM_PAUSED.labels(streams.ARTICLES)
    while not stop.is_set():
        peaks.append(gauge._value.get())
        await asyncio.sleep(0.01)

