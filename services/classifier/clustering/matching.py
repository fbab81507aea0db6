"""Which open cluster a report joins: resemblance above the thresholds, vetoed when the
reports disagree on where (or who sanctions, or what was hit)."""

import math
from collections.abc import Mapping
from typing import Final

from services.classifier.clustering import similarity
from services.classifier.clustering.anchors import place_conflict, same_place
from services.classifier.clustering.model import Candidate, Features, Thresholds

# Near-identical wording outweighs an anchor conflict (an outlet may name a suburb the
# gazetteer files under another city).
VETO_OVERRIDE: Final = 0.3


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
        if sim <= best or not _close_enough(sim, limits, shares_fact, where, member.places):
            continue
        if sim < VETO_OVERRIDE:
            if place_conflict(where, member.places):
                continue
            if disputed is None:
                disputed = _disputed(where, cand)
            if disputed:
                continue
        best = sim
    return best


def _close_enough(sim: float, limits: Thresholds, shares_fact: bool,
                  where: frozenset[str], theirs: frozenset[str]) -> bool:
    """Above the text threshold, or the lower one a shared fact or city allows."""
    return (sim >= limits.text or (sim >= limits.with_fact and shares_fact)
            or (sim >= limits.with_place and same_place(where, theirs)))


def _disputed(where: frozenset[str], cand: Candidate) -> bool:
    """The report disagrees on the place with most of the cluster: it then joins only through
    near-identical wording, as single links through one broad piece ("Jerusalem, West Bank on
    edge") would chain a Gaza strike to a Jerusalem shooting."""
    return 2 * sum(place_conflict(where, m.places) for m in cand.members) > len(cand.members)


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
