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
from hypothesis import HealthCheck, given, reject, settings

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
from tests.fuzz_entries import MAX_ENTRY, article_entries, event_entries, with_huge

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
