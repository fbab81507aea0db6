"""The behavioural suite (tests/behaviour/cases.jsonl): per-capability pass rates, ratcheted."""

import json
from collections import Counter
from pathlib import Path

import pytest

from services.classifier.behaviour import load_cases, pairs_right, report_lines, run_suite

SUITE = Path(__file__).parents[2] / "behaviour"
CASES = load_cases(SUITE / "cases.jsonl")
RATCHET = json.loads((SUITE / "ratchet.json").read_text(encoding="utf-8"))
RESULTS = run_suite(CASES)


def test_suite_is_large_and_every_capability_has_a_floor() -> None:
    """At least 300 distinct cases, 20 or more per capability, each capability ratcheted."""
    titles = [c["title"] for c in CASES]
    assert len(titles) >= 300 and len(set(titles)) == len(titles)
    per_capability = Counter(c["capability"] for c in CASES)
    assert min(per_capability.values()) >= 20
    assert set(per_capability) == set(RATCHET["floors"])


@pytest.mark.parametrize("capability", sorted(RATCHET["floors"]))
def test_capability_pass_rate_does_not_fall_below_its_floor(capability: str) -> None:
    """Each capability passes at least as many cases as when its floor was recorded."""
    result = RESULTS[capability]
    failing = [f"{f['id']}: expected={f['expected']} got={f['got']}" for f in result.failures]
    assert result.rate >= RATCHET["floors"][capability] - 1e-9, "\n".join(failing)


def test_minimal_pairs_do_not_regress() -> None:
    """Every pair has two sides with different readings; no fewer pairs are read right."""
    sides = Counter(c["pair"] for c in CASES if c.get("pair"))
    assert len(sides) >= 40 and set(sides.values()) == {2}
    right, total = pairs_right(CASES, RESULTS)
    assert total == len(sides) and right >= RATCHET["pairs_both_right"]


def test_pairs_right_needs_both_sides() -> None:
    """A pair counts as right only when neither of its two cases fails."""
    cases = [
        {"id": "a", "capability": "c", "pair": "p1", "title": "Drone strike kills two commanders",
         "expect": {"military_strike": "occurred"}},
        {"id": "b", "capability": "c", "pair": "p1", "title": "Nurses strike over pay",
         "expect": {}},
        {"id": "d", "capability": "c", "pair": "p2", "title": "Bakery wins a prize",
         "expect": {"sanction": "occurred"}},
        {"id": "e", "capability": "c", "pair": "p2", "title": "Bakery sells bread", "expect": {}},
    ]
    assert pairs_right(cases, run_suite(cases)) == (1, 2)


def test_load_cases_names_the_bad_line(tmp_path: Path) -> None:
    """A case without an expect map is refused with the file and line number."""
    bad = tmp_path / "cases.jsonl"
    bad.write_text('{"capability": "x", "title": "t", "expect": {}}\n'
                   '{"capability": "x", "title": "t"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"cases.jsonl:2: a case needs"):
        load_cases(bad)


def test_suite_scores_modality_and_absence_strictly(tmp_path: Path) -> None:
    """A case passes only with the expected modality, and an absent type must get no tag."""
    cases = [
        {"id": "a", "capability": "pair", "title": "Drone strike kills two commanders",
         "expect": {"military_strike": "occurred"}},
        {"id": "b", "capability": "pair", "title": "Drone strike kills two commanders",
         "expect": {"military_strike": "threatened"}},
        {"id": "c", "capability": "other", "title": "Drone strike kills two commanders",
         "expect": {}},
    ]
    results = run_suite(cases)
    assert (results["pair"].passed, results["pair"].total) == (1, 2)
    assert results["pair"].failures[0]["id"] == "b" and results["pair"].alert_passed == 1
    assert results["other"].rate == 0.0
    table = report_lines(results, show_failures=1)
    assert table[1].split() == ["pair", "2", "1", "0.500", "0.500"]
    assert table[-1].startswith("  b: expected={'military_strike': 'threatened'}")
