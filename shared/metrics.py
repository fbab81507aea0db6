"""Prometheus figures of the pipeline: in-process counters plus stream figures read from Redis.

Counters and histograms live in one process-wide registry (``newsalert run`` shares it between
the three services). Stream, group, DLQ and retry figures are not counted in-process: every
replica would see only its own share, so they are read from Redis at scrape time instead.
"""

import json
import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from faststream.redis.prometheus import RedisPrometheusMiddleware
from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared import streams
from shared.failures import metric_label
from shared.health import PipelineStats

log = logging.getLogger("newsalert.metrics")

# Counters' *_created series double the series count and no dashboard or rule reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry(auto_describe=True)
# process_* (CPU, memory, open fds, start time) and python_* (GC, version), which the default
# registry has and a custom one does not: the service-down and memory panels need them.
for _collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
    REGISTRY.register(_collector)
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_E2E_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)

FEED_POLLS = Counter("newsalert_feed_polls", "Feed polls by outcome (ok, not_modified, failed, "
                     "disabled)", ["outcome"], registry=REGISTRY)
FEED_FAILURES = Counter("newsalert_feed_failures", "Failed feed polls by reason (a "
                        "FailureReason value; http_<status> per HTTP status)", ["reason"],
                        registry=REGISTRY)
ITEMS_PUBLISHED = Counter("newsalert_items_published", "New feed items published to the "
                          "articles stream", registry=REGISTRY)
ARTICLES_CLASSIFIED = Counter("newsalert_articles_classified", "Articles classified",
                              registry=REGISTRY)
ARTICLES_TAGGED = Counter("newsalert_articles_tagged", "Classified articles carrying a tag, "
                          "per tag", ["tag"], registry=REGISTRY)
DELIVERIES = Counter("newsalert_deliveries", "Delivery attempts by channel kind and outcome "
                     "(delivered, failed, retried, dead_lettered)", ["channel", "outcome"],
                     registry=REGISTRY)
HANDLER_SECONDS = Histogram("newsalert_handler_seconds", "Time spent in a stream handler",
                            ["handler"], buckets=_LATENCY_BUCKETS, registry=REGISTRY)
END_TO_END_SECONDS = Histogram("newsalert_end_to_end_seconds", "From an article's fetched_at "
                               "to its delivery", buckets=_E2E_BUCKETS, registry=REGISTRY)
CONFIG_RELOADS = Counter("newsalert_config_reloads", "Config file edits seen by a service, by "
                         "outcome (applied, rejected, held)", ["outcome"], registry=REGISTRY)
CONFIG_HELD = Gauge("newsalert_config_reload_held", "Config edits held back as suspicious "
                    "(empty, or dropping most subscriptions), waiting for confirmation; alert "
                    "when above 0", registry=REGISTRY)
STREAM_BACKLOG = Gauge("newsalert_stream_backlog", "Entries the slowest group of a stream has "
                       "not acked yet, as its producer last read it", ["stream"],
                       registry=REGISTRY)
STREAM_PAUSED = Gauge("newsalert_stream_backpressure", "1 while a consumer group is so far "
                      "behind that the stream's producer pauses (poller) or stops trimming "
                      "(classifier); alert when it stays 1", ["stream"], registry=REGISTRY)

def feed_polled(outcome: str, error: str = "") -> None:
    """Count one poll of one feed."""
    FEED_POLLS.labels(outcome).inc()
    if outcome == "failed":
        FEED_FAILURES.labels(metric_label(error)).inc()


def classified(tags: Sequence[str]) -> None:
    """Count one classified article and each of its tags."""
    ARTICLES_CLASSIFIED.inc()
    for tag in tags:
        ARTICLES_TAGGED.labels(tag).inc()


def delivery(channel: str, outcome: str, event_json: str | None = None) -> None:
    """Count one delivery outcome; a delivered event also feeds the end-to-end histogram."""
    DELIVERIES.labels(channel, outcome).inc()
    if outcome == "delivered" and event_json:
        age = _age_of(event_json)
        if age is not None:
            END_TO_END_SECONDS.observe(age)


async def delivered(redis: "Redis", event_id: str, subscription: str, channel: str,
                    event_json: str, kind: str = "event") -> None:
    """Count a delivery and append it to the capped ``newsalert:delivered`` log (no URL)."""
    delivery(channel, "delivered", event_json if kind == "event" else None)
    entry = {"event_id": event_id, "subscription": subscription, "channel": channel,
             "kind": kind, "title": _title_of(event_json, kind), "at": f"{time.time():.3f}"}
    try:
        await redis.xadd(streams.DELIVERED, entry,  # type: ignore[arg-type]
                         maxlen=streams.DELIVERED_MAXLEN, approximate=True)
    except RedisError as exc:  # the alert went out; losing its status line is acceptable
        log.warning("could not record delivery of %s: %s", event_id, type(exc).__name__)


def _title_of(event_json: str, kind: str) -> str:
    try:
        data: Any = json.loads(event_json)
        if kind == "digest":
            return f"digest of {len(data)} event(s)"
        return str(data["article"]["title"])[:300]
    except (ValueError, KeyError, TypeError):
        return ""


def _age_of(event_json: str) -> float | None:
    # Digests carry a list of events; the end-to-end figure is about single alerts only.
    try:
        data: Any = json.loads(event_json)
        fetched = datetime.fromisoformat(data["article"]["fetched_at"])
    except (ValueError, KeyError, TypeError):
        return None
    return max(0.0, time.time() - fetched.timestamp())


@dataclass(eq=False)  # the registry keys collectors by identity
class StreamCollector(Collector):
    """Exposes the latest :class:`PipelineStats` read from Redis (refreshed before a scrape)."""

    stats: PipelineStats | None = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("newsalert_redis_up", "1 when the last read from Redis worked")
        up.add_metric([], 0.0 if self.stats is None else 1.0)
        yield up
        if self.stats is None:
            return
        yield from _stream_families(self.stats)


def _family(name: str, doc: str, labels: Sequence[str] = ()) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=list(labels))


def _stream_families(stats: PipelineStats) -> Iterator[GaugeMetricFamily]:
    length = _family("newsalert_stream_length", "Entries in a stream (XLEN)", ["stream"])
    for stream, size in stats.lengths.items():
        length.add_metric([stream], float(size))
    lag = _family("newsalert_stream_lag", "Entries not yet read by a group (XINFO GROUPS lag; "
                  "NaN when Redis cannot tell)", ["stream", "group"])
    pending = _family("newsalert_stream_pending", "Entries read but not acked (XPENDING)",
                      ["stream", "group"])
    oldest = _family("newsalert_pending_oldest_idle_seconds", "Idle time of the oldest pending "
                     "entry", ["stream", "group"])
    exists = _family("newsalert_group_exists", "1 when the consumer group exists",
                     ["stream", "group"])
    for group in stats.groups:
        key = [group.stream, group.group]
        lag.add_metric(key, math.nan if group.lag is None else float(group.lag))
        pending.add_metric(key, float(group.pending))
        oldest.add_metric(key, group.oldest_idle)
        exists.add_metric(key, 1.0 if group.exists else 0.0)
    yield from (length, lag, pending, oldest, exists)
    dlq = _family("newsalert_dlq_length", "Entries in the dead-letter stream")
    dlq.add_metric([], float(stats.dlq))
    retry = _family("newsalert_retry_scheduled", "Deliveries waiting on the retry schedule")
    retry.add_metric([], float(stats.retry))
    overdue = _family("newsalert_retry_overdue_seconds", "How long the most overdue scheduled "
                      "retry has waited past its due time (0 when none is late)")
    overdue.add_metric([], stats.retry_overdue)
    yield from (dlq, retry, overdue)


COLLECTOR = StreamCollector()
REGISTRY.register(COLLECTOR)


def faststream_middleware() -> RedisPrometheusMiddleware:
    """FastStream's own per-handler series (faststream_*), in our registry."""
    return RedisPrometheusMiddleware(registry=REGISTRY, app_name="newsalert")


def render(stats: PipelineStats | None) -> bytes:
    """The text exposition of every figure, with ``stats`` as the Redis-side snapshot."""
    COLLECTOR.stats = stats
    return generate_latest(REGISTRY)
