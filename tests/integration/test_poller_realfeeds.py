"""The ten stored real feeds, served locally: all parse, each item is published exactly once."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from services.poller.parse import parse_feed
from services.poller.parse_pool import PARSERS
from services.poller.polling import Poller
from shared import streams
from shared.config import Feed, PollerSettings
from tests.servers import HttpServer, Route
from tests.support import SHARED_DATA, open_poller

FEEDS = sorted(p for p in (SHARED_DATA / "feeds").glob("*") if p.is_file())
SETTINGS = PollerSettings(allow_private_hosts=["127.0.0.1"], timeout=10)


@pytest.fixture(name="poller")
async def _poller(redis_url: str) -> AsyncIterator[Poller]:
    async with open_poller(redis_url, SETTINGS) as poller:
        yield poller
    PARSERS.shutdown()


def serve_files(http_server: Callable[[Route], HttpServer]) -> tuple[HttpServer, list[Feed]]:
    """Every stored feed at /feed/<file name>, read from disk on each request."""
    by_name = {p.name: p for p in FEEDS}

    def route(path: str, headers: dict[str, str], body: bytes) -> tuple[
            int, dict[str, str], bytes]:
        file = by_name.get(path.rsplit("/", 1)[-1])
        if file is None:
            return 404, {}, b""
        return 200, {"Content-Type": "application/rss+xml"}, file.read_bytes()

    server = http_server(route)
    feeds = [Feed(url=f"{server.base}/feed/{p.name}", name=p.stem, backfill=1000) for p in FEEDS]
    return server, feeds


def unique_items(path: Path, url: str) -> int:
    """Items with distinct keys the parser finds in one stored feed."""
    return len({item.key for item in parse_feed(path.read_bytes(), url).items})


async def test_poller_real_feeds_published_once(
        poller: Poller, http_server: Callable[[Route], HttpServer]) -> None:
    """10 real feeds: all ok, XLEN equals the unique item keys; a second poll adds nothing."""
    if len(FEEDS) != 10:
        pytest.skip(f"the ten real feeds are not in {SHARED_DATA / 'feeds'}")
    server, feeds = serve_files(http_server)
    expected = sum(unique_items(p, f.url) for p, f in zip(FEEDS, feeds, strict=True))
    first = await poller.poll_once(feeds)
    assert first.outcomes == {"ok": 10}
    assert first.published == expected > 200
    assert await poller.redis.xlen(streams.ARTICLES) == expected
    second = await poller.poll_once(feeds)
    assert (second.published, second.updated, second.seen) == (0, 0, expected)
    assert await poller.redis.xlen(streams.ARTICLES) == expected
    assert len(server.requests) == 20
