"""One tagged report's clustering features: the words it is compared by, its key facts,
what would make it news for a cluster already alerted, and its LSH buckets."""

import json
import re
from datetime import datetime
from typing import Final

from services.classifier.clustering import similarity
from services.classifier.clustering.anchors import anchors
from services.classifier.clustering.model import Features
from shared.schemas import ALERTING_MODALITIES, Event, Tag

FACT_FIELDS: Final = ("location", "target", "targets", "actor", "authority")
ENTITY_FIELDS: Final = ("targets", "target")
MAX_SUMMARY_WORDS: Final = 500
_NUMBERS: Final = "zero one two three four five six seven eight nine ten eleven twelve"
_NUMBER_WORDS: Final = {w: i for i, w in enumerate(_NUMBERS.split())}
_CASUALTIES: Final = re.compile(
    r"\b(\d[\d,]*|" + "|".join(_NUMBER_WORDS) + r")(?: \w+){0,2}? (?:killed|dead|died|wounded"
    r"|injured)|\b(?:kill(?:s|ed|ing)?|toll (?:\w+ )?(?:to|of|at)) (?:at least )?(\d[\d,]*)",
    re.IGNORECASE)
# Deaths only, for telling events apart: the wounded count of one strike varies by outlet.
_DEATHS: Final = re.compile(
    r"\b(\d[\d,]*|" + "|".join(_NUMBER_WORDS) + r")(?: \w+){0,2}? (?:killed|dead|died)"
    r"|\bkill(?:s|ed|ing)? (?:at least )?(\d[\d,]*)", re.IGNORECASE)
_CASUALTY_WORDS: Final = re.compile(r"kill|dead|died|wounded|injured|toll", re.IGNORECASE)


def primary_tag(tags: list[Tag]) -> Tag | None:
    """The event-type tag that defines the story (alerting ones first)."""
    events = [t for t in tags if t.kind == "event"]
    events.sort(key=lambda t: not t.alert)
    return events[0] if events else None


def casualties(text: str, pattern: re.Pattern[str] = _CASUALTIES) -> int:
    """The largest casualty figure stated in the text (0 when none); ``pattern`` _DEATHS
    counts the dead only."""
    best = 0
    if not _CASUALTY_WORDS.search(text):
        return 0  # the full pattern is slow to fail on every word boundary
    for match in pattern.finditer(text):
        raw = (match.group(1) or match.group(2) or "").lower().replace(",", "")
        value = _NUMBER_WORDS.get(raw) if raw in _NUMBER_WORDS else int(raw) if raw else 0
        best = max(best, value or 0)
    return best


def features(event: Event, when: float) -> Features | None:
    """Clustering features of an event, or None when it carries no event-type tag."""
    tag = primary_tag(event.tags)
    if tag is None:
        return None
    text = f"{event.article.title}\n{event.article.summary}"
    facts = {f"{name[:3]}:{tok}" for name in FACT_FIELDS
             for value in tag.fields.get(name, []) for tok in similarity.tokens(value)}
    where = anchors(event.article.title, event.article.summary, tag)
    toll = casualties(event.article.title, _DEATHS)
    if toll:  # the headline's toll tells same-day strikes apart (see anchors.place_conflict)
        where |= {f"cas:{toll}"}
    entities = {"_".join(similarity.tokens(v)) for n in ENTITY_FIELDS
                for v in tag.fields.get(n, []) if tag.name == "sanction"}
    novelty = [f"modality:{tag.modality.value}", *sorted(f"entity:{e}" for e in entities if e)]
    # The towns named count as words too: outlets spell them differently ("Odessa",
    # "Odesa"). Regions do not: every Gaza report shares Gaza.
    named = sorted(f"@{f[4:]}" for f in where if f.startswith("ttn:"))
    heading = similarity.tokens(event.article.title) + named
    # The lead carries the event; the cap bounds a profile (Redis, decode cache, compare cost)
    # whatever a hostile feed sends. No news-pool summary has more than ~450 content words.
    words = heading + similarity.tokens(event.article.summary)[:MAX_SUMMARY_WORDS]
    profile = similarity.Profile(when, similarity.shingles(heading), similarity.shingles(words),
                                 where)
    return Features(kind=tag.name, signature=similarity.signature(words),
                    profile=profile, facts=facts, novelty=novelty,
                    casualties=casualties(text),
                    alerting=tag.modality in ALERTING_MODALITIES, when=when)


def bucket_keys(feat: Features) -> list[str]:
    """LSH bands plus place/target fact keys and the towns named, all scoped to the event
    type: reports of one town's strike are candidates of each other however worded."""
    keys = similarity.bands(feat.signature)
    keys += sorted(f for f in feat.facts if f.startswith(("loc:", "tar:")))
    keys += sorted(f for f in feat.profile.places if f.startswith("ttn:"))
    return [f"{feat.kind}:{k}" for k in keys]


def member_record(event: Event, when: datetime) -> dict[str, str]:
    """What ``events show`` lists for a report."""
    art = event.article
    tag = primary_tag(event.tags)
    return {"id": art.id, "feed": art.feed, "title": art.title, "url": art.url,
            "time": when.isoformat(), "modality": tag.modality.value if tag else "",
            "facts": json.dumps(tag.fields if tag else {}, sort_keys=True)}
