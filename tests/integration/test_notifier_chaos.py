"""Chaos: SIGKILL the notifier process mid-backlog, restart it, count lost and duplicates.

The notifier runs as compose runs it (separate process, config file, env Redis URL). The
checker counts deliveries by the article link in each JSON body, so a duplicate is the same
event reaching the sink twice.
"""

import asyncio
import random
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from redis.asyncio import Redis

from shared import streams
from shared.schemas import Article, Event, Evidence, Tag
from tests.pipeline import compose_command, start, stop, write_config
from tests.servers import HttpServer, Route, json_bodies
from tests.support import eventually

pytestmark = pytest.mark.slow
EVENTS = 1000
SINK_DELAY = 0.003
DRAIN_LIMIT = 60.0
_LINK = re.compile(r"wire\.test/chaos/(\d+)")


class InFlight:
    """Counts requests the sink is still answering (sends in flight at the kill)."""

    def __init__(self) -> None:
        self.now = 0
        self._lock = threading.Lock()

    def route(self, path: str, headers: dict[str, str], body: bytes) -> tuple[
            int, dict[str, str], bytes]:
        """Answer 200 after a small delay, so a send is in flight most of the time."""
        with self._lock:
            self.now += 1
        time.sleep(SINK_DELAY)
        with self._lock:
            self.now -= 1
        return 200, {"Content-Type": "text/plain"}, b"ok"


def event(n: int) -> Event:
    """A strike event with a unique id and a unique article link."""
    article = Article(id=f"chaos-art-{n}", feed="wire", url=f"https://wire.test/chaos/{n}",
                      title=f"Air strike {n} hits a depot")
    tag = Tag(name="military_strike", evidence=[Evidence(sentence="Air strike", cues=["strike"])])
    return Event(id=f"chaos-{n}", article=article, tags=[tag])


async def publish(redis: Redis, count: int) -> None:
    """XADD ``count`` events the way the classifier does (one ``__data__`` field)."""
    async with redis.pipeline(transaction=False) as pipe:
        for n in range(count):
            pipe.xadd(streams.EVENTS, {"__data__": event(n).model_dump_json()})
        await pipe.execute()


def delivered(sink: HttpServer) -> list[int]:
    """Event numbers in the order the sink received them (one per request)."""
    return [int(m.group(1)) for body in json_bodies(sink)
            if (m := _LINK.search(str(body.get("message", ""))))]


async def pending(redis: Redis) -> int:
    """Entries of the notifier group that were read but not acknowledged."""
    info = await redis.xpending(streams.EVENTS, streams.NOTIFIER_GROUP)
    return int(info["pending"])


def notifier_config(tmp_path: Path, sink: HttpServer) -> Path:
    """Config file of the notifier process: one strike subscription to the sink."""
    return write_config(tmp_path / "config.yaml", {
        "log_level": "INFO",
        "notifier": {"reclaim_idle": "2s", "timeout": 10},
        "subscriptions": [{"name": "desk", "tags": ["military_strike"],
                           "urls": [f"json://127.0.0.1:{sink.port}/hook"]}],
    })


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
async def test_notifier_sigkill_loses_nothing(
        seed: int, redis: Redis, redis_url: str, tmp_path: Path,
        http_server: Callable[[Route], HttpServer]) -> None:
    """kill -9 mid-backlog → 0 lost, dup ≤ in flight, drained ≤ 60 s, PEL and retries 0."""
    rng = random.Random(seed)
    counter = InFlight()
    sink = http_server(counter.route)
    config, log = notifier_config(tmp_path, sink), tmp_path / "notifier.log"
    env = {"NEWSALERT_REDIS__URL": redis_url}
    await publish(redis, EVENTS)
    first = start(compose_command("notifier"), config, log, env)
    try:
        await eventually(lambda: len(sink.requests) > 0, 30, what="a first send",
                         detail=log.read_text)
        await asyncio.sleep(rng.uniform(0.2, 1.5))
        first.kill()
        sends_in_flight = counter.now
        first.wait()
    finally:
        stop(first)
    before = len(sink.requests)
    in_flight = await pending(redis) + sends_in_flight
    second = start(compose_command("notifier"), config, log, env)
    restarted = time.monotonic()
    try:
        await eventually(lambda: len(set(delivered(sink))) >= EVENTS, DRAIN_LIMIT,
                         what="every event delivered after the restart",
                         detail=lambda: f"lost {EVENTS - len(set(delivered(sink)))} events\n"
                                        f"{log.read_text()[-3000:]}")
        drain = time.monotonic() - restarted
        await eventually(lambda: settled(redis), 10, what="no pending entries or retries left")
    finally:
        code = stop(second)
    got = delivered(sink)
    duplicates = len(got) - len(set(got))
    print(f"seed={seed} sent_before_kill={before} in_flight={in_flight} "
          f"duplicates={duplicates} drain={drain:.1f}s")
    assert set(got) == set(range(EVENTS))
    assert duplicates <= in_flight
    assert drain <= DRAIN_LIMIT
    assert await redis.xlen(streams.DLQ) == 0
    assert code == 0


def slow_route(path: str, headers: dict[str, str], body: bytes) -> tuple[
        int, dict[str, str], bytes]:
    """A channel that takes 1 s per request: a SIGTERM surely lands mid-send."""
    time.sleep(1.0)
    return 200, {}, b"ok"


async def test_notifier_sigterm_finishes_in_flight_send(
        redis: Redis, redis_url: str, tmp_path: Path,
        http_server: Callable[[Route], HttpServer]) -> None:
    """SIGTERM mid-send → exit 0 soon, the send is recorded; a restart sends the rest once."""
    sink = http_server(slow_route)
    config, log = notifier_config(tmp_path, sink), tmp_path / "notifier.log"
    env = {"NEWSALERT_REDIS__URL": redis_url}
    await publish(redis, 5)
    first = start(compose_command("notifier"), config, log, env)
    await eventually(lambda: len(sink.requests) > 0, 30, what="a first send", detail=log.read_text)
    began = time.monotonic()
    code = await asyncio.to_thread(stop, first)
    stopped_in = time.monotonic() - began
    sent_before = len(sink.requests)
    second = start(compose_command("notifier"), config, log, env)
    try:
        await eventually(lambda: len(set(delivered(sink))) >= 5, 30,
                         what="every event delivered after the restart", detail=log.read_text)
        await eventually(lambda: settled(redis), 10, what="no pending entries or retries left")
    finally:
        assert stop(second) == 0
    got = delivered(sink)
    print(f"sigterm: stopped in {stopped_in:.1f}s after {sent_before} send(s), total {len(got)}")
    assert code == 0 and stopped_in < 12
    assert sorted(got) == list(range(5)), "every event exactly once"


async def settled(redis: Redis) -> bool:
    """No entry of the notifier group is pending and no retry job is scheduled."""
    return await pending(redis) == 0 and await redis.zcard(streams.key("retry")) == 0
