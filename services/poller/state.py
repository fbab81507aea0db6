"""Per-feed state and the seen-set in Redis; the seen mark is written atomically with the XADD."""

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from redis.asyncio import Redis

from shared import streams
from shared.backpressure import Trim
from shared.broker import is_cluster

# SET NX and XADD in one script: a crash can never record an item as seen without publishing it.
_PUBLISH_NEW = """
local prev = redis.call('GET', KEYS[1])
if prev then
  if prev ~= ARGV[4] then redis.call('SET', KEYS[1], ARGV[4], 'KEEPTTL') return 2 end
  return 0
end
redis.call('XADD', KEYS[2], ARGV[5], '~', ARGV[2], '*', '__data__', ARGV[3])
redis.call('SET', KEYS[1], ARGV[4], 'EX', ARGV[1])
return 1
"""

# Delete the lease only if we still own it: an expired lease may already be someone else's.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

NEW, SEEN, CHANGED = 1, 0, 2
DEFAULT_TRIM = Trim("MAXLEN", streams.ARTICLES_MAXLEN)


def feed_id(url: str) -> str:
    """Stable id of a configured feed (its configured URL, even after it moves)."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def article_id(feed_url: str, item_key: str) -> str:
    """Stable id of an item within a feed."""
    return hashlib.sha256(f"{feed_url}\x00{item_key}".encode()).hexdigest()[:24]


@dataclass
class FeedState:
    """What the poller remembers about one feed between polls."""

    url: str = ""
    etag: str = ""
    last_modified: str = ""
    initialized: bool = False
    failures: int = 0
    last_error: str = ""
    last_success: float = 0.0
    last_poll: float = 0.0
    next_poll: float = 0.0
    disabled: str = ""
    unhealthy: bool = False
    ttl: float = 0.0  # RSS <ttl> in seconds, kept so a 304 still honours it
    skip_hours: str = ""  # RSS <skipHours>, "1,23", kept for the same reason

    @classmethod
    def from_redis(cls, raw: dict[bytes, bytes]) -> "FeedState":
        """Decode a Redis hash; unknown or missing fields fall back to defaults."""
        data = {k.decode(): v.decode() for k, v in raw.items()}
        state = cls()
        for name, default in vars(cls()).items():
            if name in data:
                value: Any = data[name]
                if isinstance(default, bool):
                    value = value == "1"
                elif isinstance(default, int | float):
                    value = type(default)(float(value))
                setattr(state, name, value)
        return state

    def to_redis(self) -> dict[str, str]:
        """Encode for HSET."""
        return {k: (("1" if v else "0") if isinstance(v, bool) else str(v))
                for k, v in vars(self).items()}


async def load_state(redis: "Redis", fid: str) -> FeedState:
    """The stored state of a feed (defaults for a new feed)."""
    raw = cast(dict[bytes, bytes], await redis.hgetall(streams.key("feed", fid)))
    return FeedState.from_redis(raw)


class PollerStore:
    """Redis-backed seen-set, feed state and leases."""

    def __init__(self, redis: "Redis", seen_ttl: float) -> None:
        self.redis = redis
        self.seen_ttl = int(seen_ttl)
        self._publish = redis.register_script(_PUBLISH_NEW)
        self._release = redis.register_script(_RELEASE)

    async def publish_new(self, article_key: str, payload: str, content_hash: str,
                          trim: Trim = DEFAULT_TRIM) -> int:
        """XADD the payload unless the item was seen; returns NEW, SEEN or CHANGED."""
        keys = [streams.key("seen", article_key), streams.ARTICLES]
        return int(await self._publish(keys=keys, args=self._args(payload, content_hash, trim)))

    async def publish_batch(self, entries: Sequence[tuple[str, str, str]],
                            trim: Trim = DEFAULT_TRIM) -> list[int]:
        """``publish_new`` for (key, payload, hash) entries in one round trip, in order.

        Each entry is still its own atomic script; only the network trips are shared, which
        is what bounds a poll of 1,000 feeds (one trip per item would be ~10 per feed).
        ``trim``: how the stream is capped (see shared.backpressure).
        """
        if not entries:
            return []
        if is_cluster(self.redis):
            # redis-py's cluster pipeline refuses scripts; one trip per item keeps the order.
            return [await self.publish_new(*entry, trim=trim) for entry in entries]
        async with self.redis.pipeline(transaction=False) as pipe:
            for article_key, payload, content_hash in entries:
                keys = [streams.key("seen", article_key), streams.ARTICLES]
                await self._publish(keys=keys, args=self._args(payload, content_hash, trim),
                                    client=pipe)
            return [int(status) for status in await pipe.execute()]

    def _args(self, payload: str, content_hash: str, trim: Trim) -> list[str | int]:
        return [self.seen_ttl, trim.threshold, payload, content_hash, trim.strategy]

    async def mark_seen_batch(self, entries: Sequence[tuple[str, str]]) -> None:
        """Record (key, hash) entries as seen without publishing them (a new feed's backlog),
        in one round trip; an existing mark is kept."""
        if not entries:
            return
        async with self.redis.pipeline(transaction=False) as pipe:
            for article_key, content_hash in entries:
                pipe.set(streams.key("seen", article_key), content_hash, nx=True,
                         ex=self.seen_ttl)
            await pipe.execute()

    async def load(self, fid: str) -> FeedState:
        """The stored state of a feed (defaults for a new feed)."""
        return await load_state(self.redis, fid)

    async def save(self, fid: str, state: FeedState) -> None:
        """Persist a feed's state."""
        mapping = cast(dict[str | bytes, bytes | str], state.to_redis())
        await self.redis.hset(streams.key("feed", fid), mapping=mapping)  # type: ignore[arg-type]

    async def lease(self, fid: str, owner: str, seconds: float) -> bool:
        """Take the right to poll a feed for ``seconds``; replicas skip feeds leased by others."""
        ok = await self.redis.set(streams.key("lease", fid), owner, nx=True,
                                  px=max(1, int(seconds * 1000)))
        return bool(ok)

    async def release(self, fid: str, owner: str) -> None:
        """Give a lease back early (only when ``owner`` still holds it)."""
        await self._release(keys=[streams.key("lease", fid)], args=[owner])


def now() -> float:
    """Wall-clock seconds; a function so tests can reason about it."""
    return time.time()
