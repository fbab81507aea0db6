"""Hostile feed servers on 127.0.0.1: each attack fails fast, bounded, and spares a healthy feed."""

import asyncio
import time
import tracemalloc
from collections.abc import AsyncIterator

import pytest

from services.poller.fetch import FetchResult, fetch_feed, make_client
from services.poller.parse import parse_feed
from services.poller.parse_pool import parse_feed_bounded
from shared.config import PollerSettings
from tests.hostile_feeds import (
    HEALTHY,
    MB,
    ROUTES,
    SETTINGS,
    FeedServer,
    _body,
    bomb,
    feed_with_prolog,
)


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    srv = FeedServer()
    listener = await asyncio.start_server(srv.handle, "127.0.0.1", 0)
    srv.port = listener.sockets[0].getsockname()[1]
    ROUTES["/xxe_ext"] = _body(feed_with_prolog(
        f'<!DOCTYPE rss SYSTEM "http://127.0.0.1:{srv.port}/canary">\n', "ok"))
    yield srv
    listener.close()
    for task in list(srv.tasks):
        task.cancel()
    await asyncio.gather(*srv.tasks, return_exceptions=True)
    await listener.wait_closed()


async def against_healthy(srv: FeedServer, path: str, settings: PollerSettings = SETTINGS,
                          **kw: str) -> tuple[FetchResult, float, int]:
    """Fetch ``path`` next to /healthy; return its result, seconds taken and traced peak."""
    async def timed() -> tuple[FetchResult, float]:
        started = time.monotonic()
        result = await fetch_feed(client, srv.url(path), settings, **kw)
        return result, time.monotonic() - started

    async with make_client(settings) as client:
        tracemalloc.start()
        try:
            (hostile, seconds), healthy = await asyncio.gather(
                timed(), fetch_feed(client, srv.url("/healthy"), settings))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert healthy.status == 200 and healthy.body is not None
    assert len(parse_feed(healthy.body, healthy.final_url).items) == 3
    return hostile, seconds, peak


@pytest.mark.parametrize("path", ["/huge", "/lying_big"])
async def test_poller_huge_bodies_cut_at_cap(server: FeedServer, path: str) -> None:
    """A 100 MB body (chunked, or with an honest big length) stops at the cap fast."""
    result, seconds, peak = await against_healthy(server, path)
    assert (result.error, result.body, result.status) == ("too_large", None, 0)
    assert seconds < 2.0 and peak < 30 * MB


async def test_poller_lying_content_length_reads_only_declared(server: FeedServer) -> None:
    """Content-Length 1000 followed by 100 MB yields exactly 1000 bytes, quickly."""
    result, seconds, peak = await against_healthy(server, "/lying_small")
    assert result.status == 200 and result.body == b"x" * 1000
    assert seconds < 2.0 and peak < 30 * MB


@pytest.mark.parametrize("path", ["/gzip_bomb", "/deflate_bomb"])
async def test_poller_compression_bombs_capped(server: FeedServer, path: str) -> None:
    """A 200 MiB gzip/deflate bomb stops at max_bytes decoded, with a small memory peak."""
    bomb(31), bomb(15)  # build outside the measured window
    result, seconds, peak = await against_healthy(server, path)
    assert result.error == "too_large" and seconds < 2.0 and peak < 12 * MB


@pytest.mark.parametrize("path", ["/trickle", "/never"])
async def test_poller_slow_servers_hit_the_deadline(server: FeedServer, path: str) -> None:
    """A 1 byte/s trickle or a silent server ends in 'timeout' at the total budget."""
    result, seconds, _ = await against_healthy(server, path)
    assert result.error == "timeout" and seconds < SETTINGS.timeout + 0.5


@pytest.mark.parametrize(("path", "paths"), [
    ("/loop_a", ("/loop_a", "/loop_b")), ("/chain0", tuple(f"/chain{n}" for n in range(11))),
])
async def test_poller_redirect_loops_and_chains_stop(server: FeedServer, path: str,
                                                    paths: tuple[str, ...]) -> None:
    """Loops and long chains fail with redirect_limit after max_redirects + 1 requests."""
    result, seconds, _ = await against_healthy(server, path)
    assert result.error == "redirect_limit" and seconds < 2.0
    assert server.hits(*paths) == SETTINGS.max_redirects + 1


@pytest.mark.parametrize(("path", "error"), [
    ("/to_private", "ssrf: 10.0.0.1 is private"),
    ("/to_metadata", "ssrf: 169.254.169.254 is link-local"),
    ("/to_127_0_0_2", "ssrf: 127.0.0.2 is loopback"),
    ("/to_decimal", "ssrf: 127.0.0.2 is loopback"),
])
async def test_poller_redirect_to_private_refused(server: FeedServer, path: str,
                                                  error: str) -> None:
    """An allowed host redirecting to a private address is refused before connecting."""
    result, seconds, _ = await against_healthy(server, path)
    assert result.error == error and seconds < 1.0
    assert server.hits("/healthy") == 1  # only the concurrent healthy fetch, never the target


async def test_poller_conditional_get_304(server: FeedServer) -> None:
    """The second poll sends validators and gets a 304 with no body read."""
    first, _, _ = await against_healthy(server, "/conditional")
    second, _, _ = await against_healthy(server, "/conditional", etag=first.etag or "",
                                         last_modified=first.last_modified or "")
    sent = [h for p, h in server.requests if p == "/conditional"][1]
    assert first.status == 200 and first.etag == '"v1"'
    assert sent["if-none-match"] == '"v1"' and sent["if-modified-since"] == first.last_modified
    assert (second.status, second.body, second.error) == (304, None, None)


@pytest.mark.parametrize(("path", "low", "high"), [("/429", 120, 120), ("/503", 55, 60)])
async def test_poller_retry_after_both_forms(server: FeedServer, path: str, low: float,
                                             high: float) -> None:
    """429 (seconds) and 503 (HTTP date) report Retry-After in seconds."""
    result, _, _ = await against_healthy(server, path)
    assert result.error == f"http {path[1:]}"
    assert result.retry_after is not None and low <= result.retry_after <= high


@pytest.mark.parametrize("path", ["/billion", "/quadratic", "/xxe"])
async def test_poller_hostile_xml_refused_end_to_end(server: FeedServer, path: str) -> None:
    """Fetched entity attacks are refused by the parser fast; healthy feeds parse."""
    result, _, _ = await against_healthy(server, path)
    started = time.monotonic()
    hostile, healthy = await asyncio.gather(
        parse_feed_bounded(result.body or b"", result.final_url),
        parse_feed_bounded(HEALTHY, server.url("/healthy")))
    assert hostile.error == "doctype_refused" and len(healthy.items) == 3
    assert time.monotonic() - started < 5.0


async def test_poller_external_dtd_never_fetched(server: FeedServer) -> None:
    """A DOCTYPE pointing at a canary URL parses without any request to the canary."""
    result, _, _ = await against_healthy(server, "/xxe_ext")
    parsed = await parse_feed_bounded(result.body or b"", result.final_url)
    assert parsed.items[0].title == "ok" and server.hits("/canary") == 0


@pytest.mark.parametrize("path", ["/bad_utf8", "/utf16"])
async def test_poller_invalid_encodings_fetched_and_parsed(server: FeedServer, path: str) -> None:
    """Broken or wide encodings are fetched and parsed without errors or lost items."""
    result, _, _ = await against_healthy(server, path)
    parsed = await parse_feed_bounded(result.body or b"", result.final_url, result.content_type)
    assert result.status == 200 and len(parsed.items) == 3
    assert all(item.title.startswith("Item") for item in parsed.items)
