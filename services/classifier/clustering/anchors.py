"""Anchors: what pins a report to one event, so same-day look-alikes stay apart.

Places come from the gazetteer in gazetteer.py (the extractor's ``location`` phrases are too
noisy to veto on); sanctioning states and strike targets come from the tag's fields.
Anchors are kept per cluster member and compared report by report (see matching.score).
"""

from functools import lru_cache
from typing import Final

from services.classifier.clustering import gazetteer, similarity
from services.classifier.rules.extract import authority_state, weapons
from shared.schemas import Tag

# Anchor kinds that must agree when both reports have them (see place_conflict).
CONFLICT_KINDS: Final = ("trg:", "ttn:", "aut:", "sco:")
# Evidence against a merge that a shared town outweighs (see counter_evidence).
SOFT_KINDS: Final = ("tco:", "tgt:", "wpn:", "cas:")
# Kinds that make a report more specific than one without them (see more_specific).
SPECIFIC_KINDS: Final = ("ttn:", "trg:", "aut:")
# A toll this many times another is a different event, not the same one updated.
TOLL_RATIO: Final = 3


def anchors(title: str, summary: str, tag: Tag) -> frozenset[str]:
    """What pins a report to one event: places, sanctioning states, the weapons the title
    names; for a strike naming no known town, what was hit."""
    where = place_facts(title, summary)
    where |= sponsors(tag.fields.get("authority", []), where)
    if tag.name == "sanction":
        # Sanctions happen nowhere: the countries named are whose parties were designated,
        # and one authority's actions on two countries' networks are two events.
        where = {f"sco:{f[4:]}" if f.startswith("tco:") else f for f in where}
    elif not any(f.startswith("pla:") for f in where):
        # No known town: what was hit is the next best way to tell two strikes apart.
        where |= {f"tgt:{tok}" for value in tag.fields.get("target", [])
                  for tok in similarity.tokens(value)}
    where |= {f"wpn:{w}" for w in weapons(title)}
    return frozenset(where)


def place_facts(title: str, summary: str) -> set[str]:
    """Where the report is: ``ttn:`` towns, ``trg:`` regions (named, or those of the towns)
    and ``tco:`` countries its title names (the summary's when the title names none);
    ``pla:`` towns named anywhere. Summaries retell background places, so those only ever
    count for a match, never against one."""
    in_title, in_summary = gazetteer.report_places(title, summary)
    out = {f"pla:{p.id}" for p in in_title | in_summary if p.level == gazetteer.TOWN}
    for place in in_title or in_summary:
        out.add(f"tco:{place.country}")
        out |= {f"trg:{r}" for r in place.regions}
        if place.level == gazetteer.TOWN:
            out.add(f"ttn:{place.id}")
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
    """Both reports say where (or who sanctions, or what was hit) and they disagree.

    Regions with none in common; towns with none in common (Rafah and Khan Younis are two
    strikes although both are in Gaza; a report naming only the region has no town and so
    is compatible with any town in it); sanctioning states, or the countries of designated
    parties, with nothing in common; countries with none in common when both
    reports pin a region (country names alone are weaker: "Ukraine war: drone hits
    Russian base" names the war, see counter_evidence)."""
    own, other = _by_kind(mine), _by_kind(theirs)
    if any(own[k] and other[k] and not own[k] & other[k] for k in CONFLICT_KINDS):
        return True
    return bool(own["trg:"] and other["trg:"] and not own["tco:"] & other["tco:"])


def counter_evidence(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Evidence against one event that a shared town outweighs and close wording may
    outweigh: countries with none in common, targets (when no known town is named) or
    weapons in the titles with nothing in common, or tolls far apart ("14 killed" vs
    "2 killed")."""
    if same_place(mine, theirs):
        return False
    own, other = _by_kind(mine), _by_kind(theirs)
    if any(own[k] and other[k] and not own[k] & other[k] for k in ("tco:", "tgt:", "wpn:")):
        return True
    return _tolls_differ(own["cas:"], other["cas:"])


def _tolls_differ(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    if not mine or not theirs:
        return False
    a, b = (max(int(f[4:]) for f in facts) for facts in (mine, theirs))
    return max(a, b) >= TOLL_RATIO * max(min(a, b), 1)


@lru_cache(maxsize=4096)
def _by_kind(facts: frozenset[str]) -> dict[str, frozenset[str]]:
    """A member's anchors split by kind, cached: every candidate member is checked against
    each new report, and a profile's anchors never change."""
    return {k: frozenset(f for f in facts if f.startswith(k))
            for k in (*CONFLICT_KINDS, *SOFT_KINDS)}


def authorities_differ(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Both name who sanctions and no state is in both: two actions however alike their
    wording (the US's and the EU's Iran sanctions of one day)."""
    own, other = _by_kind(mine)["aut:"], _by_kind(theirs)["aut:"]
    return bool(own and other and not own & other)


def more_specific(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """``mine`` pins a town, region or sanctioning state where ``theirs`` names none: the
    broad report is compatible but is weak evidence that both are one event (a Jabalia
    strike must not fold into "Israel steps up strikes on Gaza")."""
    own, other = _by_kind(mine), _by_kind(theirs)
    return any(own[k] and not other[k] for k in SPECIFIC_KINDS)


def same_place(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Both name the same town (anywhere in their text). A shared region or country does
    not count: every Gaza report shares Gaza."""
    return any(f.startswith(("pla:", "ttn:")) for f in mine & theirs)
