"""General rules added after checking the classifier on an independent labelled sample."""

import json
from pathlib import Path

import pytest

from services.classifier.rules.classify import classify_text
from services.classifier.rules.sentences import split_sentences

STRIKE = "military_strike"
SANCTION = "sanction"
LABELS = Path(__file__).resolve().parents[3] / "bench" / "data" / "pool_labels.jsonl"


def _alerts(title: str, summary: str = "") -> set[str]:
    return {t.name for t in classify_text(title, summary) if t.alert}


@pytest.mark.parametrize(("title", "summary"), [
    ("Capital shaken as Russia launches rare daytime attack", ""),
    ("Militia rockets force hundreds of villagers to flee the border", ""),
    ("Clinic where families were sheltering bombed in the port city", ""),
    ("Kremlin accuses Kyiv of attacking a naval base with sea drones", ""),
    ("Author dies of wounds",
     "The novelist is now the ninth resident to be killed by Tuesday's drone strike."),
    ("Mourners bury cadets", "A drone attack killed twenty cadets at their passing-out parade."),
    ("Homes flattened", "Israeli bombing levelled two blocks of flats overnight."),
])
def test_new_strike_patterns_alert(title: str, summary: str) -> None:
    """State subjects, weapon-as-subject, passive bombing and 'to be killed' report strikes."""
    assert STRIKE in _alerts(title, summary)


@pytest.mark.parametrize("title", [
    "Brigade's Attack Battalion welcomes a new commander",
    "Paratroopers rehearse an air assault from helicopters",
    "Operation Striking Thunder wraps up with allies",
    "Marines certify artillery fire control officers after a course",
    "Fleet reaches a milestone for its precision-strike technology",
    "Pyongyang launches another test rocket toward the sea off its east coast",
    "Spy chiefs saw the militants' attack blueprint a year early",
    "Ex-partner bombarded her with hundreds of texts",
    "Dock workers strike over pay for a second week",
    "Government and unions strike a deal to end the dispute",
    "Lightning strikes a barn and kills two cows",
    "Striker hits a hat-trick as the league leaders win again",
    "Police raid a flat and seize weapons and drugs",
    "Veterans mark the 80th anniversary of the bombing raids on the city",
])
def test_strike_hard_negatives_do_not_alert(title: str) -> None:
    """Units, exercises, tests, labour, sport, police and anniversaries are no strike event."""
    assert STRIKE not in _alerts(title)


@pytest.mark.parametrize(("title", "summary"), [
    ("China sanctions Lockheed and Boeing units over Taiwan arms sales", ""),
    ("UK sanctions Wagner-linked officials in three countries", ""),
    ("Washington hits the army's commanders with sanctions", ""),
    ("Beijing issues sanctions against two US think tanks", ""),
    ("Bank halts bond sale",
     "Payments stopped due to sanctions imposed on Sunday against its owners."),
    ("Weekly briefing", "The US increased sanctions against Moscow on Friday."),
])
def test_new_sanction_patterns_alert(title: str, summary: str) -> None:
    """Object names ending in -ed, 'hits X with', 'issues' and dated actions are sanctions."""
    assert SANCTION in _alerts(title, summary)


@pytest.mark.parametrize(("title", "summary"), [
    ("Sanctioned tycoon loses his appeal in a divorce case", ""),
    ("Shipping firm changes hands", "Trade moved to a Dubai twin as sanctions tightened."),
    ("Minister wants a sanctions commissioner for the bloc", ""),
    ("Company says Iran sanctions probe closed without fine", ""),
    ("Yachts still sell", "Dealers say sanctions imposed on tycoons have barely dented the trade."),
    ("Leader tours allies", "The president, against whom the US has imposed sanctions, met them."),
    ("Neighbour stays neutral", "Alone in the bloc, the country has never sanctioned Moscow."),
    ("Rivals stay apart", "Two states stopped short of joining the West in imposing sanctions."),
    ("Report on welfare", "Families felt the full force of benefit sanctions last year."),
    ("Team sanctioned for slow over rate in the cup match", ""),
    ("Lawmakers recommended for sanction", "They should be sanctioned by the ethics committee."),
    ("EPA defers sanctions for the county air pollution district", ""),
    ("Laboratory rules", "The rule sets alternative sanctions for clinical laboratories."),
    ("War diary", "Washington previously imposed sanctions on the drone makers."),
    ("White House weighs options", "Officials are looking at ways to target firms via sanctions."),
    ("Ministers weigh new sanctions on the regime", ""),
    ("Judge sanctions the attorneys for misconduct", ""),
    ("The execution was a state-sanctioned killing, rights chief says", ""),
    ("Trader pleads guilty to violating oil sanctions", ""),
])
def test_sanction_hard_negatives_do_not_alert(title: str, summary: str) -> None:
    """Adjectives, nouns, background, denial, discipline and plans are no sanctions action."""
    assert SANCTION not in _alerts(title, summary)


def test_html_summary_is_split_into_sentences() -> None:
    """Block tags end sentences and entities are decoded before matching."""
    sentences = split_sentences("Title", "<p>First part&#039;s end</p><p>Second part here</p>")
    assert [s.text for s in sentences] == ["Title", "First part's end", "Second part here"]


def test_pool_labels_hold_ids_and_labels_only() -> None:
    """The labelled sample stores ids, labels and our notes, never the publishers' text."""
    rows = [json.loads(line) for line in LABELS.read_text("utf-8").splitlines() if line]
    assert len(rows) >= 600 and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert set(row) == {"id", "source", "stratum", "half", "labels", "note"}
        assert row["labels"] is None or set(row["labels"]) <= {STRIKE, SANCTION}
