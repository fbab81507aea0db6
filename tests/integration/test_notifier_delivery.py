"""Delivery guarantees against a real Redis and scripted local webhook sinks."""

import math
from collections.abc import AsyncIterator, Callable, Iterator

import pytest

from services.notifier.delivery import DeliveryStore, url_id
from services.notifier.dispatch import Dispatcher
from shared import streams
from shared.broker import make_redis
from shared.config import AppConfig, NotifierSettings, Subscription
from shared.schemas import Article, Event, Evidence, Tag
from tests.servers import HttpServer, Route
from tests.support import SimClock

FAST = NotifierSettings(max_attempts=4, retry_base=0.05, retry_max=0.2, timeout=5,
                        circuit_open=0.1)


def event(n: int) -> Event:
    """A strike event with a distinct id."""
    article = Article(id=f"art-{n}", feed="wire", url=f"https://wire.test/{n}",
                      title=f"Air strike number {n} hits a depot", summary="")
    tag = Tag(name="military_strike", evidence=[Evidence(sentence="Air strike", cues=["strike"])])
    return Event(id=f"ev-{n}", article=article, tags=[tag])


def scripted(statuses: Iterator[tuple[int, dict[str, str]]]) -> Route:
    """A sink route answering with the next scripted (status, headers), then 200."""
    def route(path: str, headers: dict[str, str], body: bytes) -> tuple[
            int, dict[str, str], bytes]:
        status, extra = next(statuses, (200, {}))
        return status, extra, b"x"
    return route


def config(*subs: tuple[str, list[str]], settings: NotifierSettings = FAST) -> AppConfig:
    """Subscriptions (name, urls) for strikes."""
    return AppConfig(notifier=settings, subscriptions=[
        Subscription(name=name, urls=urls, tags=["military_strike"]) for name, urls in subs])


@pytest.fixture(name="clock")
def _clock() -> SimClock:
    return SimClock()


@pytest.fixture(name="store")
async def _store(redis_url: str, clock: SimClock) -> AsyncIterator[DeliveryStore]:
    redis = make_redis(redis_url)
    yield DeliveryStore(redis, now=clock)
    await redis.aclose()


async def run_retries(dispatcher: Dispatcher, clock: SimClock, until: float = math.inf) -> None:
    """Jump the simulated clock from one due retry to the next and run it, until nothing is
    scheduled before ``until``: every backoff, pause and Retry-After is honoured, none waited."""
    while (due := await dispatcher.store.next_due()) is not None and due < until:
        clock.now = max(clock.now, due)
        await dispatcher.retry_due()


async def test_500s_then_success_delivers_once(
        store: DeliveryStore, clock: SimClock,
        http_server: Callable[[Route], HttpServer]) -> None:
    """500, 500, 500, 200 → delivered exactly once after 4 attempts, nothing left to retry."""
    sink = http_server(scripted(iter([(500, {})] * 3)))
    url = f"json://127.0.0.1:{sink.port}/hook"
    dispatcher = Dispatcher(config(("desk", [url])), store)
    await dispatcher.on_event(event(1))
    await run_retries(dispatcher, clock)
    assert len(sink.requests) == 4
    assert await store.was_sent("desk", "ev-1", url_id(url))
    assert await store.pending_retries() == 0
    assert await store.redis.xlen(streams.DLQ) == 0


async def test_redelivered_event_is_not_sent_twice(
        store: DeliveryStore, webhook_sink: HttpServer) -> None:
    """The same event handled twice (a redelivery) reaches the channel once."""
    url = f"json://127.0.0.1:{webhook_sink.port}/hook"
    dispatcher = Dispatcher(config(("desk", [url])), store)
    await dispatcher.on_event(event(2))
    await dispatcher.on_event(event(2))
    assert len(webhook_sink.requests) == 1


async def test_permanent_failure_goes_to_dlq_others_unaffected(
        store: DeliveryStore, clock: SimClock, http_server: Callable[[Route], HttpServer],
        webhook_sink: HttpServer) -> None:
    """A channel that always fails is dead-lettered after max_attempts; another gets everything."""
    broken = http_server(lambda p, h, b: (500, {}, b"down"))
    bad = f"json://user:SECRETPASS77@127.0.0.1:{broken.port}/hook"
    good = f"json://127.0.0.1:{webhook_sink.port}/hook"
    dispatcher = Dispatcher(config(("bad", [bad]), ("good", [good])), store)
    for n in range(3):
        await dispatcher.on_event(event(10 + n))
    assert len(webhook_sink.requests) == 3
    await run_retries(dispatcher, clock)
    entries = await store.redis.xrange(streams.DLQ)
    assert len(entries) == 3
    assert len(broken.requests) == 3 * FAST.max_attempts
    for _, fields in entries:
        assert fields[b"subscription"] == b"bad"
        assert b"SECRETPASS77" not in b"".join(fields.values())
    assert await store.pending_retries() == 0


async def test_retry_after_pauses_only_that_channel(
        store: DeliveryStore, clock: SimClock, http_server: Callable[[Route], HttpServer],
        webhook_sink: HttpServer) -> None:
    """429 with Retry-After: 5 → no request to that channel for 5 s; other channels go on."""
    limited = http_server(scripted(iter([(429, {"Retry-After": "5"})])))
    slow_url = f"json://127.0.0.1:{limited.port}/hook"
    fast_url = f"json://127.0.0.1:{webhook_sink.port}/hook"
    dispatcher = Dispatcher(config(("a", [slow_url]), ("b", [fast_url])), store)
    started = clock.now
    await dispatcher.on_event(event(20))
    for n in range(21, 24):
        await dispatcher.on_event(event(n))
    assert len(webhook_sink.requests) == 4, "the other channel is not delayed"
    await run_retries(dispatcher, clock, until=started + 4.9)
    assert len(limited.requests) == 1, "nothing sent to the limited channel within Retry-After"
    await run_retries(dispatcher, clock)
    assert len(limited.requests) == 5
    for n in range(20, 24):
        assert await store.was_sent("a", f"ev-{n}", url_id(slow_url))
