"""Fuzzing fetch → pre-filter → parse → clean with hypothesis; nothing may escape."""

import asyncio
import time
import zlib
from collections.abc import AsyncIterator

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.poller.fetch import fetch_feed
from services.poller.items import TITLE_MAX, ParsedFeed
from services.poller.parse import parse_feed
from shared.config import PollerSettings

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
SEED = (b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        b'xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Seed &amp; co</title>'
        b"<ttl>15</ttl><skipHours><hour>3</hour></skipHours>"
        b"<item><title>One &lt;b&gt;bold&lt;/b&gt;</title><link>https://a.example/1?utm_source=x"
        b"</link><guid>g1</guid><pubDate>Thu, 01 Jan 2026 02:00:00 +0200</pubDate>"
        b"<description><![CDATA[<p>Para <script>x()</script> &#169;</p>]]></description></item>"
        b"<item><title>Two</title><link>javascript:alert(1)</link><description>d &#x263A;"
        b"</description></item></channel></rss>")
ATOM = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b'<entry><id>urn:1</id><title type="html">T &amp;amp; U</title>'
        b'<link href="https://b.example/x"/><updated>2026-01-01T00:00:00Z</updated>'
        b'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">c</div></content>'
        b"</entry></feed>")


def assert_clean(parsed: ParsedFeed) -> None:
    """Every string that could reach the stream is valid UTF-8, control-free and capped."""
    for item in parsed.items:
        for text in (item.title, item.summary, item.link, item.key, parsed.title):
            text.encode("utf-8")
            assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text)
        assert len(item.title) <= TITLE_MAX
        assert item.link == "" or item.link.startswith(("http://", "https://"))


def timed_parse(body: bytes, content_type: str = "application/rss+xml") -> ParsedFeed:
    """parse_feed under a per-case budget of 2 s."""
    started = time.monotonic()
    parsed = parse_feed(body, "https://feeds.example/rss", content_type)
    assert time.monotonic() - started < 2.0
    return parsed


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed feed with a few random byte insertions, deletions and overwrites."""
    data = bytearray(draw(st.sampled_from([SEED, ATOM])))
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data)))
        chunk = draw(st.binary(min_size=1, max_size=12) | st.sampled_from(
            [b"<", b">", b"&", b"]]>", b"<!--", b"\x00", b"\xff\xfe", b"&#0;", b"&#xD800;",
             b"<item>", b"</item>", b"<!DOCTYPE x [", b"\xc3", b"\xe2\x80"]))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        if action == "insert":
            data[pos:pos] = chunk
        elif action == "delete":
            del data[pos:pos + len(chunk)]
        else:
            data[pos:pos + len(chunk)] = chunk
    return bytes(data)


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from(["", "text/html", "application/xml",
                                                   "text/xml; charset=utf-16", "x/y; charset=zz"]))
def test_poller_fuzz_random_bytes_never_raise(body: bytes, content_type: str) -> None:
    """Random bytes under any content type: parse_feed returns, strings are clean."""
    assert_clean(timed_parse(body, content_type))


@FUZZ
@given(mutated())
def test_poller_fuzz_mutated_feeds_never_raise(body: bytes) -> None:
    """Byte-level mutations of valid RSS/Atom: no exception, clean strings."""
    parsed = timed_parse(body)
    assert_clean(parsed)
    assert parsed.error is None or parsed.error in ("doctype_refused", "not_a_feed",
                                                    "parse_error")


@FUZZ
@given(st.text(max_size=300), st.text(max_size=300), st.text(max_size=200))
def test_poller_fuzz_field_text_never_raises(title: str, desc: str, link: str) -> None:
    """Arbitrary Unicode (controls, RTL, markup) pasted raw into item fields is cleaned."""
    item = f"<item><title>{title}</title><description>{desc}</description><link>{link}</link>"
    body = SEED.replace(b"<item>", item.encode("utf-8", "surrogatepass") + b"</item><item>", 1)
    assert_clean(timed_parse(body))


def _encoded(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return zlib.compress(body, wbits=31)
    return zlib.compress(body) if encoding == "deflate" else body


class Body(httpx.AsyncByteStream):
    """A body produced only when streamed, like a real socket (bytes content is pre-read)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), 1000):
            yield self.data[start:start + 1000]


async def _fetch(body: bytes, headers: dict[str, str]) -> ParsedFeed | None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers=headers,
                                                                   stream=Body(body)))

    class Public:
        async def resolve(self, host: str, port: int) -> list[str]:
            return ["93.184.216.34"]

    async with httpx.AsyncClient(transport=transport) as client:
        result = await fetch_feed(client, "https://feeds.example/rss",
                                  PollerSettings(timeout=2.0, max_bytes=1 << 16),
                                  resolver=Public())
    assert (result.error is None) == (result.body is not None)
    assert result.error in (None, "decode", "too_large") or result.error.startswith("encoding")
    return timed_parse(result.body, result.content_type) if result.body is not None else None


@FUZZ
@given(mutated() | st.binary(max_size=2048),
       st.sampled_from(["gzip", "deflate", "identity", "br", "gzip, gzip"]),
       st.booleans(), st.booleans())
def test_poller_fuzz_fetch_to_parse_never_raises(body: bytes, encoding: str, compress: bool,
                                                  corrupt: bool) -> None:
    """Random bodies, encodings (some lying, some corrupt) through fetch then parse: no raise."""
    wire = _encoded(body, encoding) if compress else body
    if corrupt and wire:
        wire = wire[: len(wire) // 2]
    parsed = asyncio.run(_fetch(wire, {"Content-Encoding": encoding,
                                       "Content-Type": "application/rss+xml"}))
    if parsed is not None:
        assert_clean(parsed)
