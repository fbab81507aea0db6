"""Routing events to subscriptions and delivering them, each URL on its own."""

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import cast

from redis.exceptions import RedisError

from services.notifier import routes
from services.notifier.channels import SendOutcome, send
from services.notifier.delivery import DeliveryStore, Job, backoff, url_id
from services.notifier.privacy import privacy_url
from services.notifier.render import Rendered, channel_kind, render_digest
from services.notifier.templates import render_for
from shared import metrics, streams
from shared.config import AppConfig, Subscription
from shared.history import HistoryStore
from shared.schemas import Event

log = logging.getLogger("newsalert.notifier")
Sender = Callable[..., Awaitable[SendOutcome]]


@dataclass
class ChannelHealth:
    """Per-URL circuit breaker: a failing channel is paused instead of hammered."""

    failures: int = 0
    blocked_until: float = 0.0


@dataclass
class Dispatcher:
    """Decides who gets an event and drives each delivery to an outcome."""

    config: AppConfig
    store: DeliveryStore
    sender: Sender = send
    channels: dict[str, ChannelHealth] = field(default_factory=dict)
    # "Now" for quiet hours and digest schedules; tests inject a simulated clock.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Set on shutdown: claimed retries not yet started go back to the schedule at once.
    stopping: bool = False
    # The alert history the web dashboard reads (None: history disabled).
    history: HistoryStore | None = None

    def url_of(self, subscription: str, uid: str) -> str | None:
        """The configured URL with this id, or None when it was removed from the config."""
        for sub in self.config.subscriptions:
            if sub.name == subscription:
                return next((u for u in sub.urls if url_id(u) == uid), None)
        return None

    async def on_event(self, event: Event) -> None:
        """Deliver or hold an event for every matching subscription; failures are scheduled."""
        payload = event.model_dump_json()
        if self.history is not None:
            await _noted(self.history.record(event))
        attempts = []
        for sub in self.config.subscriptions:
            tags = routes.matches(sub, event)
            if not tags:
                continue
            if sub.mode == "digest" or routes.in_quiet_hours(sub, self.clock(), tags):
                await self.hold(sub, event, payload)
                continue
            attempts += [self.attempt(Job(sub.name, url_id(u), event.id, 1, payload), u)
                         for u in sub.urls]
        await asyncio.gather(*attempts)

    async def hold(self, sub: Subscription, event: Event, payload: str) -> None:
        """Queue an event for the subscription's next digest (digest mode or quiet hours)."""
        await self.store.redis.zadd(streams.key("digest", sub.name),
                                    {payload: self.clock().timestamp()}, nx=True)
        for kind in dict.fromkeys(channel_kind(u) for u in sub.urls):
            await self._note(Job(sub.name, "", event.id, 1, ""), kind, "held")

    async def attempt(self, job: Job, url: str) -> str:
        """Send one delivery once; record success, or schedule a retry, or dead-letter it.

        Returns "deferred" when the same job was put back unchanged (its channel is paused).
        """
        if await self.store.was_sent(job.subscription, job.event_id, job.url_id):
            return "done"
        health = self.channels.setdefault(job.url_id, ChannelHealth())
        wait = health.blocked_until - self.store.now()
        if wait > 0:
            await self.store.schedule(job, wait + 0.05)
            return "deferred"
        outcome = await self.sender(url, _render(job, url, self._subscription(job.subscription)),
                                    timeout=self.config.notifier.timeout)
        if outcome.ok:
            health.failures = 0
            await self.store.mark(job.subscription, job.event_id, job.url_id, "sent")
            await self._note(job, channel_kind(url), "sent")
            await metrics.delivered(self.store.redis, job.event_id, job.subscription,
                                    channel_kind(url), job.event_json, job.kind)
            log.info("delivered", extra={"subscription": job.subscription,
                                         "event_id": job.event_id, "url": privacy_url(url)})
            return "sent"
        await self._failed(job, url, outcome, health)
        return "failed"

    async def _failed(self, job: Job, url: str, outcome: SendOutcome,
                      health: ChannelHealth) -> None:
        health.failures += 1
        metrics.delivery(channel_kind(url), "failed")
        if outcome.retry_after:
            health.blocked_until = self.store.now() + outcome.retry_after
        settings = self.config.notifier
        if not outcome.retry_after and health.failures >= settings.circuit_failures:
            health.blocked_until = self.store.now() + settings.circuit_open
        extra = {"subscription": job.subscription, "event_id": job.event_id,
                 "url": privacy_url(url), "status": outcome.status}
        now = self.store.now()
        first = job.first_at or now
        left = first + settings.retry_for - now
        if left <= 0 or (settings.max_attempts and job.attempt >= settings.max_attempts):
            reason = (f"{outcome.detail} (gave up after {job.attempt} attempt(s) over "
                      f"{_span(now - first)})")
            await self.store.dead_letter(job, reason, channel_kind(url))
            await self._note(job, channel_kind(url), "dead")
            metrics.delivery(channel_kind(url), "dead_lettered")
            log.error("delivery dead-lettered: %s", reason, extra=extra)
            return
        # The last attempt lands at the end of the window, never past it.
        delay = min(left, backoff(job.attempt, settings.retry_base, settings.retry_max,
                                  outcome.retry_after))
        await self.store.schedule(replace(job, attempt=job.attempt + 1, first_at=first), delay)
        await self._note(job, channel_kind(url), "retrying")
        metrics.delivery(channel_kind(url), "retried")
        log.warning("delivery failed (attempt %d), retry in %.1f s: %s", job.attempt, delay,
                    outcome.detail, extra=extra)

    def _subscription(self, name: str) -> Subscription | None:
        return next((s for s in self.config.subscriptions if s.name == name), None)

    async def _note(self, job: Job, channel: str, outcome: str) -> None:
        """Record a delivery outcome in the history (each event of a digest)."""
        if self.history is None:
            return
        ids = [job.event_id]
        if job.kind == "digest":
            ids = [str(e.get("id", "")) for e in json.loads(job.event_json)]
        for event_id in ids:
            await _noted(self.history.delivery(event_id, job.subscription, channel, outcome))

    async def retry_due(self) -> int:
        """Run the retries that are due; returns how many were taken."""
        jobs = await self.store.claim_due()
        for index, job in enumerate(jobs):
            if self.stopping:
                await self.store.release(jobs[index:])
                break
            url = self.url_of(job.subscription, job.url_id)
            if url is None:
                await self.store.dead_letter(job, "subscription or URL removed from config", "?")
            elif await self.attempt(job, url) == "deferred":
                continue
            await self.store.done(job)
        return len(jobs)

    async def flush_digests(self) -> None:
        """Turn due digests (and quiet-hours holds that may go out) into deliveries."""
        for sub in self.config.subscriptions:
            key = streams.key("digest", sub.name)
            last_raw = cast(bytes | None,
                            await self.store.redis.get(streams.key("digest_last", sub.name)))
            now = self.clock()
            if sub.mode == "digest" and routes.next_digest_due(sub, _from_ts(last_raw), now) > now:
                continue
            if sub.mode != "digest" and routes.in_quiet_hours(sub, now, []):
                continue
            members = cast(list[bytes], await self.store.redis.zrange(key, 0, 499))
            if members:
                await self._queue_digest(sub, key, members)
            if sub.mode == "digest":
                await self.store.redis.set(streams.key("digest_last", sub.name), now.timestamp())

    async def _queue_digest(self, sub: Subscription, key: str, members: list[bytes]) -> None:
        events = "[" + ",".join(m.decode() for m in members) + "]"
        digest_id = "digest-" + url_id(events)
        async with self.store.redis.pipeline(transaction=True) as pipe:
            for url in sub.urls:
                job = Job(sub.name, url_id(url), digest_id, 1, events, "digest")
                pipe.zadd(streams.key("retry"), {job.encode(): self.store.now()})
            pipe.zrem(key, *members)
            await pipe.execute()


def _render(job: Job, url: str, sub: Subscription | None = None) -> Rendered:
    kind = channel_kind(url)
    if job.kind == "digest":
        return render_digest([Event.model_validate(e) for e in json.loads(job.event_json)], kind)
    event = Event.model_validate_json(job.event_json)
    rendered = render_for(event, kind, sub)
    if kind == "email" and event.cluster_id:
        rendered = replace(rendered, headers=thread_headers(event.cluster_id, event.is_update))
    return rendered


def thread_headers(cluster_id: str, is_update: bool) -> tuple[tuple[str, str], ...]:
    """E-mail headers that thread every alert of one story together.

    apprise always generates the Message-ID itself (after our headers), so an update cannot
    reply to the first alert's real id; all alerts of a cluster instead reference one stable
    id, which Thunderbird, Apple Mail and mutt thread under (Gmail also needs equal subjects).
    """
    root = f"<cluster-{re.sub(r'[^A-Za-z0-9._-]', '', cluster_id)[:64]}@newsalert.invalid>"
    return (("References", root), ("In-Reply-To", root)) if is_update else (("References", root),)


async def _noted(write: Awaitable[object]) -> None:
    # The alert itself matters more than its history line: a failed write is logged, not raised.
    try:
        await write
    except RedisError as exc:
        log.warning("could not record alert history: %s", type(exc).__name__)


def _span(seconds: float) -> str:
    """A duration the way an operator reads it: "45 s", "12 min", "3.5 h"."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"


def _from_ts(raw: bytes | None) -> datetime | None:
    return None if raw is None else datetime.fromtimestamp(float(raw), UTC)
