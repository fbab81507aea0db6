"""shared.consume: poison messages are dead-lettered, a dead consumer's messages are reclaimed."""

import asyncio
import json

from faststream.redis import RedisBroker
from redis.asyncio import Redis

from shared import streams
from shared.broker import make_broker
from shared.consume import consume
from shared.schemas import Article
from tests.support import eventually


def article(n: int) -> Article:
    """A minimal valid article."""
    return Article(id=f"a{n}", feed="wire", title=f"Item {n}")


async def start_consumer(redis_url: str, redis: Redis, seen: list[str], *, fail: bool = False,
                         idle: float = 0.5, batch: bool = False,
                         fail_once: str | None = None) -> RedisBroker:
    """A broker with the reader, the reclaimer and a recording handler."""
    broker = make_broker(redis_url, graceful_timeout=2)
    failed: set[str] = set()

    async def handle(item: Article) -> None:
        if fail or (item.id == fail_once and item.id not in failed):
            failed.add(item.id)
            raise RuntimeError("handler is down")
        seen.append(item.id)

    consume(broker, stream=streams.ARTICLES, group=streams.CLASSIFIER_GROUP, consumer="test-c",
            model=Article, handle=handle, redis=lambda: redis, reclaim_idle=idle,
            max_deliveries=3, batch=batch)
    await broker.start()
    return broker


async def test_poison_message_goes_to_dlq(redis_url: str, redis: Redis) -> None:
    """An invalid payload is dead-lettered with its reason and acked; valid ones are handled."""
    seen: list[str] = []
    await redis.xadd(streams.ARTICLES, {"__data__": b'{"not": "an article"}'})
    await redis.xadd(streams.ARTICLES, {"__data__": article(1).model_dump_json()})
    broker = await start_consumer(redis_url, redis, seen)
    try:
        await eventually(lambda: _dlq_len(redis, 1), what="1 in the DLQ")
        await eventually(lambda: _done(seen, 1), what="1 handled")
    finally:
        await broker.stop()
    entries = await redis.xrange(streams.DLQ)
    assert entries[0][1][b"reason"].startswith(b"invalid payload")
    assert json.loads(entries[0][1][b"__data__"]) == {"not": "an article"}
    assert (await redis.xpending(streams.ARTICLES, streams.CLASSIFIER_GROUP))["pending"] == 0


async def test_dead_consumers_pending_messages_are_reclaimed(redis_url: str,
                                                             redis: Redis) -> None:
    """Messages read by a consumer that died (never acked) are processed by the reclaimer."""
    seen: list[str] = []
    for n in range(5):
        await redis.xadd(streams.ARTICLES, {"__data__": article(n).model_dump_json()})
    # A consumer that reads and dies: the messages sit in its pending list.
    await redis.xreadgroup(streams.CLASSIFIER_GROUP, "dead", {streams.ARTICLES: ">"}, count=5)
    broker = await start_consumer(redis_url, redis, seen)
    try:
        await eventually(lambda: _done(seen, 5), what="5 handled")
    finally:
        await broker.stop()
    assert sorted(seen) == [f"a{n}" for n in range(5)]
    assert (await redis.xpending(streams.ARTICLES, streams.CLASSIFIER_GROUP))["pending"] == 0


async def test_failing_handler_retries_then_dead_letters(redis_url: str, redis: Redis) -> None:
    """A message whose handler keeps failing is retried, then parked in the DLQ, not lost."""
    seen: list[str] = []
    await redis.xadd(streams.ARTICLES, {"__data__": article(7).model_dump_json()})
    broker = await start_consumer(redis_url, redis, seen, fail=True, idle=0.2)
    try:
        await eventually(lambda: _dlq_len(redis, 1), within=20, what="1 in the DLQ")
    finally:
        await broker.stop()
    fields = (await redis.xrange(streams.DLQ))[0][1]
    assert fields[b"reason"].startswith(b"handler failed")
    assert b"(last: RuntimeError: handler is down)" in fields[b"reason"]
    assert int(fields[b"deliveries"]) > 3
    assert (await redis.xpending(streams.ARTICLES, streams.CLASSIFIER_GROUP))["pending"] == 0


async def test_batch_reader_dead_letters_bad_entries_alone(redis_url: str,
                                                           redis: Redis) -> None:
    """In a batch, non-JSON and invalid entries are dead-lettered alone; the others handled."""
    seen: list[str] = []
    await redis.xadd(streams.ARTICLES, {"__data__": article(0).model_dump_json()})
    await redis.xadd(streams.ARTICLES, {"__data__": b"\xff not json"})
    await redis.xadd(streams.ARTICLES, {"__data__": b'{"not": "an article"}'})
    await redis.xadd(streams.ARTICLES, {"__data__": article(1).model_dump_json()})
    broker = await start_consumer(redis_url, redis, seen, batch=True)
    try:
        await broker.publish(article(2), stream=streams.ARTICLES)  # FastStream's binary format
        await eventually(lambda: _done(seen, 3), what="3 handled")
        await eventually(lambda: _dlq_len(redis, 2), what="2 in the DLQ")
    finally:
        await broker.stop()
    assert seen == ["a0", "a1", "a2"]
    reasons = [f[b"reason"] for _, f in await redis.xrange(streams.DLQ)]
    assert all(r.startswith(b"invalid payload") for r in reasons)
    assert (await redis.xpending(streams.ARTICLES, streams.CLASSIFIER_GROUP))["pending"] == 0


async def test_batch_failing_part_way_acks_the_rest(redis_url: str, redis: Redis) -> None:
    """A batch whose handler fails on one entry acks the others; only that one is redelivered."""
    seen: list[str] = []
    for n in range(5):
        await redis.xadd(streams.ARTICLES, {"__data__": article(n).model_dump_json()})
    broker = await start_consumer(redis_url, redis, seen, batch=True, fail_once="a2",
                                  idle=0.3)
    try:
        await eventually(lambda: _pending_is(redis, 0, after=seen, count=5), within=20,
                         what="5 handled and none pending")
        await asyncio.sleep(0.8)  # a wrongly unacked entry would be reclaimed by now
    finally:
        await broker.stop()
    assert seen == ["a0", "a1", "a3", "a4", "a2"]
    assert await redis.xlen(streams.DLQ) == 0


async def _pending_is(redis: Redis, n: int, *, after: list[str], count: int) -> bool:
    if len(after) < count:
        return False
    return bool((await redis.xpending(streams.ARTICLES, streams.CLASSIFIER_GROUP))["pending"] == n)


async def _dlq_len(redis: Redis, n: int) -> bool:
    return bool(await redis.xlen(streams.DLQ) >= n)


async def _done(seen: list[str], n: int) -> bool:
    return len(seen) >= n
