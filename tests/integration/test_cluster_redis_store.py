"""The Redis cluster store gives the in-memory store's answers, and holds under replica races."""

from redis.asyncio import Redis

from services.classifier.clustering.model import ClusterStore
from services.classifier.clustering.redis_store import RedisStore, show
from tests.cluster_scenarios import (
    folds_and_flags_new_toll,
    keeps_latest_eight,
    many_clusters_in_one_bucket,
    remembers_opening_time,
    replicas_race_to_one_cluster,
)


async def test_cluster_redis_store_same_semantics(redis: Redis) -> None:
    """The Redis store gives the same answers, and ``show`` lists every report."""
    out = await folds_and_flags_new_toll(RedisStore(redis))
    assert out[0] is not None and out[0].cluster_id
    shown = await show(redis, out[0].cluster_id)
    assert shown is not None and [r["feed"] for r in shown["reports"]] == ["Wire A", "Wire B",
                                                                            "Wire C"]


async def test_cluster_replicas_race_to_one_cluster(redis_url: str) -> None:
    """Eight concurrent 'replicas' seeing the same story create exactly one cluster."""
    clients = [Redis.from_url(redis_url) for _ in range(8)]
    try:
        stores: list[ClusterStore] = [RedisStore(client) for client in clients]
        await replicas_race_to_one_cluster(stores)
    finally:
        for client in clients:
            await client.aclose()


async def test_redis_store_keeps_latest_eight_members(redis: Redis) -> None:
    """In Redis, a cluster of 11 reports scores only its 8 latest."""
    await keeps_latest_eight(RedisStore(redis))


async def test_redis_store_busy_bucket_still_creates(redis: Redis) -> None:
    """Redis: the race re-check walks the same latest-PER_KEY buckets the candidates came from."""
    await many_clusters_in_one_bucket(RedisStore(redis))


async def test_redis_store_remembers_opening_time(redis: Redis) -> None:
    """The Redis store reports when a cluster opened and members' places."""
    await remembers_opening_time(RedisStore(redis))
