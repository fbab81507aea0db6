"""Fuzz: random and hostile stream entries through each consumer, within a CPU budget each.

Every entry either decodes and runs through the consumer's whole logic (classifier: tags,
watch topics, clustering, the event it would publish, its log line; notifier: routing and
rendering for every channel kind, digests, log line), or is refused with a reason for the
DLQ. Nothing may raise, hang or take more than ``BUDGET`` CPU seconds.

``make test`` runs 500 cases per consumer; set ``NEWSALERT_FUZZ_EXAMPLES=10000`` for the
nightly-size run (about two minutes on two cores, up to ~5 GB of memory).
"""

import asyncio
import json
import logging
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st

from services.classifier.classify import classify_article
from services.classifier.clustering.cluster import Clusterer, apply_cluster
from services.classifier.clustering.memory_store import MemoryStore
from services.classifier.clustering.model import Thresholds
from services.classifier.watch import WatchMatcher
from services.notifier import routes
from services.notifier.render import render_digest, render_event
from shared import streams
from shared.config import AppConfig, ClusterSettings
from shared.consume import _Consumer
from shared.logs import RedactingFilter
from shared.schemas import Article, Event

EXAMPLES = int(os.environ.get("NEWSALERT_FUZZ_EXAMPLES", "500"))
BUDGET = 1.0  # CPU seconds per entry (the bound for any process)
KINDS = ("json", "markdown", "html", "text", "slack", "discord", "telegram", "email", "matrix",
         "ntfy")
CONFIG = AppConfig.model_validate({
    "watch": [{"name": "fly-baghdad", "any": ["Fly Baghdad"], "regex": [r"(a+)+b", r"\bKH\b"]}],
    "subscriptions": [{"name": "desk", "urls": ["json://127.0.0.1:9/h"],
                       "tags": ["military_strike", "sanction", "fly-baghdad"],
                       "countries": ["Iraq"], "quiet_hours": {"start": "22:00", "end": "06:00"}}],
})
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES <= 500,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example, HealthCheck.filter_too_much])

# Units repeated into big values: shapes that made regexes or parsers go quadratic before.
UNITS = ["a", "a://", "x:", ":", "@", "<", "&amp;", "\\", "*", "[", "{", "\n", " ", "é", "攻撃",
         "\u202e", "\x00", "strike ", "sanctioned ", "Fly Baghdad ", "\ud800"]
# Drawn values go up to 1 MB; the 10 MB entries are fixed ones (HUGE), run in every mode.
# Drawing 10 MB values made Hypothesis hold gigabytes over a 10,000-case run.
SIZES = [1, 100, 10_000, 200_000, 1_000_000]
big_text = st.builds(lambda unit, size: (unit * (size // len(unit) + 1))[:size],
                     st.sampled_from(UNITS), st.sampled_from(SIZES))
# Every field gets a small value; at most one field per entry gets a big one, so an entry
# stays near 10 MB (several drawn 10 MB values per event once took 23 GB while shrinking).
text = st.one_of(st.text(max_size=300),
                 st.builds(lambda unit, size: unit * size, st.sampled_from(UNITS),
                           st.sampled_from([1, 100, 2_000])),
                 st.sampled_from(["US forces struck three Kataib Hezbollah sites in Iraq",
                                  "Treasury sanctions Fly Baghdad and three KH leaders"]))
when = st.one_of(st.none(), st.integers(), st.sampled_from([
    "2024-01-23T10:00:00", "2024-01-23T10:00:00Z", "2024-01-23T10:00:00-05:00",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2024-02-30T00:00:00", "now"]))
nested = st.builds(lambda depth, opener: opener * depth, st.sampled_from([10, 1000, 200_000]),
                   st.sampled_from(["[", "{\"a\":"]))


@st.composite
def article_json(draw: st.DrawFn) -> dict[str, Any]:
    """An article-shaped object with random, huge or wrong-typed fields (some missing)."""
    value = st.one_of(text, when, st.integers(), st.lists(st.integers(), max_size=3))
    data: dict[str, Any] = {"id": draw(st.one_of(text, st.just("a1"))), "feed": draw(text),
                            "title": draw(text), "summary": draw(text), "url": draw(text),
                            "published": draw(when), "fetched_at": draw(when)}
    for key in draw(st.lists(st.sampled_from(sorted(data)), max_size=3)):
        if draw(st.booleans()):
            data[key] = draw(value)
        else:
            data.pop(key, None)
    big = draw(st.sampled_from(["", "id", "feed", "title", "summary", "url", "junk"]))
    if big:
        data[big] = draw(big_text)
    return data


def _json(data: Any, ascii_only: bool) -> bytes:
    # Lone surrogates pass through as invalid UTF-8 when not escaped: hostile values too.
    return json.dumps(data, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def event_json(article: dict[str, Any], tags: list[dict[str, Any]]) -> dict[str, Any]:
    """An event around ``article`` as the classifier would publish it (or a mangled one)."""
    return {"id": article.get("id", "e1"), "article": article, "tags": tags}


tag = st.fixed_dictionaries({"name": st.one_of(st.sampled_from(["military_strike", "sanction",
                                                                "fly-baghdad"]), text)},
                            optional={"evidence": st.lists(st.fixed_dictionaries(
                                {"sentence": text, "cues": st.lists(text, max_size=3)}),
                                max_size=3),
                                "fields": st.dictionaries(st.sampled_from(["country", "actor"]),
                                                          st.lists(text, max_size=3)),
                                "confidence": st.floats(), "modality": text})


def entries(payload: st.SearchStrategy[bytes]) -> st.SearchStrategy[dict[bytes, bytes]]:
    """Stream entries: FastStream-style ``__data__``, hand-written fields, raw bytes, nesting."""
    raw_bytes = st.binary(max_size=64)
    return st.one_of(
        payload.map(lambda body: {b"__data__": body}),
        st.dictionaries(st.one_of(raw_bytes, st.sampled_from([b"id", b"title", b"feed"])),
                        st.one_of(raw_bytes, text.map(lambda s: s.encode("utf-8", "replace"))),
                        max_size=5),
        nested.map(lambda body: {b"__data__": body.encode()}),
        raw_bytes.map(lambda body: {b"__data__": body}),
    )


article_entries = entries(st.builds(_json, article_json(), st.booleans()))
event_entries = entries(st.builds(_json, st.builds(event_json, article_json(),
                                                   st.lists(tag, max_size=3)), st.booleans()))


TEN_MB = 10 * 1024 * 1024
MAX_ENTRY = TEN_MB + 4096  # the fixed 10 MB entries plus their JSON around the value
HUGE = [
    {b"__data__": json.dumps({"id": "a1", "feed": "f", "title": "sanctioned " * (TEN_MB // 11),
                              "published": "2024-01-23T10:00:00"}).encode()},
    {b"__data__": json.dumps({"id": "x" * TEN_MB, "feed": "f", "title": "t"}).encode()},
    {b"__data__": b'{"id": "a1", "feed": "f", "title": "t", "junk": "' + b"a://x:" * (TEN_MB // 6)
     + b'"}'},
    {b"__data__": b"[" * TEN_MB},
    {b"\xff" * (TEN_MB // 2): b"\xfe" * 16, b"title": b"\xc3" * (TEN_MB // 2)},
]


def with_huge(test: Any) -> Any:
    """Add the fixed 10 MB entries as explicit examples of ``test``."""
    for fields in HUGE:
        test = example(fields=fields)(test)
    return test


@pytest.fixture(name="loop", scope="module")
def _loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    # One-time costs (rule tables, gazetteer, regex compilation: over 1 s) are paid here,
    # so the per-entry budget measures each entry's own work.
    warm = Article(id="warm", feed="wire", title="US forces struck three sites in Iraq",
                   summary="Treasury sanctioned Fly Baghdad.")
    loop.run_until_complete(_classify(warm))
    loop.run_until_complete(_notify(Event(id="warm", article=warm, tags=classify_article(
        warm.title, warm.summary, WatchMatcher(CONFIG.watch)))))
    yield loop
    loop.close()


def _log_line(title: str) -> str:
    record = logging.LogRecord("fuzz", logging.INFO, __file__, 1, "tagged %s", (title,), None)
    RedactingFilter().filter(record)
    return record.getMessage()


async def _classify(article: Article) -> None:
    tags = classify_article(article.title, article.summary, WatchMatcher(CONFIG.watch))
    if not tags:
        return
    clusterer = Clusterer(MemoryStore(), 48 * 3600.0, Thresholds.of(ClusterSettings()))
    event = await apply_cluster(clusterer, Event(id=article.id, article=article, tags=tags))
    if event is not None:
        Event.model_validate_json(event.model_dump_json().encode())  # what the notifier reads
    assert "\n" not in _log_line(article.title)


async def _notify(event: Event) -> None:
    for sub in CONFIG.subscriptions:
        routes.matches(sub, event)
        routes.in_quiet_hours(sub, event.classified_at, [t.name for t in event.tags if t.alert])
    for kind in KINDS:
        render_event(event, kind)
    render_digest([event, event], "email")
    assert "\n" not in _log_line(event.article.title)


def _run(loop: asyncio.AbstractEventLoop, consumer: _Consumer, fields: dict[bytes, bytes]) -> None:
    # Entries up to 10 MB: several drawn 10 MB fields in one entry would be 60 MB, whose
    # JSON parse alone nears the budget (linear, but not the size the budget is for).
    if sum(len(k) + len(v) for k, v in fields.items()) > MAX_ENTRY:
        reject()
    # The test-wide log capture would keep every record of every case (10,000 cases of
    # megabyte titles: gigabytes); the log line itself is checked by _log_line.
    logging.disable(logging.CRITICAL)
    started = time.process_time()
    try:
        item, reason, _body = consumer.decode(fields)
        if item is None:
            assert reason and len(reason) < 2000, "a refused entry carries a bounded DLQ reason"
        else:
            loop.run_until_complete(consumer.handle(item))
        spent = time.process_time() - started
    finally:
        logging.disable(logging.NOTSET)
    assert spent < BUDGET, f"{spent:.2f} s CPU for one entry"


def _consumer(model: type[Article] | type[Event], handle: Any) -> _Consumer:
    return _Consumer(stream=streams.ARTICLES, group="fuzz", model=model, handle=handle,
                     redis=lambda: None)  # type: ignore[arg-type,return-value]


@FUZZ
@with_huge
@given(fields=article_entries)
def test_classifier_survives_any_entry(loop: asyncio.AbstractEventLoop,
                                       fields: dict[bytes, bytes]) -> None:
    """Any articles-stream entry is handled or refused with a reason, within 1 s CPU."""
    _run(loop, _consumer(Article, _classify), fields)


@FUZZ
@with_huge
@given(fields=event_entries)
def test_notifier_survives_any_entry(loop: asyncio.AbstractEventLoop,
                                     fields: dict[bytes, bytes]) -> None:
    """Any events-stream entry is routed and rendered, or refused with a reason, within 1 s CPU."""
    _run(loop, _consumer(Event, _notify), fields)


def test_naive_published_strike_article_clusters_and_publishes(
        loop: asyncio.AbstractEventLoop) -> None:
    """The strike article with a zone-less ``published`` that once failed its batch now clusters."""
    body = json.dumps({"id": "naive-1", "feed": "wire", "published": "2024-01-23T10:00:00",
                       "title": "US forces struck three Kataib Hezbollah sites in Iraq"}).encode()
    seen: list[Event] = []

    async def handle(article: Article) -> None:
        tags = classify_article(article.title, article.summary)
        clusterer = Clusterer(MemoryStore(), 48 * 3600.0, Thresholds.of(ClusterSettings()))
        event = await apply_cluster(clusterer, Event(id=article.id, article=article, tags=tags))
        seen.extend([event] if event else [])

    consumer = _consumer(Article, handle)
    item, reason, _ = consumer.decode({b"__data__": body})
    assert item is not None, reason
    loop.run_until_complete(consumer.handle(item))
    assert [e.article.id for e in seen] == ["naive-1"] and seen[0].cluster_id
