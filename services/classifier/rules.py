"""Rule-based detection of military strikes and sanctions actions, with modality and evidence."""

import re

from services.classifier import cues
from services.classifier import cues_sanction as sc
from services.classifier.extract import sanction_fields, strike_fields
from services.classifier.modality import Hit, modality_of
from services.classifier.rules_sanction import framed_as_background, sanction_hits
from services.classifier.sentences import MAX_CHARS, Sentence, split_sentences
from shared.schemas import ALERTING_MODALITIES, EventType, Evidence, Tag

_WINDOW = 80
_RAID = re.compile(r"(?<!air )(?<!air-)\braid(?:s|ed|ing)?\b")
_PASSIVE_HIT = re.compile(
    r"\b(?:hit|struck|pounded|targeted|destroyed|damaged) by (?:\w+ ){0,3}(?:missiles?"
    r"|rockets?|drones?|air ?strikes?|shells|shelling|artillery|warplanes|jets|bombs)\b"
)


def _strike_hits(s: Sentence) -> list[Hit]:
    low = s.low
    # Training and ceremony words veto a sentence, unless a named weapon killed people there.
    if cues.NOT_ATTACK.search(low) and not (cues.KILLED.search(low)
                                           and cues.STRIKE_EVENT.search(low)):
        return []
    found: list[tuple[re.Match[str], float]] = []
    found += [(m, 0.9) for m in cues.STRIKE_EVENT.finditer(low)]
    found += [(m, 0.85) for m in _PASSIVE_HIT.finditer(low)]
    if not cues.NOT_MIL_STRIKE.search(low):
        found += _generic_strike(low)
    return [Hit(s, m.group(), m.start(), modality_of(low, m.start(), m.end()), w)
            for m, w in found
            if not cues.STRIKE_BACKGROUND.search(low, max(0, m.start() - 60), m.start())]


def _generic_strike(low: str) -> list[tuple[re.Match[str], float]]:
    out: list[tuple[re.Match[str], float]] = []
    actor = cues.MIL_ACTOR.search(low)
    if actor:
        out += [(m, 0.8) for m in cues.STRIKE_VERB.finditer(low, actor.end())
                if m.start() - actor.end() < _WINDOW and not _RAID.match(m.group())
                and _prev_word(low, m.start()) not in cues.NOUN_LEAD
                and not cues.UNIT_AFTER.match(low, m.end())]
    out += [(m, 0.8) for m in cues.DEMONYM_STRIKE.finditer(low)]
    out += [(m, 0.75) for m in cues.STATE_STRIKE.finditer(low)]
    if actor or cues.CASUALTY.search(low):
        out += [(m, 0.7) for m in cues.STRIKE_NOUN.finditer(low)]
        if not cues.POLICE.search(low):
            out += [(m, 0.75) for m in _RAID.finditer(low)]
    out += [(m, 0.65) for m in cues.FORCE_KILL.finditer(low)]
    if cues.CASUALTY.search(low):
        out += [(m, 0.7) for m in cues.USED_WEAPON.finditer(low)]
    return out


def _intercepts(s: Sentence) -> list[Hit]:
    """Downed missiles or drones, read as a (mostly intercepted) attack."""
    if cues.NOT_ATTACK.search(s.low):
        return []
    return [Hit(s, m.group(), m.start(), modality_of(s.low, m.start(), m.end()), 0.7)
            for m in cues.INTERCEPT.finditer(s.low)]


def _prev_word(low: str, start: int) -> str:
    prev = low[max(0, start - 30) : start].rsplit(None, 1)
    return prev[-1] if prev else ""


def _sanction_hits(sentences: list[Sentence]) -> list[Hit]:
    """Sanction hits; an opinion piece, or a headline naming sanctions only as background
    ("oligarchs under sanctions lobby at Cop27"), keeps its summary from alerting."""
    hits = [(s, sanction_hits(s)) for s in sentences if cues.SANCTION_GATE.search(s.low)]
    title = sentences[0] if sentences and sentences[0].is_title else None
    if title and (cues.OPINION_TITLE.search(title.low) or framed_as_background(title)):
        # A summary dating the action ("imposed on Sunday") still reports it.
        return [h for s, found in hits for h in found
                if s is title or sc.FRESH_AFTER.search(s.low)]
    return [h for _, found in hits for h in found]


def _best(hits: list[Hit]) -> list[Hit]:
    alerting = [h for h in hits if h.modality in ALERTING_MODALITIES]
    pool = alerting or hits
    top = max(pool, key=lambda h: (h.sentence.is_title, h.strength))
    same = [h for h in pool if h.modality is top.modality and h is not top]
    return [top, *same]


def _tag(name: EventType, hits: list[Hit], fields: dict[str, list[str]]) -> Tag:
    chosen = _best(hits)
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


def classify_text(title: str, summary: str) -> list[Tag]:
    """Event tags (military_strike, sanction) for one article; empty when neither applies."""
    whole = f"{title}\n{summary[:MAX_CHARS]}".lower()
    maybe_strike = cues.STRIKE_GATE.search(whole) is not None
    # Sport and regulatory articles use "sanction" in its disciplinary sense throughout.
    maybe_sanction = (cues.SANCTION_GATE.search(whole) is not None
                      and sc.NON_GOV_CONTEXT.search(whole) is None)
    if not (maybe_strike or maybe_sanction):
        return []
    sentences = split_sentences(title, summary)
    tags: list[Tag] = []
    strikes = [h for s in sentences if maybe_strike and cues.STRIKE_GATE.search(s.low)
               for h in _strike_hits(s)]
    if maybe_strike and not strikes and cues.ATTACK_WORD.search(whole):
        strikes = [h for s in sentences for h in _intercepts(s)]
    if strikes:
        best = _best(strikes)
        tags.append(_tag(EventType.MILITARY_STRIKE, strikes,
                         strike_fields([h.sentence.text for h in best], best[0].cue)))
    sanctions = _sanction_hits(sentences) if maybe_sanction else []
    if sanctions:
        best = _best(sanctions)
        tags.append(_tag(EventType.SANCTION, sanctions,
                         sanction_fields([h.sentence.text for h in best])))
    return tags
