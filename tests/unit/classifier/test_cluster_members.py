"""Store bookkeeping: latest 8 member profiles per cluster, bounded candidate walk."""

import pytest
from redis.asyncio import Redis

from services.classifier.clustering.memory_store import MemoryStore
from services.classifier.clustering.model import PER_KEY, ClusterStore, Features, Plan
from services.classifier.clustering.redis_store import RedisStore
from services.classifier.clustering.similarity import Profile

KEYS = ["military_strike:b0:abc"]


def _plan(article: str, when: float, cluster: str | None, seen: list[str]) -> Plan:
    profile = Profile(when, frozenset({1, 2}), frozenset({1, 2, int(when) + 10}))
    feat = Features(kind="military_strike", signature=(0,), profile=profile, facts=set(),
                    novelty=[], casualties=0, alerting=True, when=when)
    return Plan(article, feat, KEYS, seen, {"id": article, "feed": f"feed{article}"}, cluster,
                f"c-{article}", 48 * 3600.0)


async def _keeps_latest_eight(store: ClusterStore) -> None:
    first = await store.commit(_plan("a0", 1000.0, None, []))
    assert first is not None
    for i in range(1, 11):
        assert await store.commit(_plan(f"a{i}", 1000.0 + i, first.cluster_id, [])) is not None
    (cand,) = await store.candidates(KEYS, 0.0)
    assert [m.when for m in cand.members] == [1003.0 + i for i in range(8)]


async def _many_clusters_in_one_bucket(store: ClusterStore) -> None:
    for i in range(3 * PER_KEY):
        seen = [c.id for c in await store.candidates(KEYS, 0.0)]
        assert len(seen) == min(i, PER_KEY)
        assert await store.commit(_plan(f"x{i}", 1000.0 + i, None, seen)) is not None


async def test_memory_store_keeps_latest_eight_members() -> None:
    """In memory, a cluster of 11 reports scores only its 8 latest."""
    await _keeps_latest_eight(MemoryStore())


async def test_memory_store_busy_bucket_still_creates() -> None:
    """A bucket holding more clusters than are read never blocks creating a new one."""
    await _many_clusters_in_one_bucket(MemoryStore())


@pytest.mark.integration
async def test_redis_store_keeps_latest_eight_members(redis: Redis) -> None:
    """In Redis, a cluster of 11 reports scores only its 8 latest."""
    await _keeps_latest_eight(RedisStore(redis))


@pytest.mark.integration
async def test_redis_store_busy_bucket_still_creates(redis: Redis) -> None:
    """Redis: the race re-check walks the same latest-PER_KEY buckets the candidates came from."""
    await _many_clusters_in_one_bucket(RedisStore(redis))
