"""Clustering scores as subscribers feel them: missed and duplicate alerts per 100 events,
beside pairwise precision/recall of "same event".

A replay gives, for every labelled report in time order, its cluster and whether it alerted
(opened a cluster, or was the first alerting report of one). The scores then only look at
labels, never at texts.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations


@dataclass(frozen=True)
class Outcome:
    """What the replay did with one report: ``order`` is its position in the replay."""

    order: int
    cluster: str
    alerted: bool


def pairwise(truth: Mapping[str, str], predicted: Mapping[str, str]) -> tuple[float, float]:
    """Precision and recall of 'same event' over all pairs of labelled items."""
    tp = fp = fn = 0
    for a, b in combinations(sorted(truth), 2):
        same, joined = truth[a] == truth[b], predicted[a] == predicted[b]
        tp += same and joined
        fp += joined and not same
        fn += same and not joined
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def first_reports(truth: Mapping[str, str], outcomes: Mapping[str, Outcome]) -> dict[str, str]:
    """Event -> its first labelled report in replay order."""
    first: dict[str, str] = {}
    for item in sorted(truth, key=lambda i: outcomes[i].order):
        first.setdefault(truth[item], item)
    return first


def missed(truth: Mapping[str, str], outcomes: Mapping[str, Outcome],
           events: Iterable[str]) -> set[str]:
    """Events whose first report did not alert because it folded into a cluster that an
    earlier report of another labelled event had opened: the subscriber never heard of them."""
    first = first_reports(truth, outcomes)
    out = set()
    for event in events:
        head = outcomes[first[event]]
        if head.alerted:
            continue
        if any(truth[other] != event and o.cluster == head.cluster and o.order < head.order
               for other in truth for o in (outcomes[other],)):
            out.add(event)
    return out


def duplicated(truth: Mapping[str, str], outcomes: Mapping[str, Outcome],
               events: Iterable[str]) -> set[str]:
    """Events that alerted more than once (their reports opened two or more clusters)."""
    alerts = Counter(truth[i] for i, o in outcomes.items() if i in truth and o.alerted)
    return {e for e in events if alerts[e] >= 2}


def scores(truth: Mapping[str, str], outcomes: Mapping[str, Outcome],
           events: set[str]) -> dict[str, float]:
    """The figures of one set of events (a split of the labelled set)."""
    part = {i: e for i, e in truth.items() if e in events}
    predicted = {i: outcomes[i].cluster for i in part}
    precision, recall = pairwise(part, predicted)
    per = 100.0 / max(len(events), 1)
    return {"events": len(events), "reports": len(part),
            "missed_per_100": len(missed(truth, outcomes, events)) * per,
            "duplicates_per_100": len(duplicated(truth, outcomes, events)) * per,
            "precision": precision, "recall": recall}


def errors(truth: Mapping[str, str], outcomes: Mapping[str, Outcome],
           events: set[str]) -> dict[str, list[str]]:
    """The events behind the figures, for looking at why: only ever call this on the tune
    split (the frozen split is read as aggregates only)."""
    return {"missed": sorted(missed(truth, outcomes, events)),
            "duplicated": sorted(duplicated(truth, outcomes, events))}
