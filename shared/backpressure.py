"""Stream caps that never drop unread work: trim only what every group is done with, and hold
the producer back while a group's backlog nears the cap.

A stream is capped (``MAXLEN ~``) so it cannot grow without bound, but trimming by count
removes the oldest entries whether or not a consumer group has read them. So before each
publish the producer reads how far behind the slowest group is: with room to spare it trims
by count as usual; near the cap it trims by id (``MINID ~``) below the oldest entry a group
still needs, which can never remove unread or unacked work, and it pauses (with a metric to
alert on) until the consumers catch up.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared import metrics
from shared.health import counted_lag, group_info
from shared.streams import text

log = logging.getLogger("newsalert.backpressure")
HIGH_WATER = 0.8  # backlog share of the cap at which the producer pauses and the alarm fires
LOW_WATER = 0.5  # ...and at which it resumes; below it, trimming by count is safe too
UNTRIMMED = 1 << 62  # a MAXLEN no stream reaches: trims nothing


@dataclass(frozen=True)
class Trim:
    """How an XADD trims: ``("MAXLEN", cap)`` or ``("MINID", oldest id still needed)``."""

    strategy: str
    threshold: int | str

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for redis-py's ``xadd`` (always approximate: never trims more)."""
        key = "maxlen" if self.strategy == "MAXLEN" else "minid"
        return {key: self.threshold, "approximate": True}


@dataclass(frozen=True)
class Backlog:
    """The slowest group's unacked entries, and the oldest id any group still needs."""

    entries: int
    oldest: str | None


def _id_key(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


async def read_backlog(redis: "Redis", stream: str, limit: int) -> Backlog:
    """Unread plus pending entries of the slowest group (XINFO GROUPS, XPENDING); unread
    entries are counted up to ``limit`` where Redis reports no lag (< 7, or deletions)."""
    worst, needed = 0, []
    for name, info in (await group_info(redis, stream)).items():
        pending = int(info.get("pending") or 0)
        lag = info.get("lag")
        if lag is None:
            lag = await counted_lag(redis, stream, info, limit)
        unread = int(lag) if lag is not None else int(await redis.xlen(stream))
        worst = max(worst, unread + pending)
        # The summary's "min" is None when the entries were acked since XINFO read them.
        oldest = (await redis.xpending(stream, name)).get("min") if pending else None
        if oldest is not None:
            needed.append(text(oldest))
        elif unread:
            # MINID keeps ids >= this one: the last delivered entry (acked) and all after it.
            needed.append(text(info.get("last-delivered-id") or "0-0"))
    return Backlog(worst, min(needed, key=_id_key) if needed else None)


class StreamGuard:
    """Trim policy and pacing for one producer of one capped stream."""

    def __init__(self, redis: "Redis", stream: str, cap: int, *, pause_poll: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.redis, self.stream, self.cap = redis, stream, cap
        self.pause_poll, self.clock = pause_poll, clock
        self.paused = False

    async def trim(self, adding: int = 1) -> Trim:
        """The trim for publishing ``adding`` more entries now."""
        backlog = await self._read()
        if backlog.oldest is None or backlog.entries + adding <= self.cap * LOW_WATER:
            return Trim("MAXLEN", self.cap)
        return Trim("MINID", backlog.oldest)

    async def wait_for_room(self, adding: int = 1,
                            stopping: Callable[[], bool] = lambda: False) -> float:
        """Hold the producer while the slowest group is near the cap; returns seconds held."""
        started = self.clock()
        while not stopping():
            backlog = await self._read()
            limit = self.cap * (LOW_WATER if self.paused else HIGH_WATER)
            if backlog.entries + adding <= max(limit, adding):
                break
            if not self.paused:
                log.warning("stream %s: a consumer group is %d entries behind (cap %d); "
                            "producer paused until it catches up", self.stream,
                            backlog.entries, self.cap)
            self._alarm(True)
            await asyncio.sleep(self.pause_poll)
        if self.paused:
            log.info("stream %s: backlog down, producer resumes", self.stream)
        self._alarm(False)
        return self.clock() - started

    async def maxlen(self, adding: int = 1) -> int:
        """A MAXLEN for producers that can only trim by count (FastStream's publisher): the
        cap while that is safe, else one so large that nothing is trimmed."""
        trim = await self.trim(adding)
        if self.paused != (trim.strategy != "MAXLEN"):
            log.warning("stream %s: %s trimming (a consumer group is behind)", self.stream,
                        "suspended" if not self.paused else "resumed")
        self._alarm(trim.strategy != "MAXLEN")
        return self.cap if trim.strategy == "MAXLEN" else UNTRIMMED

    def chunk(self) -> int:
        """The most entries to publish at once so one batch cannot overrun the cap."""
        return max(1, int(self.cap * (HIGH_WATER - LOW_WATER)))

    async def _read(self) -> Backlog:
        backlog = await read_backlog(self.redis, self.stream, self.cap)
        metrics.STREAM_BACKLOG.labels(self.stream).set(backlog.entries)
        return backlog

    def _alarm(self, on: bool) -> None:
        self.paused = on
        metrics.STREAM_PAUSED.labels(self.stream).set(1 if on else 0)


class CapWatch:
    """The guard's MAXLEN, re-read in the background so a hot path (the classifier's
    publish) needs no Redis call of its own; it lags by at most ``interval`` seconds, far
    less than the headroom between the low-water mark and the cap."""

    def __init__(self, guard: StreamGuard, interval: float = 1.0) -> None:
        self.guard, self.interval = guard, interval
        self.maxlen = guard.cap

    async def run(self) -> None:
        """Refresh ``maxlen`` until cancelled; a Redis error keeps the last value."""
        while True:
            try:
                self.maxlen = await self.guard.maxlen()
            except RedisError as exc:
                log.warning("stream %s: backlog unknown (%s)", self.guard.stream,
                            type(exc).__name__)
            await asyncio.sleep(self.interval)
