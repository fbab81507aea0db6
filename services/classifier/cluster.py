"""Story clustering: one alert per real-world event, later reports fold into its cluster.

The decision (which existing cluster an article joins) is made here from candidate clusters
a store returns; the store then commits it atomically and re-checks that no replica created
a competing cluster meanwhile (see cluster_store.py). The in-memory store has the same
semantics, for tests, the CLI evaluation and the benchmark.
"""

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Protocol

from services.classifier import similarity
from services.classifier.anchors import anchors, place_conflict, same_place
from shared.schemas import ALERTING_MODALITIES, Event, Tag

FACT_FIELDS: Final = ("location", "target", "targets", "actor", "authority")
ENTITY_FIELDS: Final = ("targets", "target")
_NUMBERS: Final = "zero one two three four five six seven eight nine ten eleven twelve"
_NUMBER_WORDS: Final = {w: i for i, w in enumerate(_NUMBERS.split())}
_CASUALTIES: Final = re.compile(
    r"\b(\d[\d,]*|" + "|".join(_NUMBER_WORDS) + r")(?: \w+){0,2}? (?:killed|dead|died|wounded"
    r"|injured)|\b(?:kill(?:s|ed|ing)?|toll (?:\w+ )?(?:to|of|at)) (?:at least )?(\d[\d,]*)",
    re.IGNORECASE)
_CASUALTY_WORDS: Final = re.compile(r"kill|dead|died|wounded|injured|toll", re.IGNORECASE)
MAX_ATTEMPTS: Final = 4
# Near-identical wording outweighs an anchor conflict (an outlet may name a suburb the
# gazetteer files under another city).
VETO_OVERRIDE: Final = 0.3


@dataclass(frozen=True)
class Thresholds:
    """Resemblance needed to join: text alone, or text plus a shared key fact; ``scale``
    is the time (seconds) over which resemblance decays by a factor e."""

    # Chosen on bench/data/clusters.jsonl (both halves: see docs/benchmarks.md); a shared
    # city is the strongest cheap evidence two differently worded reports are one event.
    text: float = 0.075
    with_fact: float = 0.05
    with_place: float = 0.03
    scale: float = 36 * 3600.0


@dataclass
class Features:
    """What clustering needs from one tagged article."""

    kind: str
    signature: tuple[int, ...]
    profile: similarity.Profile
    facts: set[str]
    novelty: list[str]
    casualties: int
    alerting: bool
    when: float


@dataclass
class Candidate:
    """An open cluster found through a shared bucket; ``opened`` is its first report's time."""

    id: str
    members: list[similarity.Profile]
    facts: set[str]
    opened: float = 0.0


@dataclass
class Plan:
    """The decision to commit: join ``cluster_id`` or create ``new_id``."""

    article_id: str
    features: Features
    keys: list[str]
    seen: list[str]
    member: dict[str, str]
    cluster_id: str | None
    new_id: str
    window: float


@dataclass
class Assignment:
    """Result of a commit, as it goes on the event."""

    cluster_id: str
    is_update: bool
    sources: int
    reasons: list[str] = field(default_factory=list)


class ClusterStore(Protocol):
    """Where open clusters live (Redis in production, a dict for benchmarks)."""

    async def candidates(self, keys: list[str], since: float) -> list[Candidate]: ...

    async def commit(self, plan: Plan) -> Assignment | None: ...


def primary_tag(tags: list[Tag]) -> Tag | None:
    """The event-type tag that defines the story (alerting ones first)."""
    events = [t for t in tags if t.kind == "event"]
    events.sort(key=lambda t: not t.alert)
    return events[0] if events else None


def casualties(text: str) -> int:
    """The largest casualty figure stated in the text (0 when none)."""
    best = 0
    if not _CASUALTY_WORDS.search(text):
        return 0  # the full pattern is slow to fail on every word boundary
    for match in _CASUALTIES.finditer(text):
        raw = (match.group(1) or match.group(2) or "").lower().replace(",", "")
        value = _NUMBER_WORDS.get(raw) if raw in _NUMBER_WORDS else int(raw) if raw else 0
        best = max(best, value or 0)
    return best


def features(event: Event, when: float) -> Features | None:
    """Clustering features of an event, or None when it carries no event-type tag."""
    tag = primary_tag(event.tags)
    if tag is None:
        return None
    text = f"{event.article.title}\n{event.article.summary}"
    facts = {f"{name[:3]}:{tok}" for name in FACT_FIELDS
             for value in tag.fields.get(name, []) for tok in similarity.tokens(value)}
    where = anchors(event.article.title, event.article.summary, tag)
    entities = {"_".join(similarity.tokens(v)) for n in ENTITY_FIELDS
                for v in tag.fields.get(n, []) if tag.name == "sanction"}
    novelty = [f"modality:{tag.modality.value}", *sorted(f"entity:{e}" for e in entities if e)]
    heading = similarity.tokens(event.article.title)
    words = heading + similarity.tokens(event.article.summary)
    profile = similarity.Profile(when, similarity.shingles(heading), similarity.shingles(words),
                                 where)
    return Features(kind=tag.name, signature=similarity.signature(words),
                    profile=profile, facts=facts, novelty=novelty,
                    casualties=casualties(text),
                    alerting=tag.modality in ALERTING_MODALITIES, when=when)


def bucket_keys(feat: Features) -> list[str]:
    """LSH bands plus place/target fact keys, all scoped to the event type."""
    keys = similarity.bands(feat.signature)
    keys += sorted(f for f in feat.facts if f.startswith(("loc:", "tar:")))
    return [f"{feat.kind}:{k}" for k in keys]


def score(feat: Features, cand: Candidate, limits: Thresholds,
          weight: Mapping[int, float] | None = None) -> float:
    """Best resemblance to a member it may join; 0 when none is close enough.

    Places are compared report by report, not against the cluster's union: one stray
    mention of Jerusalem in a Gaza report must not open the Gaza cluster to a Jerusalem
    shooting.
    """
    floor = min(limits.text, limits.with_fact, limits.with_place)
    shares_fact = bool(feat.facts & cand.facts)
    where = feat.profile.places
    disputed: bool | None = None
    best = 0.0
    for member in cand.members:
        # Resemblance is at most its time decay: members too far apart to reach the
        # threshold (or the best so far) are not worth scoring.
        if math.exp(-abs(feat.when - member.when) / limits.scale) < max(floor, best):
            continue
        sim = similarity.resemblance(feat.profile, member, limits.scale, weight)
        if sim <= best or not (sim >= limits.text or (sim >= limits.with_fact and shares_fact)
                               or (sim >= limits.with_place
                                   and same_place(where, member.places))):
            continue
        if sim < VETO_OVERRIDE:
            if place_conflict(where, member.places):
                continue
            # A report that disagrees on the place with most of the cluster joins only
            # through near-identical wording: single links through one broad piece
            # ("Jerusalem, West Bank on edge") would chain a Gaza strike to a Jerusalem
            # shooting.
            if disputed is None:
                disputed = 2 * sum(place_conflict(where, m.places)
                                   for m in cand.members) > len(cand.members)
            if disputed:
                continue
        best = sim
    return best


def choose(feat: Features, cands: list[Candidate], limits: Thresholds,
           common: similarity.Commonness | None = None, window: float = math.inf) -> str | None:
    """The id of the best-matching candidate cluster, if any passes the thresholds.

    A cluster takes reports for ``window`` after its first one: otherwise a war's daily
    strikes chain into one cluster that never closes, one plausible link at a time.
    """
    weight = common.weights if common is not None else None
    best, best_id = 0.0, None
    for cand in cands:
        if feat.when - cand.opened > window:
            continue
        value = score(feat, cand, limits, weight)
        if value > best:
            best, best_id = value, cand.id
    return best_id


def new_cluster_id(article_id: str) -> str:
    """Derived from the first article, so a redelivered article proposes the same id."""
    return hashlib.sha1(article_id.encode()).hexdigest()[:16]


def member_record(event: Event, when: datetime) -> dict[str, str]:
    """What ``events show`` lists for a report."""
    art = event.article
    tag = primary_tag(event.tags)
    return {"id": art.id, "feed": art.feed, "title": art.title, "url": art.url,
            "time": when.isoformat(), "modality": tag.modality.value if tag else "",
            "facts": json.dumps(tag.fields if tag else {}, sort_keys=True)}


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
