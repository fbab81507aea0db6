"""Sanction rules: which sentences report a sanctions action, with what cue and modality.

The cue tables are in sanction_cues.py; modality is read by modality.py.
"""

import re

from services.classifier.rules import sanction_cues as sc
from services.classifier.rules.modality import Hit, clause_before, modality_of
from services.classifier.rules.sentences import Sentence
from shared.schemas import Modality

_STOP_WORD = re.compile(r"[a-z0-9.'-]+")
_AUX = re.compile(r"\W*(?:have|has|had|was|were|is|are|been|being)\b")
_TARGETED = re.compile(r"\b(?:targeted|smart) $")


def may_report(whole: str) -> bool:
    """Cheap article-level gate on the lower-cased title and summary; sport and regulatory
    articles use "sanction" in its disciplinary sense throughout."""
    return sc.SANCTION_GATE.search(whole) is not None and sc.NON_GOV_CONTEXT.search(whole) is None


def article_hits(sentences: list[Sentence]) -> list[Hit]:
    """Sanction hits of an article; an opinion piece, or a headline naming sanctions only as
    background ("oligarchs under sanctions lobby at Cop27"), keeps its summary from alerting."""
    hits = [(s, sanction_hits(s)) for s in sentences if sc.SANCTION_GATE.search(s.low)]
    title = sentences[0] if sentences and sentences[0].is_title else None
    if title and (sc.OPINION_TITLE.search(title.low) or framed_as_background(title)):
        # A summary dating the action ("imposed on Sunday") still reports it.
        return [h for s, found in hits for h in found
                if s is title or sc.FRESH_AFTER.search(s.low)]
    return [h for _, found in hits for h in found]


def sanction_hits(s: Sentence) -> list[Hit]:
    """Sanction cues of one sentence with their modality; background mentions are dropped."""
    low = s.low
    if any(m.start() < _first_sanction(low) for m in sc.NOT_GOV_SANCTION.finditer(low)):
        return []
    if (sc.APPROVAL_SENSE.search(low) or sc.NON_GOV_AGENT.search(low)
            or sc.NON_GOV_SENTENCE.search(low)):
        return []
    hits: list[Hit] = []
    for m in sc.SANCTION_MENTION.finditer(low):
        if _background(s, m):
            continue
        signal = _sanction_signal(s, m)
        modality = modality_of(low, m.start(), m.end(), signal or Modality.OCCURRED)
        if modality is Modality.OCCURRED and _recalled(s, m):
            modality = Modality.HISTORICAL
        if signal is not None or modality is not Modality.OCCURRED:
            weight = 0.85 if _is_verb(s, m) else 0.8
            hits.append(Hit(s, m.group(), m.start(), modality, weight))
    target = sc.STATE_TARGETS.search(low)
    if target and not hits:
        modality = modality_of(low, target.start(), target.end())
        hits.append(Hit(s, target.group(), target.start(), modality, 0.75))
    return hits


def _recalled(s: Sentence, m: re.Match[str]) -> bool:
    """Dated long ago, or a cause in a summary's "after ... imposed" clause."""
    low = s.low
    if sc.OLD_DATE_AFTER.match(low[m.end() :]):
        return True
    return (not s.is_title and bool(sc.AFTER_PAST.search(low, max(0, m.start() - 60), m.start()))
            and not sc.FRESH_AFTER.search(low))


def framed_as_background(s: Sentence) -> bool:
    """Every mention reads as sanctions in force ("under sanctions", "a firm sanctioned by")."""
    found = list(sc.SANCTION_MENTION.finditer(s.low))
    return bool(found) and all(_framed(s.low, m) for m in found)


def _framed(low: str, m: re.Match[str]) -> bool:
    before, after = low[max(0, m.start() - 40) : m.start()], low[m.end() : m.end() + 30]
    background = sc.SANCTION_BACKGROUND.search(before) or sc.SANCTION_BACKGROUND.search(after)
    # "due to sanctions imposed on Sunday" is fresh news despite the background framing.
    if background and not sc.FRESH_AFTER.match(low, m.end(), m.end() + 60):
        return True
    return m.group() == "sanctioned" and _relative_participle(low, m)


def _background(s: Sentence, m: re.Match[str]) -> bool:
    """A mention that describes sanctions in force rather than reporting an action."""
    low = s.low
    if _framed(low, m):
        return True
    nxt = _STOP_WORD.match(low, m.end() + 1)
    if nxt and nxt.group().strip(".'") in sc.COMPOUND_NOUN:
        return True
    return bool(sc.EVALUATIVE_AFTER.match(low[m.end() :]))


def _relative_participle(low: str, m: re.Match[str]) -> bool:
    # "an executive sanctioned over the war", "after it was sanctioned", and a noun phrase
    # with "sanctioned by/over" that is then the subject of another verb.
    if sc.RELATIVE_SANCTIONED.search(low, max(0, m.start() - 40), m.start()):
        return True
    prev = low[: m.start()].rsplit(None, 1)
    if prev and prev[-1] in sc.AGENTS:
        return False
    rest = low[m.end() :]
    return rest.startswith((" by ", " over ", " for ")) and bool(sc.MAIN_VERB_AFTER.match(rest))


def _first_sanction(low: str) -> int:
    m = sc.SANCTION_MENTION.search(low)
    return m.start() if m else len(low)


def _sanction_signal(s: Sentence, m: re.Match[str]) -> Modality | None:
    """Occurred/lifted/eased when the clause reports an action; None for a bare mention."""
    low = s.low
    # "targeted sanctions" names a kind of measure; it reports no action by itself.
    before = _TARGETED.sub("", clause_before(low, m.start()))
    after = low[m.end() : m.end() + 40]
    if sc.LIFT.search(before) or sc.LIFT.search(after[:25]):
        return Modality.LIFTED
    if sc.EASE.search(before) or sc.EASE.search(after[:25]):
        return Modality.EASED
    if sc.SELF_ACTION.match(m.group()):
        return Modality.OCCURRED
    if _is_verb(s, m) or _action_before(low, before) or sc.REACTION.search(before):
        return Modality.OCCURRED
    if sc.ACTION_AFTER.search(after) and not _subject_participle(s, before, after):
        return Modality.OCCURRED
    return None


def _action_before(low: str, before: str) -> bool:
    # "further sanctions" after "talks on the war, ..." is an agenda item, not an action.
    actions = [a.group() for a in sc.ACTION.finditer(before)]
    if actions and all(sc.WEAK_ACTION.match(a) for a in actions):
        return not sc.DISCUSSION.search(low[: low.find(before)])
    return bool(actions)


def _subject_participle(s: Sentence, before: str, after: str) -> bool:
    # In running text, "Sanctions imposed on oligarchs don't seem to hurt ..." makes the
    # sanctions the subject of another verb: background. Headlines drop the verb instead,
    # and so do live-blog fragments ("sanction imposed on two generals.").
    return (not s.is_title and len(before.split()) <= 3 and not _AUX.match(after)
            and bool(sc.FINITE_AFTER.match(after)))


def _is_verb(s: Sentence, m: re.Match[str]) -> bool:
    low, word = s.low, m.group()
    if word not in ("sanctions", "sanctioned", "sanctioning"):
        return False
    prev = low[: m.start()].rsplit(None, 1)
    prev_word = prev[-1] if prev else ""
    if word != "sanctions":
        # Sentence-initial "Sanctioned Russian tycoon ..." is an adjective.
        if not prev_word or prev_word in sc.ADJ_BEFORE_SANCTIONED or prev_word.endswith("-"):
            return False
        rest = low[m.end() :].lstrip(" '")
        return (not rest[:1].isalpha() or sc.VERB_OBJECT.match(rest) is not None
                or _capitalised_after(s, m.end()))
    if sc.VERB_LIST_AFTER.match(low, m.end()):
        return True
    nxt = _STOP_WORD.match(low, m.end() + 1) if low[m.end() : m.end() + 1] == " " else None
    if not (prev and nxt) or prev_word in sc.NOUN_LEAD_SANCTIONS:
        return False
    follower = nxt.group().strip(".'")
    # "as sanctions tightened": a past-tense verb after the noun, not an object.
    return follower not in sc.NOUN_FOLLOWER and not _past_tense(follower)


def _past_tense(word: str) -> bool:
    # "tightened", "imposed": a verb after the noun ("Lockheed" is an object, so no bare -ed).
    return word.endswith("ened") or word in sc.NOUN_FOLLOWER


def _capitalised_after(s: Sentence, end: int) -> bool:
    # A proper-noun object ("sanctioned Bosnian Serbs"); uninformative in Title Case headlines.
    if s.is_title or len(s.text) != len(s.low):
        return False
    rest = s.text[end:].lstrip(" '")
    return rest[:1].isupper()
