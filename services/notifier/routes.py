"""Which subscriptions get an event, and when (quiet hours, digest schedule)."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from shared.config import Subscription
from shared.countries import country_code
from shared.schemas import FEED_HEALTH, Event, Tag

# A digest subscription without a schedule still needs one; hourly is the least surprising.
DEFAULT_DIGEST_EVERY = 3600.0


def _eligible(sub: Subscription, tag: Tag) -> bool:
    """The tag passes the subscription's modality and confidence filters."""
    return tag.modality in sub.modalities and tag.confidence >= sub.min_confidence


def _country_key(name: str) -> str:
    # Codes, so that "IR", "Iran" and "Islamic Republic of Iran" select the same events.
    return country_code(name) or name.strip().casefold()


def _country_match(sub: Subscription, tags: Sequence[Tag]) -> bool:
    wanted = {_country_key(c) for c in sub.countries}
    return any(_country_key(c) in wanted for t in tags for c in t.fields.get("country", []))


def matches(sub: Subscription, event: Event) -> list[str]:
    """The tag names that make ``event`` relevant to ``sub`` ([] = not for this subscription).

    Feed-health events go to subscriptions with ``feed_health`` (still honouring ``feeds``).
    Updates of an already-alerted story only go to subscriptions with ``updates:
    significant``; the classifier only flags an update when its content changed.
    """
    if sub.feeds and event.article.feed not in sub.feeds:
        return []
    if event.kind == FEED_HEALTH:
        return [FEED_HEALTH] if sub.feed_health else []
    if event.is_update and sub.updates == "none":
        return []
    eligible = [t for t in event.tags if _eligible(sub, t)]
    selected = [t for t in eligible if t.name in sub.tags]
    if not selected:
        return []
    if sub.match == "all" and not set(sub.tags) <= {t.name for t in selected}:
        return []
    if sub.countries and not _country_match(sub, selected):
        return []
    return list(dict.fromkeys(t.name for t in selected))


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _aware(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC (every timestamp on the wire is UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def in_quiet_hours(sub: Subscription, now: datetime, tags: Sequence[str]) -> bool:
    """True when ``now`` falls in the subscription's quiet window and no tag overrides it.

    The window is [start, end) in local wall-clock time; start > end crosses midnight,
    start == end means no quiet window.
    """
    quiet = sub.quiet_hours
    if quiet is None or any(tag in quiet.except_tags for tag in tags):
        return False
    local = _aware(now).astimezone(ZoneInfo(quiet.timezone)).time().replace(tzinfo=None)
    start, end = _hhmm(quiet.start), _hhmm(quiet.end)
    if start < end:
        return start <= local < end
    if start > end:
        return local >= start or local < end
    return False


def _next_daily(at: str, zone: tzinfo, after: datetime) -> datetime:
    """The first local HH:MM strictly after ``after`` (DST gaps resolve to the later time)."""
    wall = _hhmm(at)
    first_day: date = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(4):
        candidate = datetime.combine(first_day + timedelta(days=offset), wall, tzinfo=zone)
        if candidate > after:
            return candidate.astimezone(UTC)
    raise AssertionError("unreachable: a daily time occurs within three days")


def next_digest_due(sub: Subscription, last_sent: datetime | None, now: datetime) -> datetime:
    """When the subscription's next digest is due (UTC; <= now means send now).

    ``every``: last_sent + every (now if never sent). ``at``: the first HH:MM in the digest
    timezone after last_sent (the next one from now if never sent). Both set: whichever
    comes first. No schedule: hourly.
    """
    digest = sub.digest
    now = _aware(now)
    last = _aware(last_sent) if last_sent is not None else None
    every = digest.every if digest is not None else None
    at = digest.at if digest is not None else None
    if every is None and at is None:
        every = DEFAULT_DIGEST_EVERY
    candidates: list[datetime] = []
    if every is not None:
        candidates.append(now if last is None else last + timedelta(seconds=every))
    if at is not None and digest is not None:
        zone = ZoneInfo(digest.timezone)
        candidates.append(_next_daily(at, zone, last if last is not None else now))
    return min(candidates).astimezone(UTC)
