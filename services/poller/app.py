"""Poller service: polls the configured feeds and publishes new items to newsalert:articles."""

import asyncio
import contextlib
import logging
import time

from faststream import FastStream
from faststream.redis import RedisBroker

from services.poller.fetch import make_client
from services.poller.parse_pool import PARSERS
from services.poller.polling import Poller, PollReport
from services.poller.state import PollerStore, feed_id
from shared.broker import consumer_name, ensure_groups, make_redis
from shared.config import AppConfig, Feed
from shared.ops import service_app
from shared.reload import ConfigWatcher

log = logging.getLogger("newsalert.poller")
TICK = 0.5
PARSE_DEADLINE = 10.0  # parse_feed_bounded's default timeout
LEASE_MARGIN = 20.0
LEASE_RETRY = 30.0  # a feed leased by another replica is looked at again after this at most
DISABLED_RECHECK = 3600.0  # a disabled feed stays disabled until its state is reset


class PollerService:
    """The poll loop: each feed on its own schedule, leased so replicas never double-poll."""

    def __init__(self, config: AppConfig, redis_url: str) -> None:
        self.config = config
        self.redis_url = redis_url
        self.owner = consumer_name("poller")
        self._due: dict[str, float] = {}
        self._inflight: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None
        self._watcher: ConfigWatcher | None = None

    async def open(self) -> Poller:
        """Connect to Redis, make sure the groups exist, build the poller."""
        redis = make_redis(self.redis_url, cluster=self.config.redis.cluster)
        await ensure_groups(redis)
        store = PollerStore(redis, self.config.poller.seen_ttl)
        self.poller = Poller(make_client(self.config.poller), store, redis, self.config.poller,
                             self.owner)
        return self.poller

    async def close(self) -> None:
        """Release the HTTP client and the Redis connection."""
        await self.poller.client.aclose()
        await self.poller.redis.aclose()
        PARSERS.shutdown()

    async def start(self) -> None:
        """Start the background loop and the config watcher."""
        await self.open()
        self._loop = asyncio.create_task(self._run(), name="poll-loop")
        self._watcher = ConfigWatcher.started_for(self.config, self._reload)

    async def stop(self) -> None:
        """Stop scheduling, let in-flight polls finish (each publish is atomic anyway)."""
        if self._watcher:
            await self._watcher.stop()
        poller: Poller | None = getattr(self, "poller", None)
        if poller is not None:
            poller.stopping = True  # a poll held back by backpressure publishes and ends
        if self._loop:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        if self._inflight:
            await asyncio.wait(self._inflight, timeout=10)
        await self.close()

    def _reload(self, config: AppConfig) -> None:
        self.config = config

    async def _run(self) -> None:
        while True:
            for feed in self.config.feeds:
                if self._due.get(feed.url, 0.0) <= time.time() and not self._busy(feed):
                    await self._launch(feed)
            await asyncio.sleep(TICK)

    def _busy(self, feed: Feed) -> bool:
        return any(t.get_name() == feed.url for t in self._inflight)

    def _lease_seconds(self) -> float:
        # Long enough to cover a whole poll (fetch deadline + parse deadline + publish); the
        # lease is released as soon as the poll has saved the feed's next_poll.
        return self.config.poller.timeout + PARSE_DEADLINE + LEASE_MARGIN

    async def _is_due(self, feed: Feed, fid: str) -> bool:
        state = await self.poller.store.load(fid)
        if state.disabled:
            self._due[feed.url] = time.time() + DISABLED_RECHECK
            return False
        if state.next_poll > time.time():
            self._due[feed.url] = state.next_poll
            return False
        return True

    async def _launch(self, feed: Feed) -> None:
        fid = feed_id(feed.url)
        if not await self._is_due(feed, fid):
            return
        if not await self.poller.store.lease(fid, self.owner, self._lease_seconds()):
            self._due[feed.url] = time.time() + min(feed.interval, LEASE_RETRY)
            return
        # Read again under the lease: another replica may have polled and released the lease
        # between our first read and our SET NX; its saved next_poll is visible now.
        if not await self._is_due(feed, fid):
            await self.poller.store.release(fid, self.owner)
            return
        task = asyncio.create_task(self._poll(feed, fid), name=feed.url)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def _poll(self, feed: Feed, fid: str) -> None:
        retry = time.time() + 1.0
        try:
            await self.poller.poll_feed(feed, PollReport())
        except Exception:  # one feed's bug must not stop the others
            log.exception("poll of %s crashed", feed.label(), extra={"feed": feed.label()})
            retry = time.time() + feed.interval  # not every tick: the bug will still be there
        finally:
            await self.poller.store.release(fid, self.owner)
        state = await self.poller.store.load(fid)
        self._due[feed.url] = max(state.next_poll, retry)


def register(broker: RedisBroker, app: FastStream, config: AppConfig, redis_url: str) -> None:
    """Attach the poll loop to an app's lifecycle."""
    service = PollerService(config, redis_url)
    app.after_startup(service.start)
    app.on_shutdown(service.stop)


def create_app(config: AppConfig, redis_url: str) -> FastStream:
    """The poller as its own FastStream app (what compose runs)."""
    return service_app("poller", config, redis_url, [register])


async def poll_once(config: AppConfig, redis_url: str) -> PollReport:
    """Cron mode: poll every feed once, publish, return the report."""
    service = PollerService(config, redis_url)
    poller = await service.open()
    try:
        return await poller.poll_once(config.feeds)
    finally:
        await service.close()
