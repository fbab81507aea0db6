"""Anchors: what pins a report to one event, so same-day look-alikes stay apart.

Places come from the gazetteer in gazetteer.py (the extractor's ``location`` phrases are too
noisy to veto on); sanctioning states and strike targets come from the tag's fields.
Anchors are kept per cluster member and compared report by report (see matching.score).
"""

from functools import lru_cache
from typing import Final

from services.classifier.clustering import gazetteer, similarity
from services.classifier.rules.extract import authority_state
from shared.schemas import Tag

# Anchor kinds that must agree when both reports have them (see place_conflict).
CONFLICT_KINDS: Final = ("tco:", "tpl:", "aut:", "tgt:")


def anchors(title: str, summary: str, tag: Tag) -> frozenset[str]:
    """What pins a report to one event: places, sanctioning states and, when no known
    city is named, the target of the strike."""
    where = place_facts(title, summary)
    where |= sponsors(tag.fields.get("authority", []), where)
    if not any(f.startswith("pla:") for f in where):
        # No known city: what was hit is the next best way to tell two strikes apart.
        where |= {f"tgt:{tok}" for value in tag.fields.get("target", [])
                  for tok in similarity.tokens(value)}
    return frozenset(where)


def place_facts(title: str, summary: str) -> set[str]:
    """``tpl:`` cities/regions and ``tco:`` countries the title names (the summary's when
    the title names none); ``pla:`` cities and regions named anywhere. Summaries retell
    background places, so those only ever count for a match, never against one."""
    in_title, in_summary = gazetteer.places(title), gazetteer.places(summary)
    out = {f"pla:{p}" for p, c in in_title | in_summary if p != c}
    for place, country in in_title or in_summary:
        out.add(f"tco:{country}")
        if place != country:
            out.add(f"tpl:{place}")
    return out


def sponsors(authorities: list[str], where: set[str]) -> set[str]:
    """``aut:`` states behind the sanctions. A state guessed from the sentence's subject is
    dropped when the report names it as a place: "Russia sanctions" is about Russia."""
    out = set()
    for authority in authorities:
        state, named = authority_state(authority)
        if named or f"tco:{gazetteer.fold(state)}" not in where:
            out.add(f"aut:{gazetteer.fold(state)}")
    return out


def place_conflict(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Both reports say where (or who sanctions, or what was hit) and they disagree: no
    country in common, cities with none in common (Kyiv and Dnipro on one day are two
    strikes), sanctioning states with none in common (the EU's package is not the US's), or
    targets with no word in common when neither names a known city."""
    own, other = _by_kind(mine), _by_kind(theirs)
    return any(own[k] and other[k] and not own[k] & other[k] for k in CONFLICT_KINDS)


@lru_cache(maxsize=4096)
def _by_kind(facts: frozenset[str]) -> dict[str, frozenset[str]]:
    """A member's anchors split by kind, cached: every candidate member is checked against
    each new report, and a profile's anchors never change."""
    return {k: frozenset(f for f in facts if f.startswith(k)) for k in CONFLICT_KINDS}


def same_place(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Both name the same city or region (anywhere in their text)."""
    return any(f.startswith(("pla:", "tpl:")) for f in mine & theirs)
