"""Replicas: two PollerService loops on one Redis never poll a feed twice in one interval."""

import asyncio
import itertools
import math
import time
from collections.abc import Callable

from services.poller.app import PollerService
from shared.config import AppConfig, Feed, PollerSettings
from tests.servers import HttpServer, Route

INTERVAL, RUN, SLOW = 3.0, 7.0, 0.5
DOC = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
       b"<item><guid>a</guid><title>Alpha</title></item></channel></rss>")


class SlowFeeds:
    """The same small feed on every path, answered slowly so a poll stays in flight for a
    while (when a second replica could race it); no ETag, so each poll is a full GET."""

    def __init__(self) -> None:
        self.hits: dict[str, list[float]] = {}

    def route(self, path: str, headers: dict[str, str], body: bytes) -> tuple[
            int, dict[str, str], bytes]:
        self.hits.setdefault(path, []).append(time.monotonic())
        time.sleep(SLOW)
        return 200, {"Content-Type": "application/rss+xml"}, DOC


async def test_poller_two_replicas_share_the_work(
        redis_url: str, http_server: Callable[[Route], HttpServer]) -> None:
    """Two replicas, 3 feeds at 3 s for 7 s: ≤ ceil(7/3)+1 GETs per feed, never two in one
    interval."""
    feeds = SlowFeeds()
    server = http_server(feeds.route)
    paths = [f"/feed/{n}" for n in range(3)]
    config = AppConfig(poller=PollerSettings(allow_private_hosts=["127.0.0.1"], timeout=5),
                       feeds=[Feed(url=server.base + p, interval=INTERVAL) for p in paths])
    replicas = [PollerService(config, redis_url), PollerService(config, redis_url)]
    assert replicas[0].owner != replicas[1].owner
    for replica in replicas:
        await replica.start()
    try:
        await asyncio.sleep(RUN)
    finally:
        for replica in replicas:
            await replica.stop()
    assert sorted(feeds.hits) == paths
    for times in feeds.hits.values():
        assert 2 <= len(times) <= math.ceil(RUN / INTERVAL) + 1, feeds.hits
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps) >= INTERVAL * 0.9, feeds.hits  # a double poll shows as a ~0 s gap
