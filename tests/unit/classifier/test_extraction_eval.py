"""The lenient matcher and per-field counts behind bench/bench_extraction.py."""

from services.classifier.extraction_eval import Counts, matches, score_field


def test_matches_folds_case_accents_and_demonyms() -> None:
    """Case, accents and a demonym standing for its state do not stop a match."""
    assert matches("Israel", "Israeli forces", "actor")
    assert matches("US forces", "the U.S. military", "actor")
    assert matches("Zaporizhzhia", "ZAPORÍZHZHIA region", "location")
    assert matches("UK", "United Kingdom", "country")


def test_matches_needs_a_whole_word_run() -> None:
    """Containment is by whole words, so 'US' is not found inside 'Russia'."""
    assert not matches("US", "Russia", "actor")
    assert not matches("Kyiv", "Kharkiv", "location")
    assert not matches("Gaza", "West Bank", "location")


def test_authority_matches_its_institution_or_state() -> None:
    """An authority label matches the extractor's institution name or the state behind it."""
    assert matches("OFAC", "US Treasury (OFAC)", "authority")
    assert matches("US", "US Treasury", "authority")
    assert not matches("EU", "United Kingdom", "authority")


def test_score_field_counts_slots_and_designees_per_name() -> None:
    """A single-valued label is one slot; designees count per name on both sides."""
    slot = Counts()
    score_field(slot, "Kyiv", ["Kyiv", "Lviv"], "location")
    score_field(slot, None, ["Odesa"], "location")
    score_field(slot, "Kharkiv", [], "location")
    assert (slot.tp_pred, slot.pred, slot.tp_gold, slot.gold) == (1, 2, 1, 2)
    names = Counts()
    score_field(names, ["Los Lobos", "Los Choneros"], ["Los Lobos", "a bank"], "designees")
    assert names.scores()["precision"] == 0.5 and names.scores()["recall"] == 0.5
