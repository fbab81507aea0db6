"""Unit tests for services.poller.fetch: redirects, validators, encodings, limits (no sockets)."""

import gzip
import zlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import httpx
import pytest

from services.poller.fetch import FetchResult, fetch_feed, make_client
from shared.config import PollerSettings
from shared.durations import parse_retry_after

SETTINGS = PollerSettings(timeout=2.0, max_bytes=1 << 20, max_redirects=5)
PUBLIC = "93.184.216.34"
FEED = b'<rss version="2.0"><channel><title>t</title><item><title>a</title></item></channel></rss>'


class StubResolver:
    """Maps names to fixed answers (a list per call to simulate DNS rebinding); records calls."""

    def __init__(self, answers: dict[str, list[list[str]]] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        queue = self.answers.get(host)
        if not queue:
            raise OSError("no such host")
        return queue.pop(0) if len(queue) > 1 else queue[0]


class Body(httpx.AsyncByteStream):
    """A response body that is only produced when streamed (bytes content would be pre-read)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self.data:
            yield self.data


def resp(status: int, headers: dict[str, str] | None = None,
         content: bytes = b"") -> httpx.Response:
    return httpx.Response(status, headers=headers, stream=Body(content))


Handler = Callable[[httpx.Request], httpx.Response]


class RecordingTransport(httpx.AsyncBaseTransport):
    """Records every request that would have opened a connection; answers without a socket."""

    def __init__(self, handler: Handler | None) -> None:
        self.handler = handler or (lambda request: resp(200, content=FEED))
        self.seen: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        return self.handler(request)  # unlike MockTransport, leaves the body unread


def recording_client(handler: Handler | None) -> tuple[httpx.AsyncClient, list[httpx.Request]]:
    transport = RecordingTransport(handler)
    return httpx.AsyncClient(transport=transport, follow_redirects=False), transport.seen


Fetched = tuple[FetchResult, list[httpx.Request]]


async def fetch(url: str, handler: Handler | None = None, settings: PollerSettings = SETTINGS,
                resolver: StubResolver | None = None, **kw: str) -> Fetched:
    client, seen = recording_client(handler)
    async with client:
        result = await fetch_feed(client, url, settings, resolver=resolver or StubResolver(), **kw)
    return result, seen


def _redirect_to(target: str, status: int = 301) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return resp(status, headers={"Location": target})
        return resp(200, content=FEED)
    return handler


@pytest.mark.parametrize(("status", "permanent"), [(301, True), (308, True), (302, False),
                                                   (307, False)])
async def test_poller_redirect_sets_permanent_url_only_for_301_308(status: int,
                                                                   permanent: bool) -> None:
    """permanent_url is the new location only when every hop was 301/308."""
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})
    result, seen = await fetch("http://feeds.example/old", _redirect_to("/new", status),
                               resolver=resolver)
    assert result.status == 200 and result.final_url == "http://feeds.example/new"
    assert result.permanent_url == ("http://feeds.example/new" if permanent else None)
    assert len(seen) == 2


async def test_poller_redirect_limit_counts_hops() -> None:
    """A redirect loop stops after max_redirects hops: max_redirects + 1 requests in total."""
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})
    result, seen = await fetch("http://feeds.example/a", lambda r: resp(
        302, headers={"Location": "/b" if r.url.path == "/a" else "/a"}), resolver=resolver)
    assert result.error == "redirect_limit" and len(seen) == SETTINGS.max_redirects + 1


async def test_poller_conditional_headers_sent_and_304_kept() -> None:
    """If-None-Match/If-Modified-Since are sent; a 304 has no body and keeps the validators."""
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})
    result, seen = await fetch("http://feeds.example/rss", lambda r: resp(304),
                               resolver=resolver, etag='"v1"', last_modified="Thu, 01 Jan 2026")
    assert seen[0].headers["if-none-match"] == '"v1"'
    assert seen[0].headers["if-modified-since"] == "Thu, 01 Jan 2026"
    assert (result.status, result.body, result.error) == (304, None, None)
    assert (result.etag, result.last_modified) == ('"v1"', "Thu, 01 Jan 2026")


async def test_poller_success_returns_body_and_validators() -> None:
    """A 200 returns the body, ETag, Last-Modified and Content-Type."""
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})
    headers = {"ETag": '"v2"', "Last-Modified": "Fri, 02 Jan 2026 00:00:00 GMT",
               "Content-Type": "application/rss+xml"}
    result, _ = await fetch("http://feeds.example/rss", lambda r: resp(
        200, headers=headers, content=FEED), resolver=resolver)
    assert result.body == FEED and result.etag == '"v2"'
    assert result.last_modified == headers["Last-Modified"]
    assert result.content_type == "application/rss+xml" and result.error is None


@pytest.mark.parametrize(("encoding", "payload"), [
    ("gzip", gzip.compress(FEED)),
    ("deflate", zlib.compress(FEED)),
    ("deflate", zlib.compress(FEED)[2:-4]),  # raw deflate, as some servers send it
    ("identity", FEED),
])
async def test_poller_content_encodings_decoded(encoding: str, payload: bytes) -> None:
    """gzip, zlib deflate, raw deflate and identity bodies are decoded to the same feed."""
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})
    result, _ = await fetch("http://feeds.example/rss", lambda r: resp(
        200, headers={"Content-Encoding": encoding}, content=payload), resolver=resolver)
    assert result.body == FEED and result.error is None


async def test_poller_unknown_encoding_and_corrupt_gzip_refused() -> None:
    """A Content-Encoding we did not ask for, or a corrupt gzip stream, is an error."""
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})
    br, _ = await fetch("http://feeds.example/", lambda r: resp(
        200, headers={"Content-Encoding": "br"}, content=b"x"), resolver=resolver)
    bad, _ = await fetch("http://feeds.example/", lambda r: resp(
        200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(FEED)[:-12]),
        resolver=resolver)
    assert br.error == "encoding: br" and bad.error == "decode"


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "deflate"])
async def test_poller_mislabelled_compression_falls_back_to_plain_xml(encoding: str) -> None:
    """A plain XML body labelled gzip/deflate is taken as it is; plain non-XML is refused."""
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})
    plain, _ = await fetch("http://feeds.example/rss", lambda r: resp(
        200, headers={"Content-Encoding": encoding}, content=b"\n  " + FEED),
        resolver=resolver)
    junk, _ = await fetch("http://feeds.example/rss", lambda r: resp(
        200, headers={"Content-Encoding": encoding}, content=b"not compressed, not xml"),
        resolver=resolver)
    assert plain.body == b"\n  " + FEED and plain.error is None
    assert junk.error == "decode"


async def test_poller_decoded_size_capped_exactly() -> None:
    """A small gzip payload that inflates past max_bytes is refused as too_large."""
    settings = PollerSettings(timeout=2.0, max_bytes=4096)
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})
    ok, _ = await fetch("http://feeds.example/", lambda r: resp(
        200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(bytes(4096))),
        settings=settings, resolver=resolver)
    big, _ = await fetch("http://feeds.example/", lambda r: resp(
        200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(bytes(4097))),
        settings=settings, resolver=resolver)
    assert ok.body == bytes(4096) and (big.error, big.body, big.status) == ("too_large", None, 0)


@pytest.mark.parametrize("status", [429, 503])
async def test_poller_retry_after_reported(status: int) -> None:
    """429/503 report 'http N' and the Retry-After delay in seconds."""
    resolver = StubResolver({"feeds.example": [[PUBLIC]]})
    result, _ = await fetch("http://feeds.example/", lambda r: resp(
        status, headers={"Retry-After": "120"}), resolver=resolver)
    assert result.error == f"http {status}" and result.retry_after == 120.0


def test_poller_parse_retry_after_forms() -> None:
    """Retry-After accepts delta-seconds and HTTP dates; garbage gives None."""
    now = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:02:00 GMT", now) == 120.0
    assert parse_retry_after("Wed, 31 Dec 2025 00:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


async def test_poller_invalid_url_reported() -> None:
    """A malformed URL gives error 'url' instead of raising."""
    result, seen = await fetch("http://[::1/")
    assert result.error == "url" and seen == []


async def test_poller_make_client_defaults() -> None:
    """make_client sets the User-Agent, no auto-redirects, no env proxies, bounded timeouts."""
    settings = PollerSettings(timeout=30.0, user_agent="newsalert-test/1 (+ops@example.org)")
    async with make_client(settings) as client:
        assert client.headers["user-agent"] == "newsalert-test/1 (+ops@example.org)"
        assert client.follow_redirects is False and client.trust_env is False
        assert client.timeout.connect == 5.0 and client.timeout.read == 10.0
