"""Scoring extracted fields against hand labels: a lenient matcher and per-field P/R/F1.

Labels (``bench/data/extraction_labels.jsonl``) give one short value per field (a list for
sanction designees), or null when the text does not say. Extraction gives lists of values.
Matching is lenient on purpose, since a label "Israel" and an extracted "Israeli forces" name
the same actor: both sides are case- and accent-folded, split into words, state words mapped
to their country through :mod:`services.classifier.countries`, and one side's words must
appear as a run inside the other's.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from services.classifier import countries
from services.classifier.clustering.gazetteer import fold
from services.classifier.rules.extract import authority_state
from shared.schemas import Tag

STRIKE_FIELDS = ("actor", "target", "location", "country")
SANCTION_FIELDS = ("authority", "designees", "country")
# The extractor's name for a field where it differs from the label's.
_EXTRACTED_AS = {"designees": "targets"}
# Fields where a demonym inside a phrase stands for its state ("Israeli troops").
_WORDWISE = frozenset({"actor", "target", "authority", "designees"})
_NON_WORD = re.compile(r"[^a-z0-9]+")
# An actor is the same whichever service branch a text names: "US forces" = "US military".
_FORCE_WORDS = frozenset({"forces", "force", "military", "army", "troops", "armed", "air",
                          "navy", "naval", "jets", "warplanes", "drones", "soldiers"})


@cache
def _country_words() -> dict[str, str]:
    return {" ".join(_words(k)): fold(v) for k, v in countries.references().items()}


def _words(text: str) -> list[str]:
    # Dots go first so that "U.S." is the one word "us", as "US" is.
    return [w for w in _NON_WORD.split(fold(text).replace(".", "")) if w and w != "the"]


def normalise(value: str, field: str) -> list[str]:
    """``value`` as folded words with country names (and, where a demonym stands for the
    state, each state word) replaced by the country's display name."""
    words = _words(value)
    table = _country_words()
    if field != "location" and " ".join(words) in table:
        return table[" ".join(words)].split()
    if field in _WORDWISE:
        words = [part for w in words for part in table.get(w, w).split()]
    if field == "actor" and any(w not in _FORCE_WORDS for w in words):
        words = [w for w in words if w not in _FORCE_WORDS]
    return words


def _contains(outer: list[str], inner: list[str]) -> bool:
    size = len(inner)
    return any(outer[i:i + size] == inner for i in range(len(outer) - size + 1))


def matches(label: str, extracted: str, field: str) -> bool:
    """True when the label and an extracted value name the same thing, leniently: folded
    words of one appear as a run in the other's; authorities also match their state."""
    gold = normalise(label, field)
    options = [extracted]
    if field == "authority":
        options.append(authority_state(extracted)[0])
    for option in options:
        got = normalise(option, field)
        if gold and got and (_contains(got, gold) or _contains(gold, got)):
            return True
    return False


@dataclass
class Counts:
    """Matched predictions, all predictions, matched labels and all labels of one field."""

    tp_pred: int = 0
    pred: int = 0
    tp_gold: int = 0
    gold: int = 0

    def scores(self) -> dict[str, float | int]:
        """Precision, recall, F1 and the supports they came from."""
        p = self.tp_pred / self.pred if self.pred else 0.0
        r = self.tp_gold / self.gold if self.gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3),
                "predicted": self.pred, "labelled": self.gold}


def score_field(counts: Counts, gold: Any, extracted: list[str], field: str,
                first_only: bool = False) -> None:
    """Add one item's field to ``counts``. A single-valued label is one slot: the extraction
    is right when any value it lists (or its first, with ``first_only``) matches. Designees
    are scored per name on both sides."""
    values = extracted[:1] if first_only else extracted
    if isinstance(gold, list):
        counts.pred += len(values)
        counts.tp_pred += sum(any(matches(g, v, field) for g in gold) for v in values)
        counts.gold += len(gold)
        counts.tp_gold += sum(any(matches(g, v, field) for v in values) for g in gold)
        return
    hit = gold is not None and any(matches(gold, v, field) for v in values)
    counts.pred += bool(values)
    counts.tp_pred += hit
    counts.gold += gold is not None
    counts.tp_gold += hit


def extracted_fields(tags: Iterable[Tag], event: str) -> dict[str, list[str]]:
    """The fields of the ``event`` tag among ``tags``, under the labels' field names."""
    for tag in tags:
        if tag.name == event:
            inverse = {v: k for k, v in _EXTRACTED_AS.items()}
            return {inverse.get(k, k): v for k, v in tag.fields.items()}
    return {}
