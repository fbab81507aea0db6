"""Pairwise precision/recall of clustering on a labelled set (ids + labels, texts elsewhere).

A label file (the repository's is ``bench/data/clusters.jsonl``; the caller names it) holds
``{"id", "event"}`` rows; ``id`` is the first 16 hex digits of sha1(link) of a news_pool
item, so no publisher text lives in the repository.
"""

import asyncio
import gzip
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from services.classifier.classify import classify_article
from services.classifier.clustering.cluster import Clusterer
from services.classifier.clustering.memory_store import MemoryStore
from services.classifier.clustering.model import Thresholds
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


def pairwise(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float]:
    """Precision and recall of 'same event' over all pairs of labelled items."""
    tp = fp = fn = 0
    for a, b in combinations(sorted(truth), 2):
        same, joined = truth[a] == truth[b], predicted[a] == predicted[b]
        tp += same and joined
        fp += joined and not same
        fn += same and not joined
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def half(event: str) -> str:
    """'tune' or 'check': a stable split by event label, so thresholds tuned on one half
    can be checked on events they never saw."""
    return "tune" if int(hashlib.sha1(event.encode()).hexdigest(), 16) % 2 == 0 else "check"


def errors(truth: dict[str, str], predicted: dict[str, str]) -> dict[str, list[list[str]]]:
    """Pairs the clustering split ('same event, two clusters') or merged ('one cluster,
    two events'), by label, for looking at why."""
    out: dict[str, list[list[str]]] = {"split": [], "merged": []}
    for a, b in combinations(sorted(truth), 2):
        same, joined = truth[a] == truth[b], predicted[a] == predicted[b]
        if same != joined:
            out["split" if same else "merged"].append([truth[a], a, truth[b], b])
    return out


async def _cluster(articles: list[Article], settings: ClusterSettings) -> dict[str, str]:
    clusterer = Clusterer(MemoryStore(), settings.window, Thresholds.of(settings))
    out: dict[str, str] = {}
    for art in sorted(articles, key=lambda a: (a.published or a.fetched_at, a.id)):
        tags = classify_article(art.title, art.summary)
        result = await clusterer.assign(Event(id=art.id, article=art, tags=tags)) if tags else None
        out[art.id] = result.cluster_id if result else f"untagged:{art.id}"
    return out


def predict(pool: Path, settings: ClusterSettings) -> dict[str, str]:
    """Cluster id (or 'untagged:...') of every pool item, clustered in time order."""
    return asyncio.run(_cluster([article(r) for r in pool_rows(pool)], settings))


def evaluate(pool: Path, labels: Path,
             settings: ClusterSettings | None = None) -> dict[str, float]:
    """Cluster the whole pool in time order (every other report is a potential wrong
    match, and word commonness is learned from the stream, as in production); return the
    pairwise figures over the labelled items."""
    truth = {r["id"]: r["event"] for r in map(json.loads, labels.read_text().splitlines()) if r}
    predicted = predict(pool, settings or ClusterSettings())
    truth = {k: v for k, v in truth.items() if k in predicted}
    predicted = {k: predicted[k] for k in truth}
    precision, recall = pairwise(truth, predicted)
    multi = {e for e in truth.values() if list(truth.values()).count(e) >= 2}
    figures: dict[str, float] = {
        "items": len(truth), "events": len(multi), "singletons": len(set(truth.values()) - multi),
        "clusters": len(set(predicted.values())), "precision": precision, "recall": recall}
    for name in ("tune", "check"):
        part = {k: v for k, v in truth.items() if half(v) == name}
        figures[f"{name}_precision"], figures[f"{name}_recall"] = pairwise(part, predicted)
    return figures
