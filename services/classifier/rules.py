"""Rule-based detection of military strikes and sanctions actions, with modality and evidence."""

import re
from dataclasses import dataclass

from services.classifier import cues
from services.classifier import cues_sanction as sc
from services.classifier.extract import sanction_fields, strike_fields
from services.classifier.sentences import MAX_CHARS, Sentence, split_sentences
from shared.schemas import ALERTING_MODALITIES, EventType, Evidence, Modality, Tag

_CLAUSE = re.compile(
    r"[,;:!?()]|\b(?:after|but|while|when|amid|since|following|before|despite)\b"
    r"|\bas\b(?! an? )"
)
_WINDOW = 80
_RAID = re.compile(r"(?<!air )(?<!air-)\braid(?:s|ed|ing)?\b")
_PASSIVE_HIT = re.compile(
    r"\b(?:hit|struck|pounded|targeted|destroyed|damaged) by (?:\w+ ){0,3}(?:missiles?"
    r"|rockets?|drones?|air ?strikes?|shells|shelling|artillery|warplanes|jets|bombs)\b"
)
_STOP_WORD = re.compile(r"[a-z0-9.'-]+")
_AUX = re.compile(r"\W*(?:have|has|had|was|were|is|are|been|being)\b")
_TARGETED = re.compile(r"\b(?:targeted|smart) $")


@dataclass(slots=True)
class Hit:
    """One cue in one sentence, with the modality read from its clause."""

    sentence: Sentence
    cue: str
    start: int
    modality: Modality
    strength: float


def clause_before(low: str, start: int) -> str:
    """Text from the start of the cue's clause up to the cue."""
    window = low[max(0, start - _WINDOW) : start]
    parts = _CLAUSE.split(window)
    return parts[-1] if parts else window


def modality_of(low: str, start: int, end: int, occurred: Modality = Modality.OCCURRED) -> Modality:
    """The modality of a cue from its own clause: denial, call, threat, plan, recollection."""
    before = clause_before(low, start)
    if low[max(0, start - len(before) - 6) : start - len(before)].endswith("since "):
        return Modality.HISTORICAL
    if before.endswith("no ") or before.endswith("no new "):
        return Modality.DENIED
    for modality, pattern in cues.MODAL_BEFORE:
        if pattern.search(before):
            if modality is Modality.CONSIDERED and _status_quo_or_done(before):
                continue
            return modality
    if _future_infinitive(low, start, before):
        return Modality.CONSIDERED
    # A question ("Is there space for further sanctions?") reports nothing yet.
    if cues.MODAL_AFTER.search(low[end : end + 60]) or low.rstrip(" '\"").endswith("?"):
        return Modality.CONSIDERED
    return occurred


def _future_infinitive(low: str, start: int, before: str) -> bool:
    # "UK to sanction X" announces; "spurs US to ease" and "added to the list" report.
    if cues.INFINITIVE_OK.search(before):
        return False
    bare = re.search(r"\bto (?:\w+ )?$", before) and cues.BARE_VERB_CUE.match(low, start)
    return bool(bare or cues.TO_VERB.search(before))


def _status_quo_or_done(before: str) -> bool:
    # "will keep sanctions in place" decides an extension; it is not a mere plan.
    return bool(cues.KEEP.search(before))


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
            for m, w in found]


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
    return out


def _prev_word(low: str, start: int) -> str:
    prev = low[max(0, start - 30) : start].rsplit(None, 1)
    return prev[-1] if prev else ""


def _sanction_hits(s: Sentence) -> list[Hit]:
    low = s.low
    if any(m.start() < _first_sanction(low) for m in sc.NOT_GOV_SANCTION.finditer(low)):
        return []
    if sc.APPROVAL_SENSE.search(low) or sc.NON_GOV_AGENT.search(low):
        return []
    hits: list[Hit] = []
    for m in sc.SANCTION_MENTION.finditer(low):
        before, after = low[max(0, m.start() - 40) : m.start()], low[m.end() : m.end() + 30]
        background = (sc.SANCTION_BACKGROUND.search(before)
                      or sc.SANCTION_BACKGROUND.search(after))
        # "due to sanctions imposed on Sunday" is fresh news despite the background framing.
        if background and not sc.FRESH_AFTER.match(low, m.end(), m.end() + 60):
            continue
        signal = _sanction_signal(s, m)
        modality = modality_of(low, m.start(), m.end(), signal or Modality.OCCURRED)
        if signal is not None or modality is not Modality.OCCURRED:
            weight = 0.85 if _is_verb(s, m) else 0.8
            hits.append(Hit(s, m.group(), m.start(), modality, weight))
    return hits


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
    if cues.SELF_ACTION.match(m.group()):
        return Modality.OCCURRED
    if _is_verb(s, m) or sc.ACTION.search(before):
        return Modality.OCCURRED
    if sc.ACTION_AFTER.search(after) and not _subject_participle(s, before, after):
        return Modality.OCCURRED
    return None


def _subject_participle(s: Sentence, before: str, after: str) -> bool:
    # In running text, "Sanctions imposed on oligarchs don't seem to hurt ..." makes the
    # sanctions the subject of another verb: background. Headlines drop the verb instead.
    return not s.is_title and len(before.split()) <= 3 and not _AUX.match(after)


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
    if strikes:
        best = _best(strikes)
        tags.append(_tag(EventType.MILITARY_STRIKE, strikes,
                         strike_fields([h.sentence.text for h in best], best[0].cue)))
    sanctions = [h for s in sentences if maybe_sanction and cues.SANCTION_GATE.search(s.low)
                 for h in _sanction_hits(s)]
    if sanctions:
        best = _best(sanctions)
        tags.append(_tag(EventType.SANCTION, sanctions,
                         sanction_fields([h.sentence.text for h in best])))
    return tags
