"""In-process cluster store with the Redis store's semantics (tests, eval CLI, benchmark)."""

from dataclasses import dataclass, field

from services.classifier.clustering import model
from services.classifier.clustering.model import Assignment, Candidate, Plan
from services.classifier.clustering.similarity import Profile


@dataclass
class ClusterState:
    """One open cluster."""

    kind: str
    opened: float
    head: Profile
    profiles: list[Profile] = field(default_factory=list)
    facts: set[str] = field(default_factory=set)
    novelty: set[str] = field(default_factory=set)
    feeds: set[str] = field(default_factory=set)
    members: list[dict[str, str]] = field(default_factory=list)
    casualties: int = 0
    alerted: bool = False


def apply(state: ClusterState, plan: Plan, created: bool) -> Assignment:
    """Fold one report into a cluster; shared rules of both stores (mirrored in Lua)."""
    feat = plan.features
    reasons = [] if created else [n for n in feat.novelty if n not in state.novelty]
    if not created and feat.casualties > state.casualties:
        reasons.append(f"casualties:{feat.casualties}")
    state.novelty.update(feat.novelty)
    state.casualties = max(state.casualties, feat.casualties)
    state.facts = state.facts | feat.facts  # a new set: candidates share the old one
    state.feeds.add(plan.member["feed"])
    state.members.append(plan.member)
    state.profiles = [*state.profiles, feat.profile][-model.MAX_MEMBERS_SCORED:]
    # The first alerting report is the alert, even if a 'threatened' report opened the cluster.
    first_alert = feat.alerting and not state.alerted
    state.alerted = state.alerted or feat.alerting
    cluster_id = plan.cluster_id or plan.new_id
    return Assignment(cluster_id, not (created or first_alert), len(state.feeds), reasons)


class MemoryStore:
    """Dict-backed; single process, so the race re-check is trivially satisfied."""

    def __init__(self) -> None:
        self.buckets: dict[str, dict[str, float]] = {}
        self.clusters: dict[str, ClusterState] = {}
        self.articles: dict[str, Assignment] = {}

    def _ids(self, keys: list[str], since: float) -> list[str]:
        """The Redis candidates walk: per bucket the latest PER_KEY clusters in the window,
        in bucket order, at most MAX_CANDIDATES live ones."""
        out: dict[str, None] = {}
        for key in keys:
            bucket = self.buckets.get(key)
            if not bucket:
                continue
            recent = sorted(((w, c) for c, w in bucket.items() if w >= since), reverse=True)
            for _, cid in recent:
                if len(out) >= model.MAX_CANDIDATES:
                    return list(out)
                out[cid] = None
        return list(out)

    async def candidates(self, keys: list[str], since: float) -> list[Candidate]:
        """Open clusters registered under any of ``keys`` since ``since``. Members and facts
        are shared, not copied: matching only reads them, and a commit replaces ``profiles``
        rather than appending (copying a busy cluster's facts for every report was most of
        this store's cost)."""
        return [Candidate(cid, state.profiles, state.facts, state.opened, state.head)
                for cid in self._ids(keys, since) for state in (self.clusters[cid],)]

    async def commit(self, plan: Plan) -> Assignment | None:
        """Join or create; None when the plan is stale (retry with fresh candidates)."""
        if plan.article_id in self.articles:
            return self.articles[plan.article_id]
        since = plan.features.when - plan.window
        created = plan.cluster_id is None
        if created and set(self._ids(plan.keys, since)) - set(plan.seen):
            return None
        cid = plan.cluster_id or plan.new_id
        if not created and cid not in self.clusters:
            return None
        state = self.clusters.setdefault(cid, ClusterState(
            plan.features.kind, plan.features.when, plan.features.profile))
        result = apply(state, plan, created)
        for key in plan.keys:
            bucket = self.buckets.setdefault(key, {})
            bucket[cid] = max(bucket.get(cid, 0.0), plan.features.when)
            if len(bucket) > model.PER_KEY:  # only the latest PER_KEY are ever read, as in Redis
                del bucket[min(bucket, key=lambda c: (bucket[c], c))]
        self.articles[plan.article_id] = result
        return result
