"""Unit tests for services.poller.schedule on a simulated clock: backoff, jitter, ttl, skipHours."""

import itertools
import random
from datetime import UTC, datetime

import pytest

from services.poller.schedule import (
    after_skip_hours,
    decode_hours,
    encode_hours,
    next_delay,
    skipped_hour,
)

HOUR = 3600.0
DAY = 24 * HOUR
T0 = datetime(2026, 1, 1, tzinfo=UTC).timestamp()  # midnight UTC: hour arithmetic is readable


def at(hour: int, minute: int = 0) -> float:
    """Simulated wall clock: T0 plus hours and minutes."""
    return T0 + hour * HOUR + minute * 60


def test_poller_healthy_feed_waits_interval_with_jitter() -> None:
    """No failures: the delay is the interval within ±10 %, and jitter actually varies."""
    rng = random.Random(1)
    delays = [next_delay(300, 0, HOUR, rng=rng) for _ in range(500)]
    assert all(270 <= d <= 330 for d in delays)
    assert max(delays) - min(delays) > 40  # spread, not a constant


@pytest.mark.parametrize(("failures", "base"), [(1, 120), (2, 240), (3, 480), (5, 1920),
                                                (6, 3600), (30, 3600)])
def test_poller_backoff_doubles_then_caps(failures: int, base: float) -> None:
    """Failures double the wait from the interval, capped at max_backoff (±10 % jitter)."""
    rng = random.Random(failures)
    for _ in range(50):
        assert base * 0.9 <= next_delay(60, failures, HOUR, rng=rng) <= base * 1.1


def test_poller_retry_after_is_a_floor_not_a_ceiling() -> None:
    """Retry-After lengthens a short wait and never shortens a long one."""
    rng = random.Random(2)
    assert next_delay(60, 1, HOUR, retry_after=900, rng=rng) == 900
    assert next_delay(60, 6, HOUR, retry_after=10, rng=rng) >= 3600 * 0.9


def test_poller_retry_after_beyond_max_backoff_is_honoured() -> None:
    """A server asking for 2 h gets 2 h, even with max_backoff 1 h (no request inside it)."""
    assert next_delay(60, 1, HOUR, retry_after=7200, rng=random.Random(3)) == 7200


def test_poller_ttl_lengthens_but_is_capped_by_max_backoff() -> None:
    """<ttl> longer than the interval stretches it; a huge ttl stops at max_backoff."""
    rng = random.Random(4)
    assert 1800 * 0.9 <= next_delay(300, 0, HOUR, ttl=1800, rng=rng) <= 1800 * 1.1
    assert next_delay(300, 0, HOUR, ttl=10 * DAY, rng=rng) <= HOUR * 1.1
    assert next_delay(600, 0, HOUR, ttl=60, rng=rng) >= 600 * 0.9  # shorter ttl: no effect


def simulate(seconds: float, interval: float, retry_after: float | None = None) -> list[float]:
    """Request times of an always-failing feed over ``seconds`` of simulated time."""
    rng, clock, failures, times = random.Random(5), 0.0, 0, []
    while clock < seconds:
        times.append(clock)
        failures += 1
        clock += next_delay(interval, failures, HOUR, retry_after, rng=rng)
    return times


def test_poller_always_failing_feed_over_a_day_is_bounded() -> None:
    """A feed answering 500 for 24 simulated hours is requested at most 40 times."""
    times = simulate(DAY, 60)
    assert 20 <= len(times) <= 40
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert max(gaps) <= HOUR * 1.1 and gaps[0] < gaps[3]


def test_poller_retry_after_spaces_every_request() -> None:
    """With Retry-After 120 s the next request is never sooner than 120 s."""
    times = simulate(HOUR, 30, retry_after=120)
    assert all(b - a >= 120 for a, b in itertools.pairwise(times))


def test_poller_skip_hours_push_to_next_allowed_hour() -> None:
    """A poll falling in a skipped UTC hour moves to the start of the next allowed hour."""
    skip = frozenset({2, 3})
    assert after_skip_hours(at(2, 30), skip) == at(4)
    assert after_skip_hours(at(3, 59), skip) == at(4)
    assert after_skip_hours(at(1, 59), skip) == at(1, 59)
    assert after_skip_hours(at(23, 10), frozenset({23, 0})) == at(25)


def test_poller_skip_hours_edge_cases() -> None:
    """No skip hours or all 24 (misconfigured) leave the time unchanged."""
    assert after_skip_hours(at(5, 5), frozenset()) == at(5, 5)
    assert after_skip_hours(at(5, 5), frozenset(range(24))) == at(5, 5)
    assert skipped_hour(frozenset({5}), at(5, 5)) and not skipped_hour(frozenset({5}), at(6))


def test_poller_skip_hours_with_backoff_on_a_clock() -> None:
    """Simulated day: no poll of a feed skipping 0-5 UTC ever lands in those hours."""
    skip, rng, clock, polls = frozenset(range(6)), random.Random(6), at(0), []
    while clock < at(24):
        clock = after_skip_hours(clock + next_delay(900, 0, HOUR, rng=rng), skip)
        polls.append(clock)
    hours = {datetime.fromtimestamp(p, UTC).hour for p in polls}
    assert not hours & skip and len(polls) > 50


def test_poller_skip_hours_round_trip_state_encoding() -> None:
    """Skip hours survive the feed-state hash encoding; junk is dropped."""
    assert decode_hours(encode_hours([23, 1, 1])) == frozenset({1, 23})
    assert decode_hours("") == frozenset() and decode_hours("x,99,4") == frozenset({4})
