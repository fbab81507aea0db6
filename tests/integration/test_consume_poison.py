"""Chaos: entries no layer can decode reach the DLQ exactly once each; the PEL always drains."""

import asyncio
import json
from collections import Counter

import pytest
from faststream.redis import BinaryMessageFormatV1
from redis.asyncio import Redis

from shared import streams
from shared.broker import make_broker
from shared.consume import consume
from shared.schemas import Article
from tests.support import eventually

pytestmark = pytest.mark.integration

GOOD = 30
DEEP = 200_000
# Each poison entry with the words its DLQ reason must contain.
POISON: list[tuple[dict[bytes, bytes], tuple[str, ...]]] = [
    ({b"\xff\xfetitle": b"x", b"id": b"p1"}, ("undecodable", "name", "not UTF-8")),
    ({b"title": b"\xc3\x28 broken", b"id": b"p2"}, ("undecodable", "value", "not UTF-8")),
    ({b"__data__": b"[" * DEEP + b"]" * DEEP}, ("payload", "recursion limit", f"{2 * DEEP} bytes")),
    ({b"__data__": b"{not json"}, ("payload", "Invalid JSON",)),
    ({b"__data__": b"\xff\xfe\x00garbage"}, ("payload", "Invalid JSON")),
    ({b"__data__": BinaryMessageFormatV1.IDENTITY_HEADER + b"\x00\x01\xff"}, ("envelope",)),
    ({b"__data__": json.dumps({"id": "p7", "feed": "f", "title": 7}).encode()},
     ("title", "valid string", "got int")),
    ({b"__data__": json.dumps({"id": "p8", "feed": "f", "title": "t" * 10,
                               "summary": ["x"] * 5}).encode()},
     ("summary", "got array of 5 items")),
    ({b"__data__": json.dumps({"feed": "f"}).encode()}, ("id: Field required", "title")),
]


def good(n: int) -> bytes:
    """A valid article payload."""
    return Article(id=f"g{n}", feed="wire", title=f"Item {n}").model_dump_json().encode()


async def fill(redis: Redis) -> None:
    """Valid and poison entries interleaved; the first third already read by a dead consumer."""
    for n in range(GOOD):
        await redis.xadd(streams.ARTICLES, {"__data__": good(n)})
        if n < len(POISON):
            await redis.xadd(streams.ARTICLES, POISON[n][0])  # type: ignore[arg-type]
        if n == GOOD // 3:
            await redis.xreadgroup(streams.CLASSIFIER_GROUP, "dead", {streams.ARTICLES: ">"})


@pytest.mark.parametrize("batch", [True, False], ids=["batch-reader", "single-reader"])
async def test_poison_entries_dead_letter_once_and_nothing_is_lost(
        redis_url: str, redis: Redis, batch: bool) -> None:
    """Every undecodable entry is parked once with a reason naming the fault; 0 good lost/duped."""
    await fill(redis)
    seen: list[str] = []
    failed_once: set[str] = set()

    async def handle(item: Article) -> None:
        # One good entry fails once, as a naive datetime once failed a whole batch: its
        # batch must not replay (and re-park) the poison entries around it.
        if item.id == "g4" and item.id not in failed_once:
            failed_once.add(item.id)
            raise TypeError("can't compare offset-naive and offset-aware datetimes")
        seen.append(item.id)

    broker = make_broker(redis_url, graceful_timeout=2)
    consume(broker, stream=streams.ARTICLES, group=streams.CLASSIFIER_GROUP, consumer="c",
            model=Article, handle=handle, redis=lambda: redis, reclaim_idle=0.3,
            max_deliveries=5, batch=batch)
    await broker.start()
    try:
        await eventually(lambda: _settled(redis, seen), 30, what="all entries settled")
        await asyncio.sleep(1.0)  # long enough for a second, wrong reclaim round
    finally:
        await broker.stop()
    counts = Counter(seen)
    lost = [f"g{n}" for n in range(GOOD) if counts[f"g{n}"] == 0]
    duplicated = [k for k, v in counts.items() if v > 1]
    assert (lost, duplicated) == ([], [])
    parked = await redis.xrange(streams.DLQ)
    assert len(parked) == len(POISON)
    assert len({f[b"message_id"] for _, f in parked}) == len(POISON)
    reasons = sorted(f[b"reason"].decode() for _, f in parked)
    for _, words in POISON:
        assert any(all(w in r for w in words) for r in reasons), (words, reasons)
    assert not any("validation error(s)" in r for r in reasons)
    assert (await redis.xpending(streams.ARTICLES, streams.CLASSIFIER_GROUP))["pending"] == 0


async def _settled(redis: Redis, seen: list[str]) -> bool:
    pending = (await redis.xpending(streams.ARTICLES, streams.CLASSIFIER_GROUP))["pending"]
    return bool(len(seen) >= GOOD and pending == 0 and await redis.xlen(streams.DLQ) >= len(POISON))
