"""The hybrid decision: the rules keep evidence, modality and extraction; the model decides
whether each event tag alerts, and its score is shown on the tag beside the rules' cues."""

from services.classifier.learned.features import TAGS
from services.classifier.learned.scorer import TagModel, scores
from services.classifier.rules import sanction, strike
from services.classifier.rules.sentences import MAX_CHARS
from shared.schemas import Evidence, Modality, Tag

MODEL_CUE = "learned model"


def has_candidate(title: str, summary: str) -> bool:
    """The prefilter: the rules' cheap keyword gates. Articles passing neither skip the model,
    which keeps the common case (no strike or sanction vocabulary at all) as fast as rules."""
    whole = f"{title}\n{summary[:MAX_CHARS]}".lower()
    return strike.may_report(whole) or sanction.may_report(whole)


def decide(title: str, summary: str, rule_tags: list[Tag],
           models: dict[str, TagModel]) -> list[Tag]:
    """The rules' tags with ``alert`` and ``score`` set by the model; a tag the model alerts
    on that the rules missed gets the headline as evidence, marked as the model's."""
    if not rule_tags and not has_candidate(title, summary):
        return rule_tags
    probability = scores(title, summary, rule_tags, models)
    by_name = {t.name: t for t in rule_tags}
    decided: list[Tag] = []
    for name in TAGS:
        p = round(probability[name], 3)
        alert = p >= models[name].threshold
        tag = by_name.get(name)
        if tag is not None:
            decided.append(tag.model_copy(update={"alert": alert, "score": p}))
        elif alert:
            decided.append(Tag(name=name, kind="event", modality=Modality.OCCURRED,
                               confidence=p, alert=True, score=p,
                               evidence=[Evidence(sentence=title or summary[:200],
                                                  cues=[MODEL_CUE])]))
    return decided + [t for t in rule_tags if t.name not in TAGS]
