"""Delivery bookkeeping in Redis: sent marks, scheduled retries, dead letters.

Each (subscription, event, URL) is one delivery. It is marked sent only after the
channel accepted it, so a redelivered event never sends twice to the same URL; a failed
delivery is written to a retry schedule before the event is acked, so nothing is lost.
"""

import hashlib
import json
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from redis.asyncio import Redis

from shared import streams

SENT_TTL = 30 * 86400
# A claimed retry is invisible for this long; a replica that dies mid-send releases it then.
CLAIM_LEASE = 120.0

_CLAIM = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], member) end
return due
"""


def url_id(url: str) -> str:
    """A short stable id of a channel URL, so Redis never stores the URL (it has secrets)."""
    return hashlib.sha256(url.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Job:
    """A delivery to retry: which subscription, which URL (by id), which event, which attempt."""

    subscription: str
    url_id: str
    event_id: str
    attempt: int
    event_json: str
    kind: str = "event"  # "event": one Event; "digest": a JSON list of Events
    first_at: float = 0.0  # when the first attempt failed: retries stop `retry_for` later

    def encode(self) -> str:
        """Stable JSON member for the retry sorted set."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def decode(cls, raw: bytes | str) -> "Job":
        """Parse a member of the retry sorted set."""
        return cls(**json.loads(raw))


def backoff(attempt: int, base: float, cap: float, retry_after: float | None = None,
            rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff; a server's Retry-After is a floor."""
    rng = rng or random.Random()
    delay = rng.uniform(base, min(cap, base * (2 ** max(0, attempt - 1))))
    return max(delay, retry_after or 0.0)


class DeliveryStore:
    """Redis keys of the notifier."""

    def __init__(self, redis: "Redis", now: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.now = now  # the notifier's one clock (tests run outages on a simulated one)
        self._claim = redis.register_script(_CLAIM)

    @staticmethod
    def _sent_key(subscription: str, event_id: str, uid: str) -> str:
        return streams.key("sent", subscription, event_id, uid)

    async def was_sent(self, subscription: str, event_id: str, uid: str) -> bool:
        """True when this delivery already reached its channel (or was dead-lettered)."""
        return bool(await self.redis.exists(self._sent_key(subscription, event_id, uid)))

    async def mark(self, subscription: str, event_id: str, uid: str, outcome: str) -> None:
        """Record the final outcome ("sent" or "dead") of a delivery."""
        await self.redis.set(self._sent_key(subscription, event_id, uid), outcome, ex=SENT_TTL)

    async def schedule(self, job: Job, delay: float) -> None:
        """Put a delivery on the retry schedule."""
        await self.redis.zadd(streams.RETRY_KEY, {job.encode(): self.now() + delay})

    async def claim_due(self, limit: int = 50) -> list[Job]:
        """Take due retries, hiding them for CLAIM_LEASE seconds from other replicas."""
        now = self.now()
        raw = await self._claim(keys=[streams.RETRY_KEY], args=[now, now + CLAIM_LEASE, limit])
        return [Job.decode(m) for m in raw]

    async def release(self, jobs: list[Job]) -> None:
        """Give claimed retries back (due now) instead of letting their lease run out."""
        if jobs:
            await self.redis.zadd(streams.RETRY_KEY, {job.encode(): self.now() for job in jobs})

    async def done(self, job: Job) -> None:
        """Remove a claimed retry once its outcome is recorded."""
        await self.redis.zrem(streams.RETRY_KEY, job.encode())

    async def next_due(self) -> float | None:
        """When the earliest scheduled retry is due (None when nothing waits)."""
        first = await self.redis.zrange(streams.RETRY_KEY, 0, 0, withscores=True)
        return float(first[0][1]) if first else None

    async def pending_retries(self) -> int:
        """How many deliveries wait for a retry."""
        return int(await self.redis.zcard(streams.RETRY_KEY))

    async def dead_letter(self, job: Job, reason: str, channel: str) -> None:
        """Give up on a delivery: park it in the DLQ with the reason (no URL, no secret)."""
        await self.redis.xadd(streams.DLQ, {
            "source": "delivery", "subscription": job.subscription, "url_id": job.url_id,
            "channel": channel, "event_id": job.event_id, "reason": reason[:500],
            "deliveries": str(job.attempt), "failed_at": f"{self.now():.3f}",
            "__data__": job.event_json,
        }, maxlen=streams.DLQ_MAXLEN, approximate=True)
        await self.mark(job.subscription, job.event_id, job.url_id, "dead")
