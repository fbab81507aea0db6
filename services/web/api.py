"""The HTTP API (``/api/...``), described by the app's OpenAPI document."""

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from redis.asyncio import Redis

from services.web import operations, query, views
from services.web.auth import Guard, Identity
from shared.config import AppConfig


class SafeJSON(JSONResponse):
    """JSON with ``<``, ``>`` and ``&`` as ``\\u`` escapes: the same data, inert as HTML."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
            text = text.replace(char, code)
        return text.encode()


router = APIRouter(prefix="/api", default_response_class=SafeJSON, tags=["api"])


def redis_of(request: Request) -> "Redis":
    redis: Redis = request.app.state.redis
    return redis


def config_of(request: Request) -> AppConfig:
    config: AppConfig = request.app.state.config
    return config


def allow(request: Request, role: str = "read") -> Identity:
    guard: Guard = request.app.state.guard
    return guard.require(request, role)


def filters_from(tag: str = "", modality: str = "", subscription: str = "", feed: str = "",
                 country: str = "", cluster: str = "", q: str = "",
                 since: datetime | None = None, until: datetime | None = None) -> query.Filters:
    return query.Filters(tag=tag, modality=modality, subscription=subscription, feed=feed,
                         country=country, cluster=cluster, q=q, since=since, until=until)


@router.get("/events", summary="Alert history, newest first, filtered, cursor-paged")
async def list_events(request: Request, tag: str = "", modality: str = "",
                      subscription: str = "", feed: str = "", country: str = "",
                      cluster: str = "", q: str = "", since: datetime | None = None,
                      until: datetime | None = None, cursor: str | None = None,
                      after: str | None = None,
                      limit: Annotated[int, Query(ge=1, le=query.MAX_LIMIT)] = 50,
                      ) -> dict[str, Any]:
    """``cursor``: the ``next`` of the previous page. ``after``: only events newer than this
    cursor, oldest first (live updates). ``q``: every word must occur in title or summary.
    A page may hold fewer than ``limit`` items yet have a ``next`` when the scan budget ran
    out (rare filters over a large history): keep following ``next`` until it is null."""
    allow(request)
    filters = filters_from(tag, modality, subscription, feed, country, cluster, q, since, until)
    if after:
        records = await query.newer(redis_of(request), filters, after, limit)
        items = [views.summary(r) for r in records]
        return {"items": items, "next": None, "latest": items[-1]["cursor"] if items else after}
    page = await query.search(redis_of(request), filters, cursor, limit)
    return {"items": [views.summary(r) for r in page.items], "next": page.cursor,
            "scanned": page.scanned}


@router.get("/events/{event_id}", summary="One event with evidence, sources and deliveries")
async def get_event(request: Request, event_id: str) -> dict[str, Any]:
    allow(request)
    redis = redis_of(request)
    record = await query.get(redis, event_id)
    if record is None:
        raise HTTPException(404, "no such event (unknown, or older than the retention)")
    reports = await views.sources(redis, record["event"])
    return {**views.detail(record), "reports": reports,
            "facts": views.merged_facts(record["event"], reports)}


@router.get("/feeds", summary="Each configured feed's health")
async def list_feeds(request: Request) -> list[dict[str, Any]]:
    allow(request)
    return await operations.feeds(redis_of(request), config_of(request))


@router.get("/dlq", summary="Dead-lettered deliveries and messages, and the retry schedule")
async def list_dlq(request: Request) -> dict[str, Any]:
    allow(request)
    redis = redis_of(request)
    return {"dlq": await operations.dlq(redis), "retries": await operations.retries(redis)}


@router.post("/dlq/{entry_id}/retry", summary="Replay one DLQ entry (operator)")
async def retry_dlq(request: Request, entry_id: str) -> dict[str, Any]:
    who = allow(request, "operator")
    request.app.state.guard.check_csrf(request, who, request.headers.get("x-csrf-token", ""))
    if not await operations.retry(redis_of(request), entry_id):
        raise HTTPException(404, "no such DLQ entry")
    return {"retried": entry_id}


@router.get("/subscriptions", summary="Configured subscriptions (channel kinds, no URLs)")
async def list_subscriptions(request: Request) -> list[dict[str, Any]]:
    allow(request)
    return operations.subscriptions(config_of(request))


@router.post("/subscriptions/{name}/test", summary="Send a sample alert (operator)")
async def test_subscription(request: Request, name: str) -> list[dict[str, Any]]:
    who = allow(request, "operator")
    request.app.state.guard.check_csrf(request, who, request.headers.get("x-csrf-token", ""))
    results = await operations.send_test(config_of(request), name)
    if results is None:
        raise HTTPException(404, "no such subscription")
    return results
