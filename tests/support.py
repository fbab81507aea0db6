"""Test helpers: waiting on conditions, a simulated clock, the in-memory broker, pollers."""

import asyncio
import contextlib
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import redis as redis_sync
from faststream.redis import RedisBroker, TestRedisBroker
from faststream.redis.testing import PEL

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
T = TypeVar("T")
POLL = 0.05  # seconds between checks: fast enough to add no visible delay, light on 2 cores


async def eventually(check: Callable[[], T] | Callable[[], Awaitable[T]], within: float = 10.0,
                     *, what: str = "the condition", detail: Callable[[], str] | None = None,
                     ) -> T:
    """Poll ``check`` (plain or async) until it returns a truthy value; return that value.

    After ``within`` seconds it fails with what never happened, the last value seen and
    ``detail()`` (e.g. a service log), instead of a bare timeout. It sleeps between checks
    with asyncio, so servers on the test's own loop keep running.
    """
    deadline = time.monotonic() + within
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value  # type: ignore[return-value]
        if time.monotonic() >= deadline:
            raise AssertionError(_timed_out(what, within, value, detail))
        await asyncio.sleep(POLL)


def eventually_sync(check: Callable[[], T], within: float = 10.0, *,
                    what: str = "the condition", detail: Callable[[], str] | None = None) -> T:
    """``eventually`` for plain tests that drive processes and threads without an event loop."""
    deadline = time.monotonic() + within
    while not (value := check()):
        if time.monotonic() >= deadline:
            raise AssertionError(_timed_out(what, within, value, detail))
        time.sleep(POLL)
    return value


class SimClock:
    """Seconds since the epoch that move only when the test says so (``DeliveryStore(now=)``)."""

    def __init__(self, now: float = 1_900_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _timed_out(what: str, within: float, value: object,
               detail: Callable[[], str] | None) -> str:
    message = f"{what}: still false after {within:g} s (last value {value!r})"
    return message + ("\n" + detail() if detail else "")


class _SessionPEL(PEL):
    """FastStream's in-memory PEL, settled by (publish session, group) alone.

    It keys entries by correlation id too, but shared.consume hands FastStream a placeholder
    in place of each entry (see its parsers), so the handled message carries a fresh
    correlation id and the emulated XACK would miss its entry.
    """

    def _remove(self, correlation_id: tuple[str | None, Any, str | None]) -> None:
        _, session, group = correlation_id
        for key in [k for k in self.entries if k[1:] == (session, group)]:
            del self.entries[key]


def in_memory(broker: RedisBroker) -> TestRedisBroker:
    """FastStream's in-memory broker over ``broker``: handlers run inside ``publish()``.

    Each group has a reader and a reclaimer (shared.consume); the fake hands a message to
    whichever of the two it meets first, and both run the same handler exactly once.
    """
    return TestRedisBroker(broker, pel=_SessionPEL())


def pipeline_drained(redis_url: str) -> bool:
    """Every group read its stream to the end and acked all of it (articles first, then
    events: a classifier still working could add an event behind a drained notifier)."""
    from shared import streams

    client = redis_sync.Redis.from_url(redis_url)
    try:
        for stream, group in streams.GROUPS:
            if not client.exists(stream):
                continue
            last = client.xinfo_stream(stream)["last-generated-id"]
            info = {g["name"].decode(): g for g in client.xinfo_groups(stream)}.get(group)
            if info is None or info["pending"] or info["last-delivered-id"] != last:
                return False
        return True
    finally:
        client.close()


@contextlib.asynccontextmanager
async def open_poller(redis_url: str, settings: Any) -> AsyncIterator[Any]:
    """A Poller on a real Redis (groups created), closed afterwards."""
    from services.poller.fetch import make_client
    from services.poller.polling import Poller
    from services.poller.state import PollerStore
    from shared.broker import ensure_groups, make_redis

    redis = make_redis(redis_url)
    await ensure_groups(redis)
    poller = Poller(make_client(settings), PollerStore(redis, 3600), redis, settings)
    try:
        yield poller
    finally:
        await poller.client.aclose()
        await redis.aclose()
