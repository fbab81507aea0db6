"""The HTTP API over a real redis-server: filters, paging, feeds, DLQ replay."""

import threading
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
import redis as redis_sync

from shared import streams
from shared.schemas import Modality
from shared.streams import RETRY_KEY
from tests.web_support import client, make_event, record, web_config

pytestmark = pytest.mark.integration


def _ids(answer: dict[str, object]) -> list[str]:
    return [item["id"] for item in answer["items"]]  # type: ignore[attr-defined,index]


def test_filters_narrow_the_timeline(redis_url: str) -> None:
    """Each filter (tag, modality, subscription, feed, country, text, time) narrows the list."""
    now = datetime.now(UTC).timestamp()
    record(redis_url, [make_event(1), make_event(2, feed="Wire Two", country="Yemen")],
           [("desk", "json", "sent")], start=now)
    record(redis_url, [make_event(3, tag="sanction", modality=Modality.THREATENED,
                                  title="Ministry weighs new export curbs")],
           [("sanctions", "email", "dead")], start=now + 1)
    with client(web_config(redis_url), redis_url) as web:
        def ids(**params: str) -> list[str]:
            answer = web.get("/api/events", params=params)
            assert answer.status_code == 200, answer.text
            return _ids(answer.json())

        assert ids() == ["art-000003", "art-000002", "art-000001"]
        assert ids(tag="sanction") == ["art-000003"]
        assert ids(modality="threatened") == ["art-000003"]
        assert ids(subscription="desk") == ["art-000002", "art-000001"]
        assert ids(feed="wire two") == ["art-000002"]
        assert ids(country="YEMEN") == ["art-000002"]
        assert ids(q="export CURBS") == ["art-000003"]
        assert ids(q="summary 1.") == ["art-000001"]
        assert ids(tag="military_strike", country="Iraq") == ["art-000001"]
        later = datetime.fromtimestamp(now + 0.5, UTC).isoformat()
        assert ids(since=later) == ["art-000003"]
        assert ids(until=later) == ["art-000002", "art-000001"]
        one = web.get("/api/events/art-000003").json()
        assert one["deliveries"] == [{"subscription": "sanctions", "channel": "email",
                                      "outcome": "dead"}]
        assert web.get("/api/events/nope").status_code == 404


def test_paging_is_stable_under_concurrent_inserts(redis_url: str) -> None:
    """Following ``next`` while events keep arriving returns every older event exactly once."""
    start = datetime.now(UTC).timestamp() - 100
    record(redis_url, [make_event(i) for i in range(120)], start=start)
    stop = threading.Event()

    def writer() -> None:
        number = 1000
        while not stop.is_set():
            record(redis_url, [make_event(number)])
            number += 1

    thread = threading.Thread(target=writer)
    with client(web_config(redis_url), redis_url) as web:
        first = web.get("/api/events", params={"limit": 25}).json()
        seen = [i for i in _ids(first) if i < "art-001000"]
        newest_first = len(_ids(first)) - len(seen)
        thread.start()
        cursor = first["next"]
        try:
            while cursor:
                page = web.get("/api/events", params={"limit": 25, "cursor": cursor}).json()
                seen += _ids(page)
                cursor = page["next"]
                time.sleep(0.01)
        finally:
            stop.set()
            thread.join()
    assert newest_first == 0
    assert len(seen) == len(set(seen)) == 120
    assert seen == [f"art-{i:06d}" for i in reversed(range(120))]


def test_live_updates_return_only_newer_events(redis_url: str) -> None:
    """``after=<cursor>`` returns the events first seen after that cursor, oldest first."""
    members = record(redis_url, [make_event(1), make_event(2), make_event(3)])
    with client(web_config(redis_url), redis_url) as web:
        answer = web.get("/api/events", params={"after": members[0]}).json()
    assert _ids(answer) == ["art-000002", "art-000003"]
    assert answer["latest"] == members[2]


def test_atom_feed_validates_with_hostile_titles(redis_url: str) -> None:
    """The per-subscription Atom feed parses without bozo and keeps hostile text as text."""
    hostile = "Strike <script>alert(1)</script> & \x01\x0b ]]> report"
    record(redis_url, [make_event(1, title=hostile), make_event(2)], [("desk", "json", "sent")])
    with client(web_config(redis_url, base_url="https://alerts.example"), redis_url) as web:
        answer = web.get("/feeds/desk.atom")
        assert web.get("/feeds/nobody.atom").status_code == 404
    assert answer.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == 2
    newest = parsed.entries[1]
    assert "<script>alert(1)</script>" in newest.title
    assert newest.id == "urn:newsalert:event:art-000001"
    assert any(link.href == "https://alerts.example/events/art-000001" for link in newest.links)


def test_opml_export_lists_feeds(redis_url: str) -> None:
    """/feeds.opml is an OPML document with every configured feed."""
    with client(web_config(redis_url), redis_url) as web:
        answer = web.get("/feeds.opml")
    assert answer.status_code == 200
    outlines = ET.fromstring(answer.content).findall("./body/outline")
    assert [(o.get("text"), o.get("xmlUrl")) for o in outlines] == [
        ("Wire One", "https://news.example/rss"), ("Wire Two", "https://other.example/atom")]


def test_dlq_listing_and_replay(redis_url: str) -> None:
    """GET /api/dlq lists a dead delivery; POST …/retry moves it to the retry schedule."""
    event = make_event(7)
    sync = redis_sync.Redis.from_url(redis_url)
    mid = sync.xadd(streams.DLQ, {
        "source": "delivery", "subscription": "desk", "url_id": "abc123", "channel": "json",
        "event_id": event.id, "reason": "http 500", "deliveries": "5",
        "failed_at": f"{time.time():.3f}", "__data__": event.model_dump_json()}).decode()
    with client(web_config(redis_url), redis_url) as web:
        listing = web.get("/api/dlq").json()
        assert [e["id"] for e in listing["dlq"]] == [mid]
        assert listing["dlq"][0]["title"] == event.article.title
        assert web.post(f"/api/dlq/{mid}/retry").status_code == 403  # no CSRF token
        token = web.get("/dlq").text.split('name="csrf" value="')[1].split('"')[0]
        answer = web.post(f"/api/dlq/{mid}/retry", headers={"X-CSRF-Token": token})
        assert answer.status_code == 200, answer.text
        assert web.post(f"/api/dlq/{mid}/retry", headers={"X-CSRF-Token": token}
                        ).status_code == 404
        retries = web.get("/api/dlq").json()["retries"]
    assert sync.xlen(streams.DLQ) == 0
    assert sync.zcard(RETRY_KEY) == 1
    assert retries[0]["event_id"] == event.id
    sync.close()


def test_openapi_document_and_headers(redis_url: str) -> None:
    """The OpenAPI document lists the API; answers carry CSP and escape '<' in JSON."""
    record(redis_url, [make_event(1, title="A <b>bold</b> claim")])
    with client(web_config(redis_url), redis_url) as web:
        spec = web.get("/api/openapi.json").json()
        answer = web.get("/api/events")
    for path in ("/api/events", "/api/events/{event_id}", "/api/feeds", "/api/dlq",
                 "/api/dlq/{entry_id}/retry"):
        assert path in spec["paths"]
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert "'unsafe-inline'" not in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert b"<b>" not in answer.content and b"\\u003cb\\u003e" in answer.content
    assert answer.json()["items"][0]["title"] == "A <b>bold</b> claim"


def test_time_filter_rejects_bad_dates(redis_url: str) -> None:
    """A malformed ``since`` is a 422 with the field named, not a server error."""
    with client(web_config(redis_url), redis_url) as web:
        answer = web.get("/api/events", params={"since": "yesterday"})
    assert answer.status_code == 422
    assert "since" in answer.text


def test_pages_render_and_escape_hostile_titles(redis_url: str) -> None:
    """Every page answers 200 and shows a hostile title as text, never as markup."""
    hostile = '<img src=x onerror=alert(1)> "quoted" & more'
    record(redis_url, [make_event(1, title=hostile, sentence="Jets struck <b>here</b>.")],
           [("desk", "json", "sent")])
    with client(web_config(redis_url), redis_url) as web:
        paths = ("/", "/events/art-000001", "/feeds", "/dlq", "/subscriptions",
                 "/?q=onerror&tag=military_strike")
        pages = {path: web.get(path) for path in paths}
    for path, answer in pages.items():
        assert answer.status_code == 200, path
        assert "<img src=x" not in answer.text, path
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages["/"].text
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages["/?q=onerror&tag=military_strike"].text
    assert "<mark>struck</mark> &lt;b&gt;here&lt;/b&gt;." in pages["/events/art-000001"].text
    assert "desk</td><td>json</td>" in pages["/events/art-000001"].text.replace("\n", "")


def test_page_date_filters_take_whole_utc_days(redis_url: str) -> None:
    """The timeline's "to" date includes that whole UTC day; "from" starts at its midnight."""
    record(redis_url, [make_event(1, title="Dated story")])
    today = datetime.now(UTC).date()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    with client(web_config(redis_url), redis_url) as web:
        def shown(**params: str) -> bool:
            return "Dated story" in web.get("/", params=params).text

        assert shown(until=today.isoformat()) and shown(since=today.isoformat())
        assert not shown(until=yesterday.isoformat())
        assert not shown(since=tomorrow.isoformat())


def test_event_page_says_when_later_sources_are_gone(redis_url: str) -> None:
    """An event whose story closed shows its source count and why the list is shorter."""
    event = make_event(1).model_copy(update={"sources": 3, "cluster_id": "closed-story"})
    record(redis_url, [event])
    with client(web_config(redis_url), redis_url) as web:
        page = web.get("/events/art-000001").text
    assert "Sources (3)" in page
    assert "3 outlets reported this story" in page
