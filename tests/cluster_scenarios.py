"""Cluster store scenarios run on both stores: in memory (unit) and on Redis (integration)."""

import asyncio
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta

from services.classifier.classify import classify_article
from services.classifier.clustering.anchors import place_facts
from services.classifier.clustering.cluster import Clusterer, apply_cluster
from services.classifier.clustering.model import PER_KEY, ClusterStore, Features, Plan, Thresholds
from services.classifier.clustering.similarity import Profile
from shared.config import ClusterSettings
from shared.schemas import Article, Event

HOUR = 3600.0
LIMITS = Thresholds.of(ClusterSettings())  # the thresholds a deployment runs with
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
KEYS = ["military_strike:b0:abc"]


def event(feed: str, title: str, summary: str, minutes: int = 0) -> Event:
    """A classified event as the classifier handler builds it."""
    when = T0 + timedelta(minutes=minutes)
    art = Article(id=f"{feed}:{title}", feed=feed, title=title, summary=summary,
                  published=when, fetched_at=when)
    tags = classify_article(title, summary)
    assert tags, title
    return Event(id=art.id, article=art, tags=tags)


async def folds_and_flags_new_toll(store: ClusterStore) -> list[Event | None]:
    """Two strikes, a second outlet and a new toll: one cluster per strike, one update."""
    clusterer = Clusterer(store, 48 * HOUR, LIMITS)
    items = [event(*HARBOR[0]), event(*OTHER, 1), event(*HARBOR[1], 5), event(*HARBOR[2], 9)]
    out = [await apply_cluster(clusterer, e) for e in items]
    first, other, same, toll = out
    assert first is not None and other is not None and not first.is_update
    assert other.cluster_id != first.cluster_id, "a different strike, same country and day"
    assert same is None, "a second outlet's identical report folds silently"
    assert toll is not None and toll.is_update and toll.cluster_id == first.cluster_id
    assert toll.update_reason == "casualties:9" and toll.sources == 3
    return out


async def replicas_race_to_one_cluster(stores: list[ClusterStore]) -> None:
    """Concurrent replicas, one store each, seeing the same story create exactly one cluster."""
    jobs: list[Awaitable[Event | None]] = []
    for i, store in enumerate(stores):
        feed, title, summary = HARBOR[i % 2]
        item = event(f"{feed}{i}", title, summary, i)
        jobs.append(apply_cluster(Clusterer(store, HOUR, LIMITS), item))
    results = await asyncio.gather(*jobs)
    again = await Clusterer(stores[0], HOUR, LIMITS).assign(event(*HARBOR[0]))
    clusters = {r.cluster_id for r in results if r is not None}
    assert len(clusters) == 1 and sum(r is not None and not r.is_update for r in results) == 1
    assert again is not None and again.cluster_id in clusters


def where(title: str, summary: str = "") -> frozenset[str]:
    """The place facts of a report."""
    return frozenset(place_facts(title, summary))


def strike_features(title: str, when: float = 0.0) -> Features:
    """Features of a strike report whose only distinguishing trait is its place."""
    profile = Profile(when, frozenset({1, 2, 3}), frozenset({1, 2, 3, 4}), where(title))
    return Features(kind="military_strike", signature=(0,), profile=profile, facts=set(),
                    novelty=[], casualties=0, alerting=True, when=when)


async def remembers_opening_time(store: ClusterStore) -> None:
    """A store reports when a cluster opened and its members' places."""
    plan = Plan("a1", strike_features("Missiles hit Kharkiv", 1000.0), ["military_strike:b0:x"],
                [], {"id": "a1", "feed": "f"}, None, "c1", 48 * HOUR)
    assert await store.commit(plan) is not None
    later = Plan("a2", strike_features("Missiles hit Kharkiv", 2000.0), plan.keys, [],
                 {"id": "a2", "feed": "g"}, "c1", "c2", 48 * HOUR)
    assert await store.commit(later) is not None
    (cand,) = await store.candidates(plan.keys, 0.0)
    assert cand.opened == 1000.0
    assert cand.members[-1].places == where("Missiles hit Kharkiv")


def _member_plan(article: str, when: float, cluster: str | None, seen: list[str]) -> Plan:
    profile = Profile(when, frozenset({1, 2}), frozenset({1, 2, int(when) + 10}))
    feat = Features(kind="military_strike", signature=(0,), profile=profile, facts=set(),
                    novelty=[], casualties=0, alerting=True, when=when)
    return Plan(article, feat, KEYS, seen, {"id": article, "feed": f"feed{article}"}, cluster,
                f"c-{article}", 48 * HOUR)


async def keeps_latest_eight(store: ClusterStore) -> None:
    """A cluster of 11 reports is scored on its 8 latest members only."""
    first = await store.commit(_member_plan("a0", 1000.0, None, []))
    assert first is not None
    for i in range(1, 11):
        assert await store.commit(_member_plan(f"a{i}", 1000.0 + i, first.cluster_id, [])) \
            is not None
    (cand,) = await store.candidates(KEYS, 0.0)
    assert [m.when for m in cand.members] == [1003.0 + i for i in range(8)]


async def many_clusters_in_one_bucket(store: ClusterStore) -> None:
    """A bucket holding more clusters than are read never blocks creating a new one."""
    for i in range(3 * PER_KEY):
        seen = [c.id for c in await store.candidates(KEYS, 0.0)]
        assert len(seen) == min(i, PER_KEY)
        assert await store.commit(_member_plan(f"x{i}", 1000.0 + i, None, seen)) is not None
