"""Classifier service: tags articles and publishes events for the ones that carry a tag."""

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from faststream import FastStream
from faststream.redis import RedisBroker, StreamSub
from redis.asyncio import Redis

from services.classifier.classify import classify_article
from services.classifier.clustering import gazetteer
from services.classifier.clustering.cluster import Clusterer, apply_cluster
from services.classifier.clustering.model import Thresholds
from services.classifier.clustering.redis_store import RedisStore
from services.classifier.clustering.similarity import Commonness
from services.classifier.watch import WatchMatcher
from shared import metrics, streams
from shared.backpressure import CapWatch, StreamGuard
from shared.broker import consumer_name, ensure_groups, make_redis
from shared.config import AppConfig
from shared.consume import consume
from shared.ops import service_app
from shared.reload import ConfigWatcher
from shared.schemas import Article, Event

if TYPE_CHECKING:
    from services.classifier.learned.scorer import TagModel

log = logging.getLogger("newsalert.classifier")


def _models() -> "dict[str, TagModel]":
    """The shipped model; imported here so scikit-learn loads only when the model is on."""
    from services.classifier.learned.scorer import default_models

    return default_models()


class ClassifierService:
    """Holds the active watch list; a config edit swaps it atomically."""

    def __init__(self, config: AppConfig, redis_url: str) -> None:
        self.config = config
        self.redis_url = redis_url
        self.watcher = WatchMatcher(config.watch)
        self.models = _models() if config.classifier.learned else None
        self._redis: Redis | None = None
        self._config_watch: ConfigWatcher | None = None
        self.common = Commonness()  # word commonness learned from this replica's stream
        self.events_cap: CapWatch | None = None  # MAXLEN that never trims unread events
        self._cap_task: asyncio.Task[None] | None = None

    def redis(self) -> "Redis":
        """The state client, created lazily inside the running loop."""
        if self._redis is None:
            self._redis = make_redis(self.redis_url, cluster=self.config.redis.cluster)
        return self._redis

    def classify(self, article: Article) -> Event | None:
        """The event for an article, or None when nothing was tagged."""
        tags = classify_article(article.title, article.summary, self.watcher, self.models)
        if not tags:
            return None
        return Event(id=article.id, article=article, tags=tags)

    async def cluster(self, event: Event) -> Event | None:
        """Cluster fields set; None when the report folds silently into its cluster."""
        settings = self.config.classifier.cluster
        if not settings.enabled:
            return event
        clusterer = Clusterer(RedisStore(self.redis()), settings.window,
                              Thresholds.of(settings), self.common)
        return await apply_cluster(clusterer, event)

    def reload(self, config: AppConfig) -> None:
        """Apply an edited config; a bad watch topic raises and the old list stays."""
        self.watcher = WatchMatcher(config.watch)
        self.config = config
        log.info("watch list now has %d topic(s)", len(config.watch))

    async def start(self) -> None:
        """Create groups, load the gazetteer and start watching the config file."""
        await ensure_groups(self.redis())
        self.events_cap = CapWatch(StreamGuard(self.redis(), streams.EVENTS,
                                               streams.EVENTS_MAXLEN))
        self._cap_task = asyncio.create_task(self.events_cap.run(), name="events-cap")
        if self.config.classifier.cluster.enabled:
            await asyncio.to_thread(gazetteer.load)
        self._config_watch = ConfigWatcher.started_for(self.config, self.reload)

    async def stop(self) -> None:
        """Stop watching and close the state client."""
        if self._config_watch:
            await self._config_watch.stop()
        if self._cap_task is not None:
            self._cap_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._cap_task
        if self._redis is not None:
            await self._redis.aclose()


def register(broker: RedisBroker, app: FastStream, config: AppConfig, redis_url: str) -> None:
    """Subscribe the classifier to the articles stream of ``broker``."""
    service = ClassifierService(config, redis_url)
    events = broker.publisher(stream=StreamSub(streams.EVENTS, maxlen=streams.EVENTS_MAXLEN),
                              title="newsalert:events", schema=Event)

    async def on_article(article: Article) -> None:
        event = service.classify(article)
        metrics.classified([t.name for t in event.tags] if event else [])
        if event is None:
            log.info("no tag", extra={"article_id": article.id, "feed": article.feed})
            return
        clustered = await service.cluster(event)
        if clustered is None:
            log.info("folded into its cluster", extra={"article_id": article.id})
            return
        event = clustered
        cap = service.events_cap
        await events.publish(event, maxlen=cap.maxlen if cap else streams.EVENTS_MAXLEN)
        log.info("tagged %s", ",".join(t.name for t in event.tags),
                 extra={"article_id": article.id, "feed": article.feed})

    consume(broker, stream=streams.ARTICLES, group=streams.CLASSIFIER_GROUP,
            consumer=consumer_name("classifier"), model=Article, handle=on_article,
            redis=service.redis, reclaim_idle=config.consume.reclaim_idle,
            max_deliveries=config.consume.max_deliveries, max_records=config.consume.batch,
            batch=True)
    app.on_startup(service.start)
    app.on_shutdown(service.stop)


def create_app(config: AppConfig, redis_url: str) -> FastStream:
    """The classifier as its own FastStream app (what compose runs)."""
    return service_app("classifier", config, redis_url, [register])
