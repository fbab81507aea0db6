"""Helpers of the web tests: made-up events, writing them to the history, a configured app."""

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
import uvicorn

from services.web.app import create_app
from shared.broker import make_redis
from shared.config import AppConfig
from shared.history import HistoryStore
from shared.schemas import Article, Event, Evidence, Modality, Tag
from tests.servers import free_port


def make_event(number: int, *, title: str = "", tag: str = "military_strike",
               modality: Modality = Modality.OCCURRED, feed: str = "Wire One",
               country: str = "Iraq", summary: str = "", cluster: str | None = None,
               sentence: str = "", cues: tuple[str, ...] = ("struck",)) -> Event:
    """A classified event written for these tests (no real article text)."""
    title = title or f"Test story number {number} about an air raid"
    article = Article(id=f"art-{number:06d}", feed=feed, url=f"https://news.example/{number}",
                      title=title, summary=summary or f"Summary {number}.",
                      published=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    tag_obj = Tag(name=tag, kind="event" if tag in ("military_strike", "sanction") else "watch",
                  modality=modality, confidence=0.8,
                  evidence=[Evidence(sentence=sentence or f"Jets struck a depot in story {number}.",
                                     cues=list(cues))],
                  fields={"country": [country], "location": ["Depot town"]})
    return Event(id=f"art-{number:06d}", article=article, tags=[tag_obj], cluster_id=cluster)


async def _record(redis_url: str, events: list[Event], deliveries: list[tuple[str, str, str]],
                  start: float) -> list[str]:
    redis = make_redis(redis_url)
    store = HistoryStore(redis)
    try:
        members = [await store.record(e, at=start + i * 0.01) for i, e in enumerate(events)]
        for event in events:
            for sub, channel, outcome in deliveries:
                await store.delivery(event.id, sub, channel, outcome)
        return members
    finally:
        await redis.aclose()


def record(redis_url: str, events: list[Event],
           deliveries: Sequence[tuple[str, str, str]] = (), start: float | None = None,
           ) -> list[str]:
    """Write events (and the same deliveries for each) to the history; returns members."""
    begin = datetime.now(UTC).timestamp() if start is None else start
    return run_async(lambda: _record(redis_url, events, list(deliveries), begin))


T = TypeVar("T")


def run_async(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on its own thread and loop (a browser test's thread has a loop)."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(asyncio.run(work()))
        except BaseException as exc:  # re-raised in the calling thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    if errors:
        raise errors[0]
    return results[0]


def web_config(redis_url: str, **web: Any) -> AppConfig:
    """A config with two subscriptions and two feeds, and ``web`` settings."""
    return AppConfig.model_validate({
        "redis": {"url": redis_url},
        "feeds": [{"url": "https://news.example/rss", "name": "Wire One"},
                  {"url": "https://other.example/atom", "name": "Wire Two"}],
        "subscriptions": [
            {"name": "desk", "urls": ["json://127.0.0.1:9/hook"], "tags": ["military_strike"]},
            {"name": "sanctions", "urls": ["json://127.0.0.1:9/s"], "tags": ["sanction"]}],
        "web": web,
    })


@contextlib.contextmanager
def serve_web(config: AppConfig, redis_url: str) -> Iterator[str]:
    """The real app under uvicorn on a free loopback port (own thread); yields its base URL."""
    port = free_port()
    settings = uvicorn.Config(create_app(config, redis_url), host="127.0.0.1", port=port,
                              log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(settings)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.02)
    assert server.started, "the web app did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@contextlib.contextmanager
def client(config: AppConfig, redis_url: str, **options: Any) -> Iterator[httpx.Client]:
    """An HTTP client of the served app."""
    with serve_web(config, redis_url) as base, httpx.Client(base_url=base, timeout=10,
                                                            **options) as http:
        yield http
