"""The learned decision: the shipped model file and the hybrid (training: tests/integration)."""


import numpy as np

from services.classifier.classify import classify_article
from services.classifier.learned.features import TAGS, WIDTH
from services.classifier.learned.hybrid import MODEL_CUE, decide
from services.classifier.learned.scorer import MODEL_PATH, TagModel, load

SEED_TITLE = ("US strikes Kataib Hezbollah sites in Iraq after Treasury sanctions militia leaders "
              "and Fly Baghdad")
SEED_SUMMARY = ("US forces struck three facilities used by Kataib Hezbollah in Iraq on Tuesday, "
                "a day after the US Treasury imposed sanctions on three of the group's leaders "
                "and the airline Fly Baghdad.")

def test_shipped_model_file_loads_with_both_tags() -> None:
    """The model kept in the repo loads without pickle and has a decision per event tag."""
    models = load(MODEL_PATH)
    assert set(models) == set(TAGS)
    for m in models.values():
        assert m.weights.shape == (WIDTH,) and np.count_nonzero(m.weights) > 1000
        assert 0.0 < m.threshold < 1.0


def test_hybrid_keeps_the_seed_story_evidence_fields_and_shows_scores() -> None:
    """With the model on, the seed story keeps both tags with the rules' evidence, cues and
    extracted fields, each showing the model's score, and the sanction alerts."""
    tags = classify_article(SEED_TITLE, SEED_SUMMARY, models=load(MODEL_PATH))
    by_name = {t.name: t for t in tags}
    strike, sanction = by_name["military_strike"], by_name["sanction"]
    assert sanction.alert
    assert strike.score is not None and sanction.score is not None
    assert strike.evidence[0].cues and sanction.evidence[0].cues
    assert any("Kataib Hezbollah" in t for t in strike.fields["target"])
    assert any(a.startswith("US") for a in strike.fields["actor"])
    assert "US Treasury" in sanction.fields["authority"]
    assert any("Fly Baghdad" in t for t in sanction.fields["targets"])


def test_hybrid_prefilter_skips_text_without_candidate_cues() -> None:
    """An article with no strike or sanction vocabulary gets no tag and no model call."""
    assert decide("Bakery wins prize", "The judges loved the crust.", [], {}) == []


def test_model_can_add_a_tag_the_rules_missed_marked_as_its_own() -> None:
    """When the model alerts on a tag the rules did not raise, the tag says it came from the
    model (its cue) and carries the score; an always-yes model makes this deterministic."""
    yes = TagModel(np.zeros(WIDTH), 10.0, 0.5)
    title = "Jets strike depot"
    tags = decide(title, "", [], dict.fromkeys(TAGS, yes))
    assert {t.name for t in tags} == set(TAGS)
    assert all(t.alert and t.evidence[0].cues == [MODEL_CUE] and t.score for t in tags)
