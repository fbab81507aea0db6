"""When to poll a feed next: interval with jitter, backoff on failure, server hints."""

import random
from collections.abc import Iterable
from datetime import UTC, datetime

HOUR = 3600.0


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


def after_skip_hours(when: float, skip_hours: frozenset[int]) -> float:
    """``when``, or the start of the first later UTC hour the feed does not skip.

    A feed that skips all 24 hours is misconfigured; it keeps its normal schedule rather
    than never being polled again.
    """
    if not skip_hours or len(skip_hours) >= 24:
        return when
    while skipped_hour(skip_hours, when):
        when = (when // HOUR + 1) * HOUR  # Unix time has no leap seconds: hours align
    return when


def encode_hours(hours: Iterable[int]) -> str:
    """Skip hours as stored in the feed's state hash: ``"1,23"``."""
    return ",".join(str(h) for h in sorted(set(hours)))


def decode_hours(text: str) -> frozenset[int]:
    """The inverse of :func:`encode_hours`; junk is ignored."""
    return frozenset(int(p) for p in text.split(",") if p.strip().isdigit() and int(p) < 24)
