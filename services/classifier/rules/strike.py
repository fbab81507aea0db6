"""Military-strike rules: which sentences report a strike, with what cue and modality.

The cue tables are in strike_cues.py; modality is read by modality.py.
"""

import re

from services.classifier.rules import strike_cues as cues
from services.classifier.rules.modality import Hit, modality_of
from services.classifier.rules.sentences import Sentence

# How far after a military actor its strike verb may stand ("Israeli jets on Sunday struck").
_WINDOW = 80


def may_report(whole: str) -> bool:
    """Cheap article-level gate on the lower-cased title and summary."""
    return cues.STRIKE_GATE.search(whole) is not None


def article_hits(sentences: list[Sentence], whole: str) -> list[Hit]:
    """Strike hits of an article; downed missiles or drones count only when no sentence
    reports a strike itself and the article names an attack."""
    strikes = [h for s in sentences if cues.STRIKE_GATE.search(s.low) for h in _strike_hits(s)]
    if not strikes and cues.ATTACK_WORD.search(whole):
        strikes = [h for s in sentences for h in _intercepts(s)]
    return strikes


def _strike_hits(s: Sentence) -> list[Hit]:
    low = s.low
    # Training and ceremony words veto a sentence, unless a named weapon killed people there.
    if cues.NOT_ATTACK.search(low) and not (cues.KILLED.search(low)
                                           and cues.STRIKE_EVENT.search(low)):
        return []
    found: list[tuple[re.Match[str], float]] = []
    found += [(m, 0.9) for m in cues.STRIKE_EVENT.finditer(low)]
    found += [(m, 0.85) for m in cues.PASSIVE_HIT.finditer(low)]
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
                if m.start() - actor.end() < _WINDOW and not cues.RAID.match(m.group())
                and _prev_word(low, m.start()) not in cues.NOUN_LEAD
                and not cues.UNIT_AFTER.match(low, m.end())]
    out += [(m, 0.8) for m in cues.DEMONYM_STRIKE.finditer(low)]
    out += [(m, 0.75) for m in cues.STATE_STRIKE.finditer(low)]
    if actor or cues.CASUALTY.search(low):
        out += [(m, 0.7) for m in cues.STRIKE_NOUN.finditer(low)]
        if not cues.POLICE.search(low):
            out += [(m, 0.75) for m in cues.RAID.finditer(low)]
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
