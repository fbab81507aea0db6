"""Unit tests for services.poller.parse: item identity, cleaning, malformed input, real feeds."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.poller.items import SUMMARY_MAX, TITLE_MAX, ParsedFeed, canonical_link
from services.poller.parse import parse_feed

URL = "https://feeds.example/rss"
REAL_FEEDS = sorted(Path("/work/shared/data/feeds").glob("*.*"))


def item(title: str = "Title", link: str = "", guid: str = "", desc: str = "Body",
         extra: str = "") -> str:
    parts = [f"<title>{title}</title>", f"<description>{desc}</description>", extra]
    if link:
        parts.append(f"<link>{link}</link>")
    if guid:
        parts.append(f"<guid>{guid}</guid>")
    return "<item>" + "".join(parts) + "</item>"


def rss(*items: str, channel: str = "", prolog: str = "") -> bytes:
    body = f'{prolog}<rss version="2.0"><channel><title>Feed</title>{channel}{"".join(items)}'
    return (body + "</channel></rss>").encode("utf-8")


def one(feed: bytes) -> ParsedFeed:
    parsed = parse_feed(feed, URL, "application/rss+xml")
    assert parsed.error is None, parsed.error
    return parsed


# --- identity ---------------------------------------------------------------------------


def test_poller_key_prefers_guid() -> None:
    """An item with a GUID is identified by it, not by its link."""
    parsed = one(rss(item(guid="urn:x:1", link="https://a.example/1")))
    assert parsed.items[0].key == "guid:urn:x:1"


def test_poller_key_guid_ignores_case_and_whitespace() -> None:
    """GUIDs differing only in case or surrounding whitespace give the same key."""
    keys = {one(rss(item(guid=g))).items[0].key for g in ("ABC-1", " abc-1 ", "\nAbc-1\t")}
    assert len(keys) == 1


def test_poller_key_canonical_link_without_guid() -> None:
    """Without a GUID the link is the key, minus tracking params and fragment, host lower-cased."""
    a = one(rss(item(link="HTTPS://News.Example:443/a?id=7&utm_source=x&fbclid=1#top")))
    b = one(rss(item(link="https://news.example/a?gclid=9&id=7")))
    assert a.items[0].key == b.items[0].key == "link:https://news.example/a?id=7"


def test_poller_canonical_link_keeps_meaningful_query() -> None:
    """Non-tracking parameters survive canonicalisation unchanged and in order."""
    assert canonical_link("http://x.example?b=2&a=%20&utm_medium=m") == "http://x.example/?b=2&a=%20"


def test_poller_key_falls_back_to_content_hash() -> None:
    """Without GUID or link the key is the sha256 of title and summary."""
    parsed = one(rss(item(title="Only title", desc="Only body")))
    first = parsed.items[0]
    assert first.key == f"hash:{first.content_hash}" and len(first.content_hash) == 64


def test_poller_changed_content_same_key_new_hash() -> None:
    """The same GUID with an edited title keeps its key but changes content_hash."""
    old = one(rss(item(title="Strike reported", guid="g1"))).items[0]
    new = one(rss(item(title="Strike confirmed", guid="g1"))).items[0]
    assert old.key == new.key and old.content_hash != new.content_hash


def test_poller_duplicate_items_in_one_feed_collapsed() -> None:
    """Two entries with the same identity yield one item."""
    parsed = one(rss(item(guid="g1", title="a"), item(guid="G1 ", title="b")))
    assert [i.title for i in parsed.items] == ["a"]


# --- cleaning ---------------------------------------------------------------------------


def test_poller_title_cleaned_to_text() -> None:
    """Titles lose tags, script bodies, control characters and extra whitespace."""
    raw = "&lt;b&gt;Big&lt;/b&gt; \x01news&lt;script&gt;alert(1)&lt;/script&gt;\n\n  today"
    assert one(rss(item(title=raw))).items[0].title == "Big news today"


def test_poller_text_length_capped() -> None:
    """Titles and summaries are capped at TITLE_MAX and SUMMARY_MAX characters."""
    parsed = one(rss(item(title="t" * 5000, desc="d " * 20000)))
    assert len(parsed.items[0].title) == TITLE_MAX and len(parsed.items[0].summary) <= SUMMARY_MAX


@pytest.mark.parametrize("link", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd",
                                  "ftp://x.example/a", "//x.example/a b"])
def test_poller_unsafe_links_dropped(link: str) -> None:
    """Only absolute http(s) links are kept; other schemes become ""."""
    parsed = parse_feed(rss(item(link=link, guid="g")), "", "application/rss+xml")
    assert parsed.items[0].link == ""


def test_poller_published_is_utc_aware() -> None:
    """pubDate is converted to an aware UTC datetime."""
    extra = "<pubDate>Thu, 01 Jan 2026 02:00:00 +0200</pubDate>"
    parsed = one(rss(item(guid="g", extra=extra)))
    assert parsed.items[0].published == datetime(2026, 1, 1, tzinfo=UTC)


def test_poller_ttl_and_skip_hours() -> None:
    """RSS <ttl> minutes become seconds and <skipHours> hours are collected (0-23 only)."""
    channel = "<ttl>15</ttl><skipHours><hour>1</hour><hour>23</hour><hour>99</hour></skipHours>"
    parsed = one(rss(item(guid="g"), channel=channel))
    assert parsed.ttl_seconds == 900.0 and parsed.skip_hours == frozenset({1, 23})


# --- malformed input --------------------------------------------------------------------

GOOD = [item(title=f"Item {n}", guid=f"g{n}") for n in range(10)]
MALFORMED = {
    "bad_utf8": rss(*GOOD).replace(b"Item 3", b"Item \xff\xfe3"),
    "cp1252_as_utf8": rss(*GOOD).replace(b"Item 4", "Caf\u00e9 \u201c4\u201d".encode("cp1252")),
    "utf16_bom": rss(*GOOD).decode().encode("utf-16"),
    "nul_bytes": rss(*GOOD).replace(b"Item 5", b"Item\x00 5"),
    "lone_surrogate": rss(*GOOD).replace(b"Item 6", b"Item &#xD800; 6"),
    "c0_controls": rss(*GOOD).replace(b"Item 7", b"Item \x01\x02\x1b[31m 7"),
    "truncated": rss(*GOOD)[: len(rss(*GOOD)) * 6 // 10],
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_poller_malformed_encodings_survive(name: str) -> None:
    """Broken encodings never raise; strings are clean UTF-8 and most items survive."""
    parsed = parse_feed(MALFORMED[name], URL, "application/rss+xml; charset=utf-8")
    assert len(parsed.items) >= (5 if name == "truncated" else 9)
    for it in parsed.items:
        for text in (it.title, it.summary, it.link, it.key):
            text.encode("utf-8")
            assert not any(ord(c) < 32 for c in text)
        assert len(it.title) <= 1000


@pytest.mark.parametrize("body", [b"", b"<html><body>Not found</body></html>", b"\x00" * 100])
def test_poller_not_a_feed(body: bytes) -> None:
    """A 200 that is no feed at all (empty, HTML, junk) is reported as not_a_feed."""
    assert parse_feed(body, URL, "text/html").error == "not_a_feed"


def test_poller_bozo_feed_keeps_entries() -> None:
    """A not-well-formed feed (bare '&', wrong content type) still yields its entries."""
    parsed = parse_feed(rss(item(title="A & B", guid="g")), URL, "text/html")
    assert parsed.error is None and parsed.items[0].title == "A & B"


# --- real feeds -------------------------------------------------------------------------


@pytest.mark.parametrize("path", REAL_FEEDS, ids=[p.name for p in REAL_FEEDS])
def test_poller_real_feeds_parse_with_unique_keys(path: Path) -> None:
    """Each stored real feed parses with items, titles, http(s) links and unique keys."""
    parsed = one(path.read_bytes())
    keys = [i.key for i in parsed.items]
    assert parsed.items and parsed.title and len(set(keys)) == len(keys)
    assert all(i.title and i.link.startswith("http") for i in parsed.items)


def test_poller_real_feeds_present() -> None:
    """The real-feed corpus is available (the parametrised test skips silently otherwise)."""
    if not REAL_FEEDS:
        pytest.skip("no real feeds in /work/shared/data/feeds")
    assert len(REAL_FEEDS) == 10


LEGACY = {
    "euc-kr": "정부는 오늘 새로운 경제 정책을 발표했습니다",
    "shift_jis": "政府は本日、新しい経済政策を発表しました",
    "koi8-r": "Правительство сегодня объявило о новой экономической политике",
    "windows-1255": "הממשלה הודיעה היום על מדיניות כלכלית חדשה",
}


@pytest.mark.parametrize("content_type", ["application/rss+xml", "text/xml", ""])
@pytest.mark.parametrize("codec", sorted(LEGACY))
def test_poller_undeclared_legacy_charset_is_detected(codec: str, content_type: str) -> None:
    """A feed in a legacy charset that declares none (no BOM, XML encoding or HTTP charset)
    is decoded right, not as mojibake."""
    title = LEGACY[codec]
    body = rss(item(title=title, desc=f"{title}. {title}.", guid="g1"),
               item(title=title[::-1], desc=title, guid="g2"))
    parsed = parse_feed(body.decode().encode(codec), URL, content_type)
    assert [i.title for i in parsed.items] == [title, title[::-1]]


def test_poller_enclosure_and_related_only_items_keep_a_link() -> None:
    """Items with only an enclosure, or only a related link, keep an http(s) link."""
    podcast = rss(item(title="Episode 1", extra=(
        '<guid isPermaLink="false">ep1</guid>'
        '<enclosure url="https://cdn.example/ep1.mp3" length="1" type="audio/mpeg"/>')))
    atom = ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
            '<entry><title>Related</title><id>urn:uuid:1</id><updated>2024-01-01T00:00:00Z'
            '</updated><link rel="related" href="https://news.example/story"/></entry></feed>')
    assert parse_feed(podcast, URL).items[0].link == "https://cdn.example/ep1.mp3"
    assert parse_feed(atom.encode(), URL).items[0].link == "https://news.example/story"
