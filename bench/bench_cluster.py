"""Story clustering: pairwise P/R on bench/data/clusters.jsonl, and classify vs classify+cluster.

Run: ``python bench/bench_cluster.py``. Reads ../shared/data (or $NEWSALERT_SHARED_DATA);
prints a message and exits 0 when the data is absent. Throughput uses the in-memory store
(same algorithm as the Redis store, no network round trips).
"""

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.classifier.classify import classify_article
from services.classifier.cluster import Clusterer, Thresholds, apply_cluster
from services.classifier.cluster_eval import article, evaluate, pool_rows, shared_data
from services.classifier.cluster_memory import MemoryStore
from shared.schemas import Article, Event


async def _throughput(articles: list[Article], cluster: bool) -> float:
    clusterer = Clusterer(MemoryStore(), 48 * 3600.0, Thresholds())
    start = time.perf_counter()
    for art in articles:
        tags = classify_article(art.title, art.summary)
        if tags and cluster:
            await apply_cluster(clusterer, Event(id=art.id, article=art, tags=tags))
    return len(articles) / (time.perf_counter() - start)


def main() -> int:
    pool = shared_data() / "news_pool.jsonl.gz"
    if not pool.exists():
        print(f"skipped: {pool} not found")
        return 0
    figures = evaluate(pool)
    print("clustering on labelled set: " + ", ".join(
        f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()))
    articles = sorted((article(r) for r in pool_rows(pool)),
                      key=lambda a: (a.published or a.fetched_at, a.id))
    plain = asyncio.run(_throughput(articles, cluster=False))
    clustered = asyncio.run(_throughput(articles, cluster=True))
    print(f"classify only: {plain:,.0f} articles/s; classify+cluster: {clustered:,.0f} "
          f"articles/s; ratio {plain / clustered:.2f}x (budget 2x)")
    return 0 if plain / clustered <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
