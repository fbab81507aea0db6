"""When to poll a feed next: interval with jitter, backoff on failure, server hints."""

import random
from datetime import UTC, datetime


def next_delay(
    interval: float,
    failures: int,
    max_backoff: float,
    retry_after: float | None = None,
    ttl: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next poll.

    Jitter (±10 %) spreads thousands of feeds so they do not hit hosts in bursts.
    Failures back off exponentially up to ``max_backoff``; Retry-After and <ttl> only
    ever lengthen the wait, never shorten it.
    """
    rng = rng or random.Random()
    base = interval
    if failures > 0:
        base = min(max(interval, 1.0) * (2 ** min(failures, 20)), max(max_backoff, interval))
    if ttl:
        base = max(base, min(ttl, max_backoff))
    delay = base * rng.uniform(0.9, 1.1)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def skipped_hour(skip_hours: frozenset[int], when: float) -> bool:
    """True when the feed asked (RSS <skipHours>) not to be polled in this UTC hour."""
    return datetime.fromtimestamp(when, UTC).hour in skip_hours
