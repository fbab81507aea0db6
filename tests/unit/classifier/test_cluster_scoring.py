"""Clustering scores as subscribers feel them: missed and duplicate alerts, pairwise P/R."""

from services.classifier.cluster_commands import report
from services.classifier.clustering.scoring import Outcome, duplicated, missed, pairwise, scores

# Three events: "rafah" (three reports), "khan" (one), "jabalia" (two).
TRUTH = {"r1": "rafah", "r2": "rafah", "r3": "rafah", "k1": "khan", "j1": "jabalia",
         "j2": "jabalia"}


def _outcomes(clusters: dict[str, tuple[str, bool]]) -> dict[str, Outcome]:
    return {item: Outcome(order, *clusters[item]) for order, item in enumerate(TRUTH)}


def test_distinct_event_folded_into_another_cluster_is_missed() -> None:
    """Khan Younis's only report folded into the Rafah cluster: a missed alert; Jabalia
    alerting twice is a duplicate."""
    outcomes = _outcomes({"r1": ("A", True), "r2": ("A", False), "r3": ("A", False),
                          "k1": ("A", False), "j1": ("J", True), "j2": ("K", True)})
    events = set(TRUTH.values())
    assert missed(TRUTH, outcomes, events) == {"khan"}
    assert duplicated(TRUTH, outcomes, events) == {"jabalia"}
    figures = scores(TRUTH, outcomes, events)
    assert figures["missed_per_100"] == 100 / 3
    assert figures["duplicates_per_100"] == 100 / 3


def test_folding_into_own_cluster_is_no_miss() -> None:
    """Later reports folding into their own event's cluster are neither missed nor
    duplicated, and pairwise precision and recall are perfect."""
    outcomes = _outcomes({"r1": ("A", True), "r2": ("A", False), "r3": ("A", False),
                          "k1": ("K", True), "j1": ("J", True), "j2": ("J", False)})
    figures = scores(TRUTH, outcomes, set(TRUTH.values()))
    assert (figures["missed_per_100"], figures["duplicates_per_100"]) == (0.0, 0.0)
    assert (figures["precision"], figures["recall"]) == (1.0, 1.0)


def test_pairwise_counts_merged_and_split_pairs() -> None:
    """One wrong merge and one split out of the pairs lower precision and recall."""
    truth = {"a": "x", "b": "x", "c": "y"}
    assert pairwise(truth, {"a": "1", "b": "2", "c": "2"}) == (0.0, 0.0)
    assert pairwise(truth, {"a": "1", "b": "1", "c": "1"}) == (1 / 3, 1.0)


def test_report_separates_measured_from_fit() -> None:
    """The printed table names the frozen split as measured and the tune split as a fit."""
    row = {"events": 2, "missed_per_100": 0.0, "duplicates_per_100": 50.0, "precision": 1.0,
           "recall": 0.5}
    text = report({"frozen": row, "tune": row, "all": {**row, "untagged": 1}})
    assert "frozen" in text and "measured (never tuned on)" in text
    assert "fit (tuned on)" in text and "50.0" in text
