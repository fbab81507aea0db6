"""Story clustering: one alert per real-world event, later reports fold into its cluster.

The decision (which existing cluster an article joins) is made here from candidate clusters
a store returns; the store then commits it atomically and re-checks that no replica created
a competing cluster meanwhile (see redis_store.py). The in-memory store has the same
semantics, for tests, the CLI evaluation and the benchmark.
"""

import hashlib
from typing import Final

from services.classifier.clustering import similarity
from services.classifier.clustering.features import bucket_keys, features, member_record
from services.classifier.clustering.matching import choose
from services.classifier.clustering.model import Assignment, ClusterStore, Plan, Thresholds
from shared.schemas import Event

MAX_ATTEMPTS: Final = 4


def new_cluster_id(article_id: str) -> str:
    """Derived from the first article, so a redelivered article proposes the same id."""
    return hashlib.sha1(article_id.encode()).hexdigest()[:16]


class Clusterer:
    """Assign-or-create against a store, retrying when another replica won a race."""

    def __init__(self, store: ClusterStore, window: float, limits: Thresholds,
                 common: similarity.Commonness | None = None) -> None:
        self.store, self.window, self.limits = store, window, limits
        self.common = common or similarity.Commonness()

    async def assign(self, event: Event) -> Assignment | None:
        """The event's cluster, or None when the event is not clusterable."""
        moment = event.article.published or event.article.fetched_at
        moment = min(moment, event.article.fetched_at)  # a future date must not extend TTLs
        feat = features(event, moment.timestamp())
        if feat is None:
            return None
        keys = bucket_keys(feat)
        self.common.add(feat.profile.words | feat.profile.title, feat.when)
        seen: list[str] = []
        for _ in range(MAX_ATTEMPTS):
            cands = await self.store.candidates(keys, feat.when - self.window)
            seen = sorted({c.id for c in cands} | set(seen))
            plan = Plan(event.article.id, feat, keys, seen, member_record(event, moment),
                        choose(feat, cands, self.limits, self.common, self.window),
                        new_cluster_id(event.article.id),
                        self.window)
            result = await self.store.commit(plan)
            if result is not None:
                return result
        raise RuntimeError("cluster assignment kept racing; giving up on this delivery")


async def apply_cluster(clusterer: Clusterer, event: Event) -> Event | None:
    """The event to publish with its cluster fields, or None when it folds silently.

    Only the first report and significant updates are published; every report is recorded
    in the cluster (``events show``), so quiet subscribers never see the other 19 outlets.
    """
    result = await clusterer.assign(event)
    if result is None:
        return event
    update = {"cluster_id": result.cluster_id, "is_update": result.is_update,
              "sources": result.sources}
    if result.is_update:
        if not result.reasons:
            return None
        update["update_reason"] = ", ".join(result.reasons)
    return event.model_copy(update=update)
