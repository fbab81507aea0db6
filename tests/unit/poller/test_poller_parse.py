"""Unit tests for services.poller.parse: pre-filter, item identity, cleaning, bounded parsing."""

import signal
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.poller.items import SUMMARY_MAX, TITLE_MAX, ParsedFeed, canonical_link
from services.poller.parse import parse_feed, parse_unfiltered
from services.poller.parse_pool import ParserPool, parse_feed_bounded
from tests.support import eventually_sync

URL = "https://feeds.example/rss"
REAL_FEEDS = sorted(Path("/work/shared/data/feeds").glob("*.*"))
MB = 1 << 20


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


# --- hostile markup --------------------------------------------------------------------

LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">\n' for i in range(1, 10))
BILLION = f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY l0 "lol">\n{LAUGHS}]>\n'
PADDING = "<!--" + "x" * 70_000 + "-->\n"


def quadratic(size: int, refs: int) -> bytes:
    prolog = f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY big "{"A" * size}">\n]>\n'
    return rss(item(title="&big;" * refs, guid="g"), prolog=prolog)


HOSTILE = {
    "billion_laughs": rss(item(title="&l9;", guid="g"), prolog=BILLION),
    "billion_after_70k": (PADDING + BILLION).encode() + rss(item(title="&l9;")),
    "quadratic_70k": quadratic(10_000, 20_000),
    "quadratic_330k": quadratic(30_000, 100_000),
    "xxe_file": rss(item(title="A&xxe;B"), prolog=(
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_poller_entity_declarations_refused_fast_and_small(name: str) -> None:
    """DTD subsets/entities are refused before feedparser with < 64 MB traced peak."""
    tracemalloc.start()
    try:
        parsed = parse_feed(HOSTILE[name], URL, "application/rss+xml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert parsed.error == "doctype_refused" and parsed.items == []
    assert peak < 64 * MB


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_poller_entity_refusal_across_encodings(codec: str) -> None:
    """The pre-filter sees entity declarations in UTF-16/32 (with or without BOM) too."""
    text = HOSTILE["quadratic_70k"].decode().replace('version="1.0"?>',
                                                     f'version="1.0" encoding="{codec}"?>')
    assert parse_feed(text.encode(codec), URL).error == "doctype_refused"


def test_poller_external_doctype_without_subset_allowed() -> None:
    """A plain RSS 0.91 DOCTYPE (no internal subset, nothing fetched) is still parsed."""
    prolog = ('<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
              '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n')
    assert one(rss(item(title="Kept", guid="g"), prolog=prolog)).items[0].title == "Kept"


def test_poller_feedparser_itself_does_not_read_xxe_files() -> None:
    """Defence in depth: even unfiltered, an external entity does not pull /etc/passwd in."""
    parsed = parse_unfiltered(HOSTILE["xxe_file"], URL, "application/rss+xml")
    fields = [parsed.title] + [i.title + i.summary for i in parsed.items]
    assert not any("root:" in f for f in fields)


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


# --- bounded parsing (entity-expansion backstop)---------------------------------------------------


@pytest.fixture
def pool() -> Iterator[ParserPool]:
    parsers = ParserPool(workers=1)
    yield parsers
    parsers.shutdown()


async def test_poller_bounded_parse_matches_inline() -> None:
    """parse_feed_bounded returns the same result as parse_feed, from a worker process."""
    feed = rss(*GOOD)
    assert await parse_feed_bounded(feed, URL, "application/rss+xml") == one(feed)
    assert (await parse_feed_bounded(HOSTILE["billion_laughs"], URL)).error == "doctype_refused"


async def test_poller_bounded_parse_memory_cap_backstop(pool: ParserPool) -> None:
    """Without the pre-filter, the quadratic blow-up hits the worker's RLIMIT_AS, not the host."""
    parsed = await pool.parse(HOSTILE["quadratic_330k"], URL, "", 10.0, prefilter=False)
    assert parsed.error == "parse_memory"  # not parse_timeout: the cap hit before the deadline
    assert (await pool.parse(rss(*GOOD), URL, "", 10.0)).items


async def test_poller_bounded_parse_deadline_kills_worker(pool: ParserPool) -> None:
    """A parse overrunning its deadline returns parse_timeout and the pool recovers."""
    slow = rss(*(item(title=f"T{n} &amp; x", desc="<p>d</p>" * 50) for n in range(3000)))
    assert (await pool.parse(slow, URL, "", 0.05)).error == "parse_timeout"
    assert len((await pool.parse(rss(*GOOD), URL, "", 10.0)).items) == 10


def test_parser_pool_shutdown_kills_a_stuck_worker(pool: ParserPool) -> None:
    """Shutdown gives a busy worker a grace period, then kills it instead of waiting forever."""
    executor = pool.executor()
    stuck = executor.submit(time.sleep, 60)
    eventually_sync(stuck.running, within=10, what="a worker took the 60 s job")
    workers = list(executor._processes.values())
    pool.shutdown(grace=0.5)
    assert workers and not any(p.is_alive() for p in workers)
    # Killed, not awaited: a worker that finished its 60 s sleep would have exited with 0.
    assert any(p.exitcode == -signal.SIGKILL for p in workers)


XXE_POST = ("How XXE works: a document declares <!DOCTYPE foo [<!ENTITY xxe SYSTEM "
            '"file:///etc/passwd">]> and then uses &amp;xxe; in its body.')


@pytest.mark.parametrize("wrap", ["cdata", "escaped", "comment"])
def test_poller_entity_quoted_in_an_item_is_news(wrap: str) -> None:
    """An item that quotes <!ENTITY (a security blog post) is published, not refused."""
    quoted = {"cdata": f"<![CDATA[{XXE_POST}]]>",
              "escaped": XXE_POST.replace("<", "&lt;").replace(">", "&gt;"),
              "comment": "Explained below<!-- <!ENTITY x 'y'> -->"}[wrap]
    parsed = parse_feed(rss(item(title="Anatomy of an XXE attack", desc=quoted, guid="x1")),
                        URL, "application/rss+xml")
    assert parsed.error is None
    assert [i.title for i in parsed.items] == ["Anatomy of an XXE attack"]


def test_poller_entities_in_the_prolog_still_refused_after_comments_and_pis() -> None:
    """A DOCTYPE with entities after a comment, a PI and a BOM is still in the prolog."""
    prolog = ('\ufeff<?xml version="1.0"?>\n<!-- <rss> in a comment -->\n<?xml-stylesheet '
              'href="s.xsl"?>\n<!DOCTYPE rss [<!ENTITY e "x">]>\n')
    assert parse_feed(rss(item(title="&e;"), prolog=prolog), URL).error == "doctype_refused"


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
