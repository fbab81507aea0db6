"""Replays the news pool through clustering and scores it on a labelled set.

A label file (the repository's is ``bench/data/clusters.jsonl``, see bench/data/clusters.md;
the caller names it) holds ``{"id", "event", "split", ...}`` rows; ``id`` is the first 16 hex
digits of sha1(link) of a news_pool item, so no publisher text lives in the repository.
"""

import asyncio
import gzip
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.classifier.classify import classify_article
from services.classifier.clustering.cluster import Clusterer
from services.classifier.clustering.memory_store import MemoryStore
from services.classifier.clustering.model import Thresholds
from services.classifier.clustering.scoring import Outcome, scores
from shared.config import ClusterSettings
from shared.schemas import Article, Event


def item_id(row: dict[str, Any]) -> str:
    """The stable id of a pool item used in the label file."""
    return hashlib.sha1(str(row.get("link", "")).encode()).hexdigest()[:16]


def pool_rows(path: Path) -> Iterator[dict[str, Any]]:
    """The rows of news_pool.jsonl.gz."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def article(row: dict[str, Any]) -> Article:
    """A pool row as the poller would publish it (published = fetched: replayed in order)."""
    when = datetime.fromisoformat(str(row["date_published"])).astimezone(UTC)
    return Article(id=item_id(row), feed=str(row.get("feed", "")), url=str(row.get("link", "")),
                   title=str(row.get("title") or ""), summary=str(row.get("description") or ""),
                   published=when, fetched_at=when)


def labels(path: Path) -> list[dict[str, Any]]:
    """The label rows (``id``, ``event``, ``split``, ...)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def _cluster(articles: list[Article], settings: ClusterSettings) -> dict[str, Outcome]:
    clusterer = Clusterer(MemoryStore(), settings.window, Thresholds.of(settings))
    out: dict[str, Outcome] = {}
    ordered = sorted(articles, key=lambda a: (a.published or a.fetched_at, a.id))
    for order, art in enumerate(ordered):
        tags = classify_article(art.title, art.summary)
        result = await clusterer.assign(Event(id=art.id, article=art, tags=tags)) if tags else None
        if result is not None:
            out[art.id] = Outcome(order, result.cluster_id, not result.is_update)
    return out


def replay(pool: Path, settings: ClusterSettings) -> dict[str, Outcome]:
    """What clustering did with every tagged pool item, replayed in time order (untagged
    items never reach clustering and are absent)."""
    return asyncio.run(_cluster([article(r) for r in pool_rows(pool)], settings))


def evaluate(pool: Path, path: Path,
             settings: ClusterSettings | None = None) -> dict[str, dict[str, float]]:
    """Cluster the whole pool in time order (every other report is a potential wrong
    match, and word commonness is learned from the stream, as in production); return the
    figures of each split of the labelled set: ``frozen`` (the measurement), ``tune`` (a
    fit: rules were tuned on it) and ``all``.

    Labelled reports the classifier does not tag are left out (they never reach
    clustering; ``untagged`` counts them)."""
    rows = labels(path)
    outcomes = replay(pool, settings or ClusterSettings())
    truth = {r["id"]: r["event"] for r in rows if r["id"] in outcomes}
    out: dict[str, dict[str, float]] = {}
    for name in ("frozen", "tune", "all"):
        events = {r["event"] for r in rows if name in ("all", r.get("split"))}
        events &= set(truth.values())
        out[name] = scores(truth, outcomes, events)
    out["all"]["untagged"] = sum(r["id"] not in outcomes for r in rows)
    return out
