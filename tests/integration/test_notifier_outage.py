"""Chaos on a simulated clock: channel outages shorter than `retry_for` lose nothing."""

import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest

from services.notifier.delivery import DeliveryStore
from services.notifier.dispatch import Dispatcher
from shared import streams
from shared.broker import make_redis
from shared.config import AppConfig, NotifierSettings, Subscription
from tests.integration.test_notifier_delivery import event
from tests.servers import HttpServer, Route
from tests.support import SimClock

START = 1_900_000_000.0
ALERTS = 10


@pytest.fixture(name="clock")
def _clock() -> SimClock:
    return SimClock(START)


@pytest.fixture(name="store")
async def _store(redis_url: str, clock: SimClock) -> AsyncIterator[DeliveryStore]:
    redis = make_redis(redis_url)
    yield DeliveryStore(redis, now=clock)
    await redis.aclose()


class Outage:
    """A webhook route answering 500 until the simulated clock reaches ``ends``; it counts
    what it accepted afterwards, per event, and when."""

    def __init__(self, clock: SimClock, ends: float) -> None:
        self.clock, self.ends = clock, ends
        self.refused = 0
        self.delivered: Counter[str] = Counter()
        self.times: list[float] = []

    def __call__(self, path: str, headers: dict[str, str], body: bytes) -> tuple[
            int, dict[str, str], bytes]:
        if self.clock.now < self.ends:
            self.refused += 1
            return 500, {}, b"down"
        title = json.loads(body)["title"]
        self.delivered[re.findall(r"number (\d+)", title)[0]] += 1
        self.times.append(self.clock.now)
        return 200, {}, b"ok"


async def run_outage(store: DeliveryStore, clock: SimClock, sink: HttpServer,
                     horizon: float, alerts: int = ALERTS) -> int:
    """Send ``alerts`` events, then jump the clock from one due retry to the next until
    ``horizon`` seconds have passed; returns the DLQ length."""
    settings = NotifierSettings(timeout=5)  # the defaults: retry_base 2 s, retry_for 24 h
    config = AppConfig(notifier=settings, subscriptions=[
        Subscription(name="desk", urls=[f"json://127.0.0.1:{sink.port}/hook"],
                     tags=["military_strike"])])
    dispatcher = Dispatcher(config, store)
    for n in range(alerts):
        await dispatcher.on_event(event(n))
    while (due := await store.next_due()) is not None and due <= START + horizon:
        clock.now = max(clock.now, due)
        await dispatcher.retry_due()
    return int(await store.redis.xlen(streams.DLQ))


@pytest.mark.parametrize("minutes", [1, 120], ids=["1-minute", "2-hour"])
async def test_outage_shorter_than_retry_window_delivers_every_alert_once(
        store: DeliveryStore, clock: SimClock, http_server: Callable[[Route], HttpServer],
        minutes: int) -> None:
    """Every alert reaches the channel once after the outage ends: 0 lost, 0 duplicated."""
    route = Outage(clock, START + minutes * 60)
    dead = await run_outage(store, clock, http_server(route), horizon=86400 * 2)
    assert dead == 0
    lost = [n for n in range(ALERTS) if route.delivered[str(n)] == 0]
    duplicated = [k for k, v in route.delivered.items() if v > 1]
    assert (lost, duplicated) == ([], [])
    assert route.refused >= NotifierSettings().circuit_failures  # then the breaker pauses it
    # The first success comes within one capped backoff (10 min) plus the breaker's minute.
    assert min(route.times) - route.ends <= 600 + 60 + 1
    assert await store.pending_retries() == 0


async def test_outage_longer_than_retry_window_dead_letters_each_alert_once(
        store: DeliveryStore, clock: SimClock, http_server: Callable[[Route], HttpServer],
        ) -> None:
    """Past `retry_for` (24 h) each alert is dead-lettered once, with how long it was tried."""
    route = Outage(clock, START + 86400 * 3)
    dead = await run_outage(store, clock, http_server(route), horizon=86400 * 2, alerts=3)
    assert not route.delivered
    assert dead == 3
    reasons = [f[b"reason"].decode() for _, f in await store.redis.xrange(streams.DLQ)]
    assert all(re.search(r"over 24\.[0-9] h\)$", r) for r in reasons), set(reasons)
    # Capped backoff: ~150 tries per alert in a day, not a storm and not 5 in 30 s.
    assert 50 * 3 < route.refused < 300 * 3
    assert await store.pending_retries() == 0
