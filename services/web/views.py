"""Turning history records into what pages, the API and feeds show (plain data, unescaped).

Escaping happens where the text is written out: Jinja2 autoescape for pages, the JSON
encoder for the API, ElementTree for Atom. Nothing here builds markup.
"""

import json
import re
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis

from services.classifier.clustering.redis_store import show as show_cluster
from services.notifier.escaping import safe_link
from shared import history
from shared.schemas import Event, Tag


def when(member: str) -> str:
    """ISO 8601 UTC time an event was first seen, from its index member."""
    at = history.split_member(member)[0] if member else 0.0
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def tag_summary(tag: Tag) -> dict[str, Any]:
    return {"name": tag.name, "kind": tag.kind, "modality": tag.modality.value,
            "confidence": round(tag.confidence, 3)}


def summary(record: dict[str, Any]) -> dict[str, Any]:
    """One timeline row / API list item."""
    event: Event = record["event"]
    return {
        "id": event.id, "cursor": record["member"], "at": when(record["member"]),
        "kind": event.kind, "title": event.article.title, "feed": event.article.feed,
        "url": safe_link(event.article.url) or "",
        "published": event.article.published.isoformat() if event.article.published else None,
        "tags": [tag_summary(t) for t in event.tags], "cluster_id": event.cluster_id,
        "sources": event.sources, "is_update": event.is_update,
        "deliveries": record["deliveries"],
    }


def highlight(sentence: str, cues: list[str]) -> list[dict[str, Any]]:
    """The sentence cut into segments, ``cue: true`` on the cue words (case-insensitive)."""
    words = [re.escape(c) for c in sorted(set(cues), key=len, reverse=True) if c.strip()]
    if not words:
        return [{"text": sentence, "cue": False}]
    pattern = re.compile("(" + "|".join(words) + ")", re.IGNORECASE)
    return [{"text": part, "cue": index % 2 == 1}
            for index, part in enumerate(pattern.split(sentence)) if part]


def detail(record: dict[str, Any]) -> dict[str, Any]:
    """Everything about one event: its tags with evidence, fields, summary."""
    event: Event = record["event"]
    tags = []
    for tag in event.tags:
        item = tag_summary(tag)
        item["evidence"] = [{"sentence": ev.sentence, "cues": ev.cues,
                             "segments": highlight(ev.sentence, ev.cues)} for ev in tag.evidence]
        item["fields"] = tag.fields
        tags.append(item)
    return {**summary(record), "summary": event.article.summary, "tags": tags,
            "update_reason": event.update_reason}


async def sources(redis: "Redis", event: Event) -> list[dict[str, Any]]:
    """Every report of the event's story cluster while it is open, first report first.

    Without an open cluster (clustering off, or past its window) the event is its own source.
    """
    cluster = await show_cluster(redis, event.cluster_id) if event.cluster_id else None
    if not cluster:
        art = event.article
        stamp = (art.published or art.fetched_at).isoformat()
        return [{"feed": art.feed, "title": art.title, "url": safe_link(art.url) or "",
                 "time": stamp, "modality": "", "facts": {}}]
    reports = []
    for report in cluster["reports"]:
        facts = json.loads(report.get("facts") or "{}")
        reports.append({**report, "url": safe_link(str(report.get("url", ""))) or "",
                        "facts": facts})
    return reports


def merged_facts(event: Event, reports: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Facts of every tag and every source, each value once (first spelling kept)."""
    merged: dict[str, dict[str, str]] = {}
    groups = [t.fields for t in event.tags] + [r["facts"] for r in reports]
    for fields in groups:
        for name, values in fields.items():
            for value in values:
                merged.setdefault(name, {}).setdefault(value.casefold(), value)
    return {name: list(values.values()) for name, values in sorted(merged.items())}
