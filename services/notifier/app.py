"""Notifier service: routes events to subscriptions and delivers them through apprise."""

import asyncio
import contextlib
import logging

from faststream import FastStream
from faststream.redis import RedisBroker
from redis.asyncio import Redis

import services.notifier.console  # noqa: F401  (registers the console:// scheme)
from services.notifier.delivery import DeliveryStore
from services.notifier.dispatch import Dispatcher
from services.notifier.privacy import validate_url
from shared import streams
from shared.broker import consumer_name, ensure_groups, make_redis
from shared.config import AppConfig
from shared.consume import consume
from shared.history import HistoryStore
from shared.loading import ConfigError
from shared.ops import service_app
from shared.reload import ConfigWatcher
from shared.schemas import Event

log = logging.getLogger("newsalert.notifier")
RETRY_TICK = 0.5
# Entries per read; each is handled and acked on its own (a send may take seconds).
READ_AHEAD = 10


def check_urls(config: AppConfig) -> None:
    """Every subscription URL must be one apprise knows; the error names the subscription."""
    where = config.source or "config"
    errors = [
        f"{where}: subscriptions[{i}].urls[{j}] (subscription {sub.name!r}): {problem}"
        for i, sub in enumerate(config.subscriptions)
        for j, url in enumerate(sub.urls)
        if (problem := validate_url(url)) is not None
    ]
    if errors:
        raise ConfigError(errors)


class NotifierService:
    """Owns the dispatcher, its retry/digest loop and the config watcher."""

    def __init__(self, config: AppConfig, redis_url: str) -> None:
        check_urls(config)
        self.config = config
        self.redis_url = redis_url
        self._redis: Redis | None = None
        self.dispatcher: Dispatcher | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._watch: ConfigWatcher | None = None
        self._stopping = asyncio.Event()

    def redis(self) -> "Redis":
        """The state client, created lazily inside the running loop."""
        if self._redis is None:
            self._redis = make_redis(self.redis_url, cluster=self.config.redis.cluster)
        return self._redis

    def get_dispatcher(self) -> Dispatcher:
        """The dispatcher (built on first use so it binds to the running loop)."""
        if self.dispatcher is None:
            settings = self.config.history
            history = (HistoryStore(self.redis(), settings.retention) if settings.enabled
                       else None)
            self.dispatcher = Dispatcher(self.config, DeliveryStore(self.redis()),
                                         history=history)
        return self.dispatcher

    async def on_event(self, event: Event) -> None:
        """Handler body: the event is acked only after every outcome is recorded."""
        await self.get_dispatcher().on_event(event)

    def reload(self, config: AppConfig) -> None:
        """Apply edited subscriptions; invalid URLs keep the previous ones active."""
        check_urls(config)
        self.config = config
        self.get_dispatcher().config = config
        log.info("subscriptions now: %s", ", ".join(s.name for s in config.subscriptions))

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                dispatcher = self.get_dispatcher()
                await dispatcher.retry_due()
                await dispatcher.flush_digests()
            except Exception:  # keep retrying: Redis may be restarting
                log.exception("retry loop error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), RETRY_TICK)

    async def start(self) -> None:
        """Create groups; start the retry loop and the config watcher."""
        await ensure_groups(self.redis())
        self._tasks.append(asyncio.create_task(self._loop(), name="retry-loop"))
        self._watch = ConfigWatcher.started_for(self.config, self.reload)

    async def stop(self) -> None:
        """Stop the retry loop after its current send; unstarted retries are released.

        Runs before the broker stops, so in-flight handlers still have the state client.
        """
        if self._watch:
            await self._watch.stop()
        self._stopping.set()
        if self.dispatcher is not None:
            self.dispatcher.stopping = True
        for task in self._tasks:
            # A send cut short here would stay leased (CLAIM_LEASE) and might be sent twice.
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, self.config.notifier.timeout + 5)

    async def close(self) -> None:
        """Close the state client once the broker has drained its in-flight handlers."""
        if self._redis is not None:
            await self._redis.aclose()


def register(broker: RedisBroker, app: FastStream, config: AppConfig, redis_url: str,
             ) -> NotifierService:
    """Subscribe the notifier to the events stream of ``broker``; the service it feeds."""
    service = NotifierService(config, redis_url)
    consume(broker, stream=streams.EVENTS, group=streams.NOTIFIER_GROUP,
            consumer=consumer_name("notifier"), model=Event, handle=service.on_event,
            redis=service.redis, reclaim_idle=config.consume.reclaim_idle,
            max_deliveries=config.consume.max_deliveries, max_records=READ_AHEAD)
    app.on_startup(service.start)
    app.on_shutdown(service.stop)
    app.after_shutdown(service.close)
    return service


def create_app(config: AppConfig, redis_url: str) -> FastStream:
    """The notifier as its own FastStream app (what compose runs)."""
    return service_app("notifier", config, redis_url, [register],
                       graceful_timeout=config.notifier.timeout + 10)
