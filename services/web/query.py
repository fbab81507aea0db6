"""Reading the alert history: filters, text search and cursor paging over its indexes.

The smallest index among the requested facets drives the walk (newest first, by member);
the other facets are checked per member with ZSCORE, text search against the stored
search text. A page ends after ``limit`` matches or ``MAX_SCAN`` members walked, and its
cursor is the last member looked at, so paging never repeats or skips an event even while
new ones arrive (new members sort before every cursor already handed out).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from redis.asyncio import Redis

from shared import history
from shared.streams import text

BATCH = 200
MAX_SCAN = 20_000
MAX_LIMIT = 200


@dataclass(frozen=True)
class Filters:
    """What a timeline or ``GET /api/events`` asks for (empty = any)."""

    tag: str = ""
    modality: str = ""
    subscription: str = ""
    feed: str = ""
    country: str = ""
    cluster: str = ""
    q: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def facet_keys(self) -> list[str]:
        pairs = (("tag", self.tag), ("mod", self.modality), ("sub", self.subscription),
                 ("feed", self.feed), ("country", self.country), ("cluster", self.cluster))
        return [history.index_key(facet, value) for facet, value in pairs if value]

    def terms(self) -> list[str]:
        return self.q.casefold().split()


@dataclass
class Page:
    """Matching records (newest first) and where to continue (None: nothing older)."""

    items: list[dict[str, Any]] = field(default_factory=list)
    cursor: str | None = None
    scanned: int = 0


def _bounds(filters: Filters, cursor: str | None) -> tuple[str, str]:
    """(max, min) of a ZREVRANGEBYLEX walk: below the cursor, inside the time range."""
    high = "+"
    if filters.until is not None:
        high = "(" + history.member(filters.until.timestamp() + 0.001, "")[:13]
    if cursor:
        high = "(" + cursor if high == "+" or cursor < high[1:] else high
    low = "-"
    if filters.since is not None:
        low = "[" + history.member(filters.since.timestamp(), "")[:13]
    return high, low


async def _driver(redis: "Redis", keys: list[str]) -> tuple[str, list[str]]:
    """The smallest index drives the walk; the others are checked member by member."""
    if not keys:
        return history.ALL, []
    async with redis.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.zcard(key)
        sizes = await pipe.execute()
    ordered = [k for _, k in sorted(zip(sizes, keys, strict=True))]
    return ordered[0], ordered[1:]


async def _keep(redis: "Redis", members: list[str], others: list[str],
                terms: list[str]) -> list[str]:
    """The members that are in every other index and whose text holds every term."""
    if not others and not terms:
        return members
    async with redis.pipeline(transaction=False) as pipe:
        for name in members:
            for key in others:
                pipe.zscore(key, name)
            if terms:
                pipe.hget(history.event_key(history.split_member(name)[1]), "s")
        replies = await pipe.execute()
    width = len(others) + (1 if terms else 0)
    kept = []
    for index, name in enumerate(members):
        row = replies[index * width:(index + 1) * width]
        if any(score is None for score in row[:len(others)]):
            continue
        if terms and not _has_terms(row[-1], terms):
            continue
        kept.append(name)
    return kept


def _has_terms(text: bytes | None, terms: list[str]) -> bool:
    decoded = text.decode() if text else ""
    return all(term in decoded for term in terms)


async def search(redis: "Redis", filters: Filters, cursor: str | None = None,
                 limit: int = 50) -> Page:
    """One page of the timeline, newest first."""
    limit = max(1, min(limit, MAX_LIMIT))
    driver, others = await _driver(redis, filters.facet_keys())
    terms = filters.terms()
    high, low = _bounds(filters, cursor)
    page, matched = Page(), list[str]()
    while len(matched) < limit and page.scanned < MAX_SCAN:
        raw = await redis.zrevrangebylex(driver, high, low, start=0, num=BATCH)
        names = [text(n) for n in raw]
        if not names:
            page.cursor = None
            break
        page.scanned += len(names)
        for name in await _keep(redis, names, others, terms):
            matched.append(name)
            if len(matched) == limit:
                break
        page.cursor = matched[-1] if len(matched) == limit else names[-1]
        high = "(" + page.cursor
        if len(names) < BATCH and len(matched) < limit:
            page.cursor = None
            break
    page.items = await load(redis, matched)
    return page


async def newer(redis: "Redis", filters: Filters, after: str, limit: int = 50) -> list[
        dict[str, Any]]:
    """Records first seen after the member ``after`` (oldest first): live timeline updates."""
    driver, others = await _driver(redis, filters.facet_keys())
    raw = await redis.zrangebylex(driver, "(" + after, "+", start=0, num=min(limit, MAX_LIMIT))
    names = await _keep(redis, [text(n) for n in raw], others, filters.terms())
    return await load(redis, names)


async def load(redis: "Redis", members: list[str]) -> list[dict[str, Any]]:
    """The stored records of index members, in the same order (expired ones left out)."""
    async with redis.pipeline(transaction=False) as pipe:
        for name in members:
            pipe.hgetall(history.event_key(history.split_member(name)[1]))
        raws = await pipe.execute()
    records = [history.decode_record(raw) for raw in raws]
    return [r for r in records if r is not None]


async def get(redis: "Redis", event_id: str) -> dict[str, Any] | None:
    """One record by event id."""
    raw = cast(dict[bytes, bytes], await redis.hgetall(history.event_key(event_id)))
    return history.decode_record(raw)
