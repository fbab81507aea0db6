"""Reading the alert history: filters, text search and cursor paging over its indexes.

The smallest index among the requested facets drives the walk (newest first, by member);
the other facets are checked per member with ZSCORE, text search against the stored
search text, all inside one script (one round trip, nothing sent back but the matches).
A page ends after ``limit`` matches or ``MAX_SCAN`` members walked, and its cursor is the
last member looked at, so paging never repeats or skips an event even while new ones
arrive (new members sort before every cursor already handed out).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from redis.asyncio import Redis

from shared import history
from shared.streams import text

BATCH = 200
MAX_SCAN = 50_000

# KEYS: the driving index, then the indexes a member must also be in. ARGV: high, low, limit,
# scan budget, batch, event key prefix, search terms (case-folded; each must occur).
# Returns {next cursor or '', members scanned, then member, event JSON, deliveries per match}.
# The event keys are built here, not declared: they share the indexes' hash tag, so the slot.
_WALK = """
local high, low = ARGV[1], ARGV[2]
local limit, budget, batch = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local out, found, scanned, last, more = {'', 0}, 0, 0, '', true
while more and found < limit and scanned < budget do
  local names = redis.call('ZREVRANGEBYLEX', KEYS[1], high, low, 'LIMIT', 0, batch)
  more = #names == batch
  for _, m in ipairs(names) do
    scanned, last = scanned + 1, m
    local ok = true
    for i = 2, #KEYS do
      if not redis.call('ZSCORE', KEYS[i], m) then ok = false; break end
    end
    local key = ARGV[6] .. string.sub(m, 15)
    if ok and #ARGV > 6 then
      local text = redis.call('HGET', key, 's') or ''
      for t = 7, #ARGV do
        if not string.find(text, ARGV[t], 1, true) then ok = false; break end
      end
    end
    if ok then
      local row = redis.call('HMGET', key, 'm', 'j', 'D')
      if row[2] then
        found = found + 1
        table.insert(out, row[1]); table.insert(out, row[2]); table.insert(out, row[3] or '')
      end
    end
    if found >= limit or scanned >= budget then more = true; break end
  end
  high = '(' .. last
end
if more and last ~= '' then out[1] = last end
out[2] = scanned
return out
"""
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
        high = "(" + history.member(_utc(filters.until).timestamp() + 0.001, "")[:13]
    if cursor:
        high = "(" + cursor if high == "+" or cursor < high[1:] else high
    low = "-"
    if filters.since is not None:
        low = "[" + history.member(_utc(filters.since).timestamp(), "")[:13]
    return high, low


def _utc(moment: datetime) -> datetime:
    """A time without a zone is UTC (the dashboard shows UTC), not the server's local time."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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


async def search(redis: "Redis", filters: Filters, cursor: str | None = None,
                 limit: int = 50) -> Page:
    """One page of the timeline, newest first (one script call: a single round trip)."""
    limit = max(1, min(limit, MAX_LIMIT))
    driver, others = await _driver(redis, filters.facet_keys())
    high, low = _bounds(filters, cursor)
    walk = redis.register_script(_WALK)
    raw: list[Any] = await walk(keys=[driver, *others], args=[
        high, low, limit, MAX_SCAN, BATCH, history.event_key(""), *filters.terms()])
    page = Page(cursor=text(raw[0]) or None, scanned=int(raw[1]))
    for index in range(2, len(raw), 3):
        record = history.decode_record(raw[index], raw[index + 1], raw[index + 2])
        if record is not None:
            page.items.append(record)
    return page


async def newer(redis: "Redis", filters: Filters, after: str, limit: int = 50) -> list[
        dict[str, Any]]:
    """Records first seen after the member ``after`` (oldest first): live timeline updates."""
    raw = await redis.zrangebylex(history.ALL, "(" + after, "+", start=0,
                                  num=min(limit, MAX_LIMIT))
    records = await load(redis, [text(n) for n in raw])
    return [r for r in records if matches(r, filters)]


def matches(record: dict[str, Any], filters: Filters) -> bool:
    """The walk's rules for one record in memory (the few new ones of a live update)."""
    event = record["event"]
    have = {history.index_key(f, v) for f, v in history.facets_of(event)}
    have |= {history.index_key("sub", d["subscription"]) for d in record["deliveries"]}
    text = history.search_text(event)
    return (set(filters.facet_keys()) <= have and all(t in text for t in filters.terms())
            and (filters.until is None
                 or history.split_member(record["member"])[0]
                 <= _utc(filters.until).timestamp()))


async def load(redis: "Redis", members: list[str]) -> list[dict[str, Any]]:
    """The stored records of index members, in the same order (expired ones left out)."""
    async with redis.pipeline(transaction=False) as pipe:
        for name in members:
            pipe.hmget(history.event_key(history.split_member(name)[1]), ["m", "j", "D"])
        rows = await pipe.execute()
    records = [history.decode_record(*row) for row in rows]
    return [r for r in records if r is not None]


async def get(redis: "Redis", event_id: str) -> dict[str, Any] | None:
    """One record by event id."""
    row = cast(list[bytes | None], await redis.hmget(history.event_key(event_id),
                                                     ["m", "j", "D"]))
    return history.decode_record(*row)
