"""Which open cluster a report joins: resemblance above the thresholds, vetoed when the
reports disagree on where (or who sanctions, or what was hit)."""

import math
from collections.abc import Mapping
from typing import Final

from services.classifier.clustering import similarity
from services.classifier.clustering.anchors import (
    authorities_differ,
    counter_evidence,
    more_specific,
    place_conflict,
    same_place,
)
from services.classifier.clustering.model import Candidate, Features, Thresholds
from services.classifier.clustering.similarity import Profile

# Near-identical wording outweighs an anchor conflict (an outlet may name a suburb the
# gazetteer files under another city).
VETO_OVERRIDE: Final = 0.3


def score(feat: Features, cand: Candidate, limits: Thresholds,
          weight: Mapping[int, float] | None = None) -> float:
    """Best resemblance to a member it may join; 0 when none is close enough.

    Places are compared report by report, not against the cluster's union: one stray
    mention of Jerusalem in a Gaza report must not open the Gaza cluster to a Jerusalem
    shooting. And a report that disagrees on the place with half the cluster or more does
    not join at all, however close its wording to one member: single links through one
    broad piece ("Odesa and Melitopol under attack") would chain two strikes.
    """
    if cand.head is not None and _contradicts(feat.profile, cand.head, limits, weight):
        return 0.0
    floor = min(limits.text, limits.with_fact, limits.with_place)
    shares_fact = bool(feat.facts & cand.facts)
    where = feat.profile.places
    # A day after the first report a new report is more likely a new event (tomorrow's raid
    # on the same camp, the next night's drones): it needs close wording, or its town named
    # by a member of the last day.
    late = feat.when - cand.opened > limits.fresh
    disputed: bool | None = None
    best = 0.0
    for member in cand.members:
        # Resemblance is at most its time decay: members too far apart to reach the
        # threshold (or the best so far) are not worth scoring.
        if math.exp(-abs(feat.when - member.when) / limits.scale) < max(floor, best):
            continue
        sim = similarity.resemblance(feat.profile, member, limits.scale, weight)
        if sim <= best or not _close_enough(sim, feat, member, limits, shares_fact) \
                or not _compatible(sim, where, member.places, limits):
            continue
        if late and sim < limits.specific and not (
                same_place(where, member.places)
                and abs(feat.when - member.when) <= limits.place_span):
            continue
        if disputed is None:
            disputed = 2 * sum(place_conflict(where, m.places)
                               for m in cand.members) >= len(cand.members)
        if disputed:
            return 0.0
        best = sim
    return best


def _contradicts(mine: Profile, head: Profile, limits: Thresholds,
                 weight: Mapping[int, float] | None) -> bool:
    """The report disagrees with the cluster's first report, the one subscribers were
    alerted with: joining would fold a distinct event into an alert that never named it,
    however well it matches later, broader members."""
    if authorities_differ(mine.places, head.places):
        return True
    return place_conflict(mine.places, head.places) and \
        similarity.resemblance(mine, head, limits.scale, weight) < VETO_OVERRIDE


def _close_enough(sim: float, feat: Features, member: Profile, limits: Thresholds,
                  shares_fact: bool) -> bool:
    """Above the text bar, or the lower bars of a shared key fact or a shared town (the
    town only for reports hours apart: the same town two days running is two raids)."""
    if sim >= limits.text or (sim >= limits.with_fact and shares_fact):
        return True
    return sim >= limits.with_place and abs(feat.when - member.when) <= limits.place_span \
        and same_place(feat.profile.places, member.places)


def _compatible(sim: float, mine: frozenset[str], theirs: frozenset[str],
                limits: Thresholds) -> bool:
    """No anchor says these are two events (near-identical wording outweighs a place
    conflict, never two sanctioning states); evidence against one event (other country,
    weapon or toll), or a report more specific than its companion (a town where the other
    names only the region), needs the higher ``specific`` bar."""
    if authorities_differ(mine, theirs):
        return False
    if sim >= VETO_OVERRIDE:
        return True
    if place_conflict(mine, theirs):
        return False
    return sim >= limits.specific or not (
        counter_evidence(mine, theirs) or more_specific(mine, theirs))


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
