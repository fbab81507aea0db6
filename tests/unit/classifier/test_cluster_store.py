"""Clustering: same story from several outlets joins one cluster; Redis and memory agree."""

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis

from services.classifier.classify import classify_article
from services.classifier.clustering.cluster import Clusterer, apply_cluster
from services.classifier.clustering.memory_store import MemoryStore
from services.classifier.clustering.model import ClusterStore, Thresholds
from services.classifier.clustering.redis_store import RedisStore, show
from shared.schemas import Article, Event

T0 = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)
HARBOR = [
    ("Wire A", "Missile strike hits Port Kessler harbour in Norland, killing 4",
     "A missile strike hit the Port Kessler harbour warehouses early on Monday."),
    ("Wire B", "Port Kessler harbour hit by missile strike, 4 killed",
     "Officials in Norland said a missile strike hit warehouses at Port Kessler harbour."),
    ("Wire C", "Death toll rises to 9 after missile strike on Port Kessler harbour",
     "Nine people were killed in the missile strike on the Port Kessler harbour warehouses."),
]
OTHER = ("Wire A", "Drones strike Velmar power station",
         "Two drones struck the Velmar power station in the far north, cutting electricity.")


def event(feed: str, title: str, summary: str, minutes: int = 0) -> Event:
    """A classified event as the classifier handler builds it."""
    when = T0 + timedelta(minutes=minutes)
    art = Article(id=f"{feed}:{title}", feed=feed, title=title, summary=summary,
                  published=when, fetched_at=when)
    tags = classify_article(title, summary)
    assert tags, title
    return Event(id=art.id, article=art, tags=tags)


CLIENTS: list[Redis] = []


async def _redis_store(url: str) -> ClusterStore:
    CLIENTS.append(Redis.from_url(url))
    return RedisStore(CLIENTS[-1])


async def _close() -> None:
    while CLIENTS:
        await CLIENTS.pop().aclose()


async def _run(store: ClusterStore) -> list[Event | None]:
    clusterer = Clusterer(store, 48 * 3600.0, Thresholds())
    items = [event(*HARBOR[0]), event(*OTHER, 1), event(*HARBOR[1], 5), event(*HARBOR[2], 9)]
    return [await apply_cluster(clusterer, e) for e in items]


def _check(out: list[Event | None]) -> None:
    first, other, same, toll = out
    assert first is not None and other is not None and not first.is_update
    assert other.cluster_id != first.cluster_id, "a different strike, same country and day"
    assert same is None, "a second outlet's identical report folds silently"
    assert toll is not None and toll.is_update and toll.cluster_id == first.cluster_id
    assert toll.update_reason == "casualties:9" and toll.sources == 3


def test_cluster_memory_store_folds_and_flags_new_toll() -> None:
    """In memory: one cluster per strike, only the new death toll is an update."""
    _check(asyncio.run(_run(MemoryStore())))


@pytest.mark.integration
async def test_cluster_redis_store_same_semantics(redis_url: str) -> None:
    """The Redis store gives the same answers, and ``show`` lists every report."""
    store = await _redis_store(redis_url)
    out = await _run(store)
    _check(out)
    assert out[0] is not None and out[0].cluster_id
    client = Redis.from_url(redis_url)
    shown = await show(client, out[0].cluster_id)
    await client.aclose()
    await _close()
    assert shown is not None and [r["feed"] for r in shown["reports"]] == ["Wire A", "Wire B",
                                                                            "Wire C"]


@pytest.mark.integration
async def test_cluster_replicas_race_to_one_cluster(redis_url: str) -> None:
    """Eight concurrent 'replicas' seeing the same story create exactly one cluster."""
    stores = [await _redis_store(redis_url) for _ in range(8)]
    jobs: list[Awaitable[Event | None]] = []
    for i, store in enumerate(stores):
        feed, title, summary = HARBOR[i % 2]
        item = event(f"{feed}{i}", title, summary, i)
        jobs.append(apply_cluster(Clusterer(store, 3600.0, Thresholds()), item))
    results = await asyncio.gather(*jobs)
    again = await Clusterer(stores[0], 3600.0, Thresholds()).assign(event(*HARBOR[0]))
    clusters = {r.cluster_id for r in results if r is not None}
    assert len(clusters) == 1 and sum(r is not None and not r.is_update for r in results) == 1
    await _close()
    assert again is not None and again.cluster_id in clusters
