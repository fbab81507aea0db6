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
from services.poller.parse import FeedItem, ParsedFeed, parse_feed_bounded
from services.poller.schedule import next_delay
from services.poller.state import CHANGED, NEW, FeedState, PollerStore, article_id, feed_id, now
from shared.config import Feed, PollerSettings
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

    def __post_init__(self) -> None:
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
        fid = feed_id(feed.url)
        state = await self.store.load(fid)
        if state.disabled:
            report.outcomes["disabled"] += 1
            return
        url = state.url or feed.url
        async with self._global, self._host_limit(url):
            result = await fetch_feed(self.client, url, self.settings, etag=state.etag or None,
                                      last_modified=state.last_modified or None)
        parsed = None
        if result.status == 200 and result.body is not None:
            parsed = await parse_feed_bounded(result.body, result.final_url, result.content_type)
        outcome = await self._record(feed, fid, state, result, parsed, report)
        report.outcomes[outcome] += 1
        _log_poll(feed, state, outcome)

    async def _record(self, feed: Feed, fid: str, state: FeedState, result: FetchResult,
                      parsed: ParsedFeed | None, report: PollReport) -> str:
        state.last_poll = now()
        error = _failure(result, parsed)
        if error is None:
            if parsed is not None:
                await self._publish_items(feed, state, parsed.items, report)
                state.initialized = True
            outcome = "ok" if result.status == 200 else "not_modified"
            was_unhealthy = state.unhealthy
            state.failures, state.last_error, state.last_success = 0, "", state.last_poll
            state.etag = result.etag or state.etag
            state.last_modified = result.last_modified or state.last_modified
            if result.permanent_url:
                state.url = result.permanent_url
            if was_unhealthy:
                state.unhealthy = False
                await health.publish(self.redis, feed, state, recovered=True)
        else:
            outcome = "failed"
            state.failures += 1
            state.last_error = error
            if result.status == 410:
                state.disabled = "gone (HTTP 410)"
            if state.failures >= self.settings.failure_threshold and not state.unhealthy:
                state.unhealthy = True
                await health.publish(self.redis, feed, state, recovered=False)
        ttl = parsed.ttl_seconds if parsed else None
        state.next_poll = state.last_poll + next_delay(
            feed.interval, state.failures, self.settings.max_backoff, result.retry_after, ttl)
        await self.store.save(fid, state)
        return outcome

    async def _publish_items(self, feed: Feed, state: FeedState, items: Sequence[FeedItem],
                             report: PollReport) -> None:
        # A new feed's backlog is marked seen, except the newest `backfill` items.
        ordered = _newest_first(items)
        alert_count = len(ordered) if state.initialized else feed.backfill
        for index, item in enumerate(ordered):
            aid = article_id(feed.url, item.key)
            if index >= alert_count:
                await self.store.mark_seen(aid, item.content_hash)
                report.seen += 1
                continue
            article = _article(feed, aid, item)
            status = await self.store.publish_new(aid, article.model_dump_json(), item.content_hash)
            if status == NEW:
                report.published += 1
            elif status == CHANGED:
                report.updated += 1
            else:
                report.seen += 1


def _log_poll(feed: Feed, state: FeedState, outcome: str) -> None:
    wait = max(0.0, state.next_poll - now())
    extra = {"feed": feed.label(), "status": outcome}
    if outcome == "failed":
        log.warning("feed %s failed (%d in a row): %s; next poll in %.0f s", feed.label(),
                    state.failures, state.last_error, wait, extra=extra)
    else:
        log.info("feed %s polled: %s; next poll in %.0f s", feed.label(), outcome, wait,
                 extra=extra)


def _failure(result: FetchResult, parsed: ParsedFeed | None) -> str | None:
    if result.status == 304:
        return None
    if result.status != 200 or result.error:
        return result.error or f"http {result.status}"
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
