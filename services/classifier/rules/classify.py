"""The event rules' entry: an article's military_strike and sanction tags, top-down.

``classify_text`` gates the article cheaply, splits it into sentences, asks strike.py and
sanction.py for their hits, then turns the best hits into a tag with evidence, confidence
and the fields extract.py reads from the evidence sentences.
"""

from services.classifier.rules import sanction, strike
from services.classifier.rules.extract import sanction_fields, strike_fields
from services.classifier.rules.modality import Hit
from services.classifier.rules.sentences import MAX_CHARS, split_sentences
from shared.schemas import ALERTING_MODALITIES, EventType, Evidence, Tag


def classify_text(title: str, summary: str) -> list[Tag]:
    """Event tags (military_strike, sanction) for one article; empty when neither applies."""
    whole = f"{title}\n{summary[:MAX_CHARS]}".lower()
    maybe_strike, maybe_sanction = strike.may_report(whole), sanction.may_report(whole)
    if not (maybe_strike or maybe_sanction):
        return []
    sentences = split_sentences(title, summary)
    tags: list[Tag] = []
    strikes = strike.article_hits(sentences, whole) if maybe_strike else []
    if strikes:
        best = _best(strikes)
        tags.append(_tag(EventType.MILITARY_STRIKE, best,
                         strike_fields(_texts(best), best[0].cue)))
    sanctions = sanction.article_hits(sentences) if maybe_sanction else []
    if sanctions:
        best = _best(sanctions)
        tags.append(_tag(EventType.SANCTION, best,
                         sanction_fields(_texts(best))))
    return tags


def _texts(hits: list[Hit]) -> list[str]:
    """Each evidence sentence once: one sentence repeating a cue 400 times gave 400 copies,
    and extraction over their join went quadratic (1 s for 4,000 characters)."""
    return list(dict.fromkeys(h.sentence.text for h in hits))


def _best(hits: list[Hit]) -> list[Hit]:
    """The strongest hit (titles first) and the others of its modality, alerting ones
    preferred: they are the evidence the tag shows."""
    alerting = [h for h in hits if h.modality in ALERTING_MODALITIES]
    pool = alerting or hits
    top = max(pool, key=lambda h: (h.sentence.is_title, h.strength))
    same = [h for h in pool if h.modality is top.modality and h is not top]
    return [top, *same]


def _tag(name: EventType, chosen: list[Hit], fields: dict[str, list[str]]) -> Tag:
    """The tag of the chosen hits (strongest first): up to three evidence sentences, and a
    confidence from the top hit's strength, a title bonus and corroborating sentences."""
    top = chosen[0]
    sentences = list(dict.fromkeys(h.sentence for h in chosen))[:3]
    evidence = [Evidence(sentence=s.text, cues=sorted({h.cue for h in chosen if h.sentence is s}))
                for s in sentences]
    confidence = top.strength + (0.05 if top.sentence.is_title else 0.0)
    confidence += 0.02 * (len(sentences) - 1)
    if top.modality not in ALERTING_MODALITIES:
        confidence -= 0.1
    return Tag(name=name.value, kind="event", modality=top.modality,
               confidence=round(min(confidence, 0.99), 2),
               alert=top.modality in ALERTING_MODALITIES, evidence=evidence, fields=fields)
