"""Modality of a cue from its clause (occurred, denied, urged, threatened, planned, past)."""

import re
from dataclasses import dataclass

from services.classifier import cues
from services.classifier.sentences import Sentence
from shared.schemas import Modality

_CLAUSE = re.compile(
    r"[,;:!?()]|\b(?:after|but|while|when|amid|since|following|before|despite)\b"
    r"|\bas\b(?! an? )"
)
_WINDOW = 80
_PARTICIPLE_LEAD = re.compile(r" ?[a-z]+ing\b")


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
    raw = clause_before(low, start)
    # ", designating X as ..." continues the previous clause and shares its modality.
    if _PARTICIPLE_LEAD.match(raw) and start - len(raw) > 1:
        lead = start - len(raw) - 1
        raw = clause_before(low, lead) + low[lead] + raw
    before = cues.HEDGE.sub("", raw)
    if low[max(0, start - len(raw) - 6) : start - len(raw)].endswith("since "):
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
