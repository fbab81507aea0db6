"""Modality of a cue from its clause (occurred, denied, urged, threatened, planned, past).

The modality word tables sit here with the logic that reads them; they serve both event types.
"""

import re
from dataclasses import dataclass
from typing import Final

from services.classifier.rules.sentences import Sentence
from shared.schemas import Modality

# "possibly the largest attack so far" hedges the size, not the event.
HEDGE: Final = re.compile(r"\bwhat (?:may|might|could) (?:be|have been)\b")
MODAL_BEFORE: Final[tuple[tuple[Modality, re.Pattern[str]], ...]] = (
    (Modality.DENIED, re.compile(
        r"\b(?:den(?:y|ies|ied|ying)|dismiss(?:ed|es)?|refut\w*|reject\w* (?:\w+ )?claims?"
        r"|false(?:ly)?|fake|hoax|not|no|never|\w+n't|hold(?:s|ing)? off|refus\w*"
        r"|stop(?:s|ped)? short|refrain\w*|fail(?:s|ed)? to|balk\w*"
        r"|declin\w* to|rule[sd]? out|without|unwilling|reluctan\w*)\b")),
    (Modality.URGED, re.compile(
        r"\b(?:urg\w*|call(?:s|ed|ing)? (?:on|for)|ask(?:s|ed|ing)?|demand\w*|press\w* for"
        r"|push\w* for|appeal\w*|lobb\w*|request\w*|recommend\w*|need for|should|must"
        r"|wants?|seek\w*|plead\w*"
        r"|pressur\w* (?:\w+ ){0,3}for)\b|: sanction\b")),
    (Modality.THREATENED, re.compile(
        r"\b(?:threat\w*|warn\w*|ultimatum|vow\w*|fac(?:e|es|ing)|risk\w*|fears?|if|unless"
        r"|looms?|brac\w*)\b")),
    (Modality.CONSIDERED, re.compile(
        r"\b(?:consider\w*|weigh\w*|mull\w*|plan\w*|propos\w*|draft\w*|bill|could|would"
        r"|might|may|possible|potential|options?|prepar\w*|ready|set to|poised|expected"
        r"|likely|explor\w*|discuss\w*|contemplat\w*|promis\w*|pledg\w*|will"
        r"|look(?:s|ing)? (?:at|into)|ways to)\b"
        # "to be imposed" plans; "the fifth victim to be killed in the raid" reports.
        r"|\bto be (?:imposed|announced|adopted|introduced|unveiled|extended|lifted|eased"
        r"|launched|sanctioned|targeted|added|placed|approved|decided|discussed|considered)\b")),
    (Modality.HISTORICAL, re.compile(
        r"\b(?:anniversary|years ago|decades ago|commemorat\w*|memorial|remember\w*|previously"
        r"|already|formerly"
        r"|recall\w*|history of|retrospective)\b")),
)
# "UK to sanction", "EU to impose sanctions": announced intentions, not actions yet.
TO_VERB: Final = re.compile(
    r"\bto (?:impose|slap|levy|introduce|adopt|ban|freeze|sanction|extend"
    r"|tighten|expand|target|lift|ease|launch|strike|attack|bomb|carry out) (?:\w+ ){0,3}$"
)
BARE_VERB_CUE: Final = re.compile(
    r"(?:sanction|strike|attack|bomb|raid|hit|shell|target|pound|launch|fire|impose|ban"
    r"|freeze|embargo)\b"
)
# Mentions that are themselves the action verb.
SELF_ACTION: Final = re.compile(r"(?:freez|froze|bans?\b|banned|blacklist(?:s|ed)\b)")
# Modals that follow the cue ("sanctions would cost", "sanctions if it does not").
MODAL_AFTER: Final = re.compile(
    r"^[^,.;]{0,25}?\b(?:would|could|might|may|will|if|unless|to be (?:imposed|announced))\b"
)
# Status-quo decisions ("will keep sanctions in place") are extensions, not plans.
KEEP: Final = re.compile(r"\b(?:keep|kept|maintain\w*|retain\w*|extend\w*|renew\w*)\b")
INFINITIVE_OK: Final = re.compile(
    r"\b(?:spur\w*|prompt\w*|used|mov(?:e|es|ed)|vot(?:e|es|ed)|agree[sd]?|decid(?:e|es|ed)"
    r"|began|begins|start\w*|forc\w*|led|leads)\b (?:\w+ ){0,3}to (?:\w+ ){0,4}$"
)

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
    before = HEDGE.sub("", raw)
    if low[max(0, start - len(raw) - 6) : start - len(raw)].endswith("since "):
        return Modality.HISTORICAL
    if before.endswith("no ") or before.endswith("no new "):
        return Modality.DENIED
    for modality, pattern in MODAL_BEFORE:
        if pattern.search(before):
            if modality is Modality.CONSIDERED and _status_quo_or_done(before):
                continue
            return modality
    if _future_infinitive(low, start, before):
        return Modality.CONSIDERED
    # A question ("Is there space for further sanctions?") reports nothing yet.
    if MODAL_AFTER.search(low[end : end + 60]) or low.rstrip(" '\"").endswith("?"):
        return Modality.CONSIDERED
    return occurred


def _future_infinitive(low: str, start: int, before: str) -> bool:
    # "UK to sanction X" announces; "spurs US to ease" and "added to the list" report.
    if INFINITIVE_OK.search(before):
        return False
    bare = re.search(r"\bto (?:\w+ )?$", before) and BARE_VERB_CUE.match(low, start)
    return bool(bare or TO_VERB.search(before))


def _status_quo_or_done(before: str) -> bool:
    # "will keep sanctions in place" decides an extension; it is not a mere plan.
    return bool(KEEP.search(before))
