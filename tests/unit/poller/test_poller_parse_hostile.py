"""Unit tests for services.poller.parse against hostile markup: the entity pre-filter and the
bounded parser pool that backs it up."""

import signal
import time
import tracemalloc
from collections.abc import Iterator

import pytest

from services.poller.parse import parse_feed, parse_unfiltered
from services.poller.parse_pool import ParserPool, parse_feed_bounded
from tests.support import eventually_sync
from tests.unit.poller.test_poller_parse import GOOD, URL, item, one, rss

MB = 1 << 20


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
