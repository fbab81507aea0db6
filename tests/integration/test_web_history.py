"""The alert history in Redis: written by the notifier, ordered, retained, durable."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from services.notifier.delivery import DeliveryStore
from services.notifier.dispatch import Dispatcher
from services.web import query
from shared import history
from shared.broker import make_redis
from shared.config import AppConfig, NotifierSettings, Subscription
from shared.history import HistoryStore
from tests.servers import HttpServer, RedisServer, Route, free_port
from tests.web_support import client, make_event, web_config

pytestmark = pytest.mark.integration
FAST = NotifierSettings(max_attempts=2, retry_base=0.05, retry_max=0.1, timeout=5)


def _answer(status: int) -> Route:
    return lambda path, headers, body: (status, {}, b"x")


async def test_notifier_records_events_and_channel_kinds(
        redis_url: str, http_server: Callable[[Route], HttpServer]) -> None:
    """Each routed event lands in the history with its outcome per channel kind, no URL."""
    good, bad = http_server(_answer(200)), http_server(_answer(500))
    good_url = f"json://127.0.0.1:{good.port}/hook?token=s3cr3t"
    config = AppConfig(notifier=FAST, subscriptions=[
        Subscription(name="desk", urls=[good_url], tags=["military_strike"]),
        Subscription(name="flaky", urls=[f"json://127.0.0.1:{bad.port}/"],
                     tags=["military_strike"])])
    redis = make_redis(redis_url)
    dispatcher = Dispatcher(config, DeliveryStore(redis), history=HistoryStore(redis))
    try:
        await dispatcher.on_event(make_event(1))
        record = await query.get(redis, "art-000001")
        raw = await redis.hgetall(history.event_key("art-000001"))
    finally:
        await redis.aclose()
    assert record is not None
    assert record["deliveries"] == [
        {"subscription": "desk", "channel": "json", "outcome": "sent"},
        {"subscription": "flaky", "channel": "json", "outcome": "retrying"}]
    assert not any(b"s3cr3t" in value or b"127.0.0.1" in value for value in raw.values())


async def test_redelivery_keeps_first_place(redis_url: str) -> None:
    """Recording an event twice keeps its first time, so cursors handed out stay valid."""
    redis = make_redis(redis_url)
    store = HistoryStore(redis)
    try:
        first = await store.record(make_event(1), at=1000.0)
        await store.record(make_event(2), at=1001.0)
        again = await store.record(make_event(1), at=2000.0)
        page = await query.search(redis, query.Filters())
    finally:
        await redis.aclose()
    assert again == first
    assert [r["event"].id for r in page.items] == ["art-000002", "art-000001"]


async def test_retention_prunes_indexes_and_expires_records(redis_url: str) -> None:
    """Index members older than the retention are pruned; records expire with a TTL."""
    redis = make_redis(redis_url)
    store = HistoryStore(redis, retention=3600)
    now = time.time()
    try:
        await store.record(make_event(1), at=now - 7200)
        await store.record(make_event(2), at=now)
        await store.prune(now)
        ttl = await redis.ttl(history.event_key("art-000002"))
        sizes = [await redis.zcard(history.ALL),
                 await redis.zcard(history.index_key("country", "Iraq"))]
        page = await query.search(redis, query.Filters(country="iraq"))
    finally:
        await redis.aclose()
    assert 3500 < ttl <= 3600
    assert sizes == [1, 1]
    assert [r["event"].id for r in page.items] == ["art-000002"]


async def test_history_survives_a_restart_with_aof(tmp_path: Path) -> None:
    """With AOF on, the history (records and indexes) is still there after a restart."""
    server = RedisServer(free_port(), tmp_path, appendonly=True,
                         extra=["--appendfsync", "always"])
    server.start()
    try:
        redis = make_redis(server.url)
        await HistoryStore(redis).record(make_event(1))
        await redis.aclose()
        server.stop()
        server.start()
        redis = make_redis(server.url)
        page = await query.search(redis, query.Filters(tag="military_strike"))
        await redis.aclose()
    finally:
        server.stop()
    assert [r["event"].id for r in page.items] == ["art-000001"]


def test_web_answers_503_while_redis_is_down(tmp_path: Path) -> None:
    """With Redis stopped the API and /readyz answer 503 (not a 500); /healthz stays 200."""
    server = RedisServer(free_port(), tmp_path)
    server.start()
    config = web_config(server.url)
    try:
        with client(config, server.url) as web:
            assert web.get("/readyz").status_code == 200
            server.stop()
            down = web.get("/api/events")
            assert down.status_code == 503 and "unreachable" in down.json()["detail"]
            assert web.get("/readyz").status_code == 503
            assert web.get("/healthz").status_code == 200
    finally:
        server.stop()
