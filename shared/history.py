"""Alert history in Redis: every event the notifier saw, where it went, and indexes to find it.

Layout (all keys carry the ``{newsalert:history}`` hash tag, so the scripts below run on a
Redis Cluster too: one slot holds the whole history):

- ``…:ev:<event id>`` hash: ``m`` (its index member), ``j`` (event JSON), ``s`` (case-folded
  title and summary, for text search), ``D`` (one line per subscription and channel kind:
  the delivery outcome). It expires ``retention`` after its last write.
- ``…:ix:all`` and ``…:ix:<facet>:<value>`` sorted sets (facets: tag, mod, feed, country,
  cluster, sub). Every member has score 0 and reads ``<13-digit ms>:<event id>``, so an index
  is ordered by first-seen time and then id: a member is a cursor that later inserts never
  move, and a time range is a lexicographic range.
- ``…:ix`` set: the names of the index keys, so pruning can find them.

Channel kinds only, never URLs: a URL may hold a token.
"""

import time
from collections.abc import Iterable
from typing import Any

from redis.asyncio import Redis

from shared import streams
from shared.schemas import Event

FACETS = ("tag", "mod", "feed", "country", "cluster", "sub")
DEFAULT_RETENTION = 30 * 86400.0
PRUNE_EVERY = 60.0
_SEARCH_CAP = 2000

# KEYS: event hash, index registry, index keys... ARGV: member candidate, ttl, field/value pairs.
# A redelivered event keeps its first member, so its place in every index never changes.
_RECORD = """
local m = redis.call('HGET', KEYS[1], 'm')
if not m then m = ARGV[1]; redis.call('HSET', KEYS[1], 'm', m) end
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
for i = 3, #KEYS do
  redis.call('ZADD', KEYS[i], 0, m)
  redis.call('SADD', KEYS[2], KEYS[i])
end
return m
"""

# KEYS: event hash, subscription index, index registry. ARGV: "<sub>\t<channel>", outcome.
# Outcomes live in one field ``D``, a line "<sub>\t<channel>\t<outcome>" each, so a reader
# gets a record in two fields (no HGETALL). An expired (or never recorded) event gets no stub.
_DELIVERY = """
local m = redis.call('HGET', KEYS[1], 'm')
if not m then return 0 end
local prefix, lines = ARGV[1] .. '\t', {}
for line in string.gmatch(redis.call('HGET', KEYS[1], 'D') or '', '[^\\n]+') do
  if string.sub(line, 1, #prefix) ~= prefix then table.insert(lines, line) end
end
table.insert(lines, prefix .. ARGV[2])
redis.call('HSET', KEYS[1], 'D', table.concat(lines, '\\n'))
redis.call('ZADD', KEYS[2], 0, m)
redis.call('SADD', KEYS[3], KEYS[2])
return 1
"""


def hkey(*parts: str) -> str:
    """A history key: ``{newsalert:history}:<parts>``."""
    return streams.key(*parts, slot=streams.HISTORY_SLOT)


def index_key(facet: str, value: str) -> str:
    """The index of one facet value; feed and country match regardless of case."""
    if facet not in FACETS:
        raise ValueError(f"unknown facet {facet!r}")
    if facet in ("feed", "country"):
        value = value.casefold()
    return hkey("ix", facet, value)


ALL = hkey("ix", "all")
REGISTRY = hkey("ix")


def event_key(event_id: str) -> str:
    return hkey("ev", event_id)


def member(at: float, event_id: str) -> str:
    """The index member of an event first seen at ``at`` (seconds)."""
    return f"{int(at * 1000):013d}:{event_id}"


def split_member(value: str) -> tuple[float, str]:
    """(first-seen seconds, event id) of an index member."""
    return int(value[:13]) / 1000.0, value[14:]


def facets_of(event: Event) -> list[tuple[str, str]]:
    """(facet, value) pairs an event is indexed under (not ``sub``: added on delivery)."""
    pairs = [("feed", event.article.feed)] if event.article.feed else []
    for tag in event.tags:
        pairs += [("tag", tag.name), ("mod", tag.modality.value)]
        pairs += [("country", c) for c in tag.fields.get("country", [])]
    if event.cluster_id:
        pairs.append(("cluster", event.cluster_id))
    return list(dict.fromkeys(pairs))


def search_text(event: Event) -> str:
    """What text search looks in: title and summary, case-folded, whitespace collapsed."""
    text = " ".join(f"{event.article.title} {event.article.summary}".split()).casefold()
    return text[:_SEARCH_CAP]


class HistoryStore:
    """Writes of the notifier; the web service reads the same keys (services/web/query.py)."""

    def __init__(self, redis: "Redis", retention: float = DEFAULT_RETENTION) -> None:
        self.redis = redis
        self.retention = retention
        self._record = redis.register_script(_RECORD)
        self._delivery = redis.register_script(_DELIVERY)
        self._pruned = 0.0

    def _record_call(self, event: Event, at: float) -> dict[str, Any]:
        keys = [event_key(event.id), REGISTRY, ALL]
        keys += [index_key(f, v) for f, v in facets_of(event)]
        args: list[str | int] = [member(at, event.id), max(1, int(self.retention)),
                                 "j", event.model_dump_json(), "s", search_text(event)]
        return {"keys": keys, "args": args}

    async def record(self, event: Event, at: float | None = None) -> str:
        """Store an event (first sight fixes its time); returns its index member."""
        at = time.time() if at is None else at
        raw = await self._record(**self._record_call(event, at))
        await self.maybe_prune(at)
        return streams.text(raw)

    async def record_in(self, pipe: Any, event: Event, at: float) -> None:
        """Queue :meth:`record` on a pipeline (bulk loads: benchmarks, imports)."""
        await self._record(**self._record_call(event, at), client=pipe)

    @staticmethod
    def _delivery_call(event_id: str, subscription: str, channel: str,
                       outcome: str) -> dict[str, Any]:
        return {"keys": [event_key(event_id), index_key("sub", subscription), REGISTRY],
                "args": [f"{subscription}\t{channel}", outcome]}

    async def delivery(self, event_id: str, subscription: str, channel: str,
                       outcome: str) -> bool:
        """Note an outcome (sent, retrying, dead, held) of one subscription's channel kind."""
        return bool(await self._delivery(
            **self._delivery_call(event_id, subscription, channel, outcome)))

    async def delivery_in(self, pipe: Any, event_id: str, subscription: str, channel: str,
                          outcome: str) -> None:
        """Queue :meth:`delivery` on a pipeline."""
        await self._delivery(**self._delivery_call(event_id, subscription, channel, outcome),
                             client=pipe)

    async def maybe_prune(self, now: float) -> int:
        """Prune at most once a minute per process (expired records are already gone)."""
        if now - self._pruned < PRUNE_EVERY:
            return 0
        self._pruned = now
        return await self.prune(now)

    async def prune(self, now: float | None = None) -> int:
        """Drop index members older than the retention; returns how many went."""
        cutoff = "(" + member((now or time.time()) - self.retention, "")[:13]
        names = [streams.text(n) for n in await self.redis.smembers(REGISTRY)]
        removed = 0
        for name in names:
            removed += int(await self.redis.zremrangebylex(name, "-", cutoff))
            if not await self.redis.exists(name):
                await self.redis.srem(REGISTRY, name)
        return removed


def decode_record(member_name: bytes | None, event_json: bytes | None,
                  deliveries: bytes | None) -> dict[str, Any] | None:
    """A stored record (fields m, j, D) as {member, event, deliveries}; None when expired."""
    if not event_json:
        return None
    outcomes = []
    for line in (deliveries or b"").decode().splitlines():
        sub, channel, outcome = [*line.split("\t"), "", ""][:3]
        outcomes.append({"subscription": sub, "channel": channel, "outcome": outcome})
    outcomes.sort(key=lambda d: (d["subscription"], d["channel"]))
    return {"member": (member_name or b"").decode(),
            "event": Event.model_validate_json(event_json), "deliveries": outcomes}


def event_ids(members: Iterable[str]) -> list[str]:
    return [split_member(m)[1] for m in members]
