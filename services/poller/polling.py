"""One poll of one feed: fetch, parse, publish what is new, update the feed's health."""

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from redis.asyncio import Redis

from services.poller import health
from services.poller.fetch import FetchResult, fetch_feed
from services.poller.items import FeedItem, ParsedFeed
from services.poller.parse_pool import parse_feed_bounded
from services.poller.schedule import after_skip_hours, decode_hours, encode_hours, next_delay
from services.poller.state import CHANGED, NEW, FeedState, PollerStore, article_id, feed_id, now
from shared import metrics, streams
from shared.backpressure import StreamGuard
from shared.config import Feed, PollerSettings
from shared.failures import FailureReason
from shared.schemas import Article, utcnow

log = logging.getLogger("newsalert.poller")


@dataclass
class PollReport:
    """What one poll cycle did, for logs, metrics and tests."""

    published: int = 0
    seen: int = 0
    updated: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass
class Poller:
    """Everything a poll needs; built once per process."""

    client: httpx.AsyncClient
    store: PollerStore
    redis: "Redis"
    settings: PollerSettings
    owner: str = "poller"
    # Paces publishing against the slowest consumer group (a small cap in tests).
    guard: StreamGuard | None = None
    stopping: bool = False

    def __post_init__(self) -> None:
        if self.guard is None:
            self.guard = StreamGuard(self.redis, streams.ARTICLES, streams.ARTICLES_MAXLEN)
        self._global = asyncio.Semaphore(self.settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def _host_limit(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).hostname or ""
        return self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))

    async def poll_once(self, feeds: Sequence[Feed]) -> PollReport:
        """Poll every feed once, concurrently within the limits (cron mode)."""
        report = PollReport()
        await asyncio.gather(*(self.poll_feed(f, report) for f in feeds))
        return report

    async def poll_feed(self, feed: Feed, report: PollReport) -> None:
        """Poll one feed; any failure is recorded on the feed, never raised."""
        # The whole poll runs inside the limits, not only the fetch: with 1,000 feeds the
        # Redis reads and parse jobs must be bounded too (the pool has a connection cap).
        # The host slot is taken first so a feed waiting for its host holds no global slot.
        async with self._host_limit(feed.url), self._global:
            await self._poll_limited(feed, report)

    async def _poll_limited(self, feed: Feed, report: PollReport) -> None:
        fid = feed_id(feed.url)
        state = await self.store.load(fid)
        if state.disabled:
            report.outcomes["disabled"] += 1
            return
        result = await fetch_feed(self.client, state.url or feed.url, self.settings,
                                  etag=state.etag or None,
                                  last_modified=state.last_modified or None)
        parsed = None
        if result.status == 200 and result.body is not None:
            parsed = await parse_feed_bounded(result.body, result.final_url, result.content_type)
        outcome = await self._record(feed, fid, state, result, parsed, report)
        report.outcomes[outcome] += 1
        metrics.feed_polled(outcome, state.last_error)
        _log_poll(feed, state, outcome)

    async def _record(self, feed: Feed, fid: str, state: FeedState, result: FetchResult,
                      parsed: ParsedFeed | None, report: PollReport) -> str:
        state.last_poll = now()
        error = _failure(result, parsed)
        if error is None:
            if parsed is not None:
                await self._publish_items(feed, state, parsed.items, report)
                state.initialized = True
            await self._succeeded(feed, state, result, parsed)
        else:
            await self._failed(feed, state, result, error)
        _schedule(feed, state, result, self.settings)
        await self.store.save(fid, state)
        if error is not None:
            return "failed"
        return "ok" if result.status == 200 else "not_modified"

    async def _succeeded(self, feed: Feed, state: FeedState, result: FetchResult,
                         parsed: ParsedFeed | None) -> None:
        was_unhealthy = state.unhealthy
        state.failures, state.last_error, state.last_success = 0, "", state.last_poll
        state.etag = result.etag or state.etag
        state.last_modified = result.last_modified or state.last_modified
        if parsed is not None:  # a 304 keeps the hints of the last full document
            state.ttl = parsed.ttl_seconds or 0.0
            state.skip_hours = encode_hours(parsed.skip_hours)
        if result.permanent_url:
            state.url = result.permanent_url
        if was_unhealthy:
            state.unhealthy = False
            await health.publish(self.redis, feed, state, recovered=True)

    async def _failed(self, feed: Feed, state: FeedState, result: FetchResult,
                      error: str) -> None:
        state.failures += 1
        state.last_error = error
        if result.status == 410:
            state.disabled = "gone (HTTP 410)"
        # One event when the feed crosses the threshold, not one per failure.
        if state.failures >= self.settings.failure_threshold and not state.unhealthy:
            state.unhealthy = True
            await health.publish(self.redis, feed, state, recovered=False)

    async def _publish_items(self, feed: Feed, state: FeedState, items: Sequence[FeedItem],
                             report: PollReport) -> None:
        # A new feed's backlog is marked seen, except the newest `backfill` items.
        ordered = _newest_first(items)
        alert_count = len(ordered) if state.initialized else feed.backfill
        keyed = [(article_id(feed.url, item.key), item) for item in ordered]
        await self.store.mark_seen_batch([(aid, i.content_hash) for aid, i in keyed[alert_count:]])
        report.seen += len(keyed[alert_count:])
        fresh = [(aid, _article(feed, aid, item).model_dump_json(), item.content_hash)
                 for aid, item in keyed[:alert_count]]
        for status in await self._publish_paced(fresh):
            if status == NEW:
                report.published += 1
                metrics.ITEMS_PUBLISHED.inc()
            elif status == CHANGED:
                report.updated += 1
            else:
                report.seen += 1


    async def _publish_paced(self, fresh: list[tuple[str, str, str]]) -> list[int]:
        """Publish in chunks, each after the slowest group has room for it (backpressure)."""
        assert self.guard is not None
        statuses: list[int] = []
        size = self.guard.chunk()
        for start in range(0, len(fresh), size):
            chunk = fresh[start:start + size]
            await self.guard.wait_for_room(len(chunk), lambda: self.stopping)
            trim = await self.guard.trim(len(chunk))
            statuses += await self.store.publish_batch(chunk, trim)
        return statuses


def _log_poll(feed: Feed, state: FeedState, outcome: str) -> None:
    wait = max(0.0, state.next_poll - now())
    extra = {"feed": feed.label(), "status": outcome}
    if outcome == "failed":
        log.warning("feed %s failed (%d in a row): %s; next poll in %.0f s", feed.label(),
                    state.failures, state.last_error, wait, extra=extra)
    else:
        log.info("feed %s polled: %s; next poll in %.0f s", feed.label(), outcome, wait,
                 extra=extra)


def _schedule(feed: Feed, state: FeedState, result: FetchResult,
              settings: PollerSettings) -> None:
    delay = next_delay(feed.interval, state.failures, settings.max_backoff, result.retry_after,
                       state.ttl or None)
    state.next_poll = after_skip_hours(state.last_poll + delay, decode_hours(state.skip_hours))


def _failure(result: FetchResult, parsed: ParsedFeed | None) -> str | None:
    if result.status == 304:
        return None
    if result.status != 200 or result.error:
        return result.error or FailureReason.HTTP.text(result.status)
    if parsed is not None and parsed.error and not parsed.items:
        return parsed.error
    return None


def _newest_first(items: Sequence[FeedItem]) -> list[FeedItem]:
    if all(i.published for i in items):
        return sorted(items, key=lambda i: i.published.timestamp() if i.published else 0.0,
                      reverse=True)
    return list(items)


def _article(feed: Feed, aid: str, item: FeedItem) -> Article:
    return Article(id=aid, feed=feed.label(), feed_url=feed.url, url=item.link, title=item.title,
                   summary=item.summary, published=item.published, fetched_at=utcnow())
