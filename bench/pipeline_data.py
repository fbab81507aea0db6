"""Articles for bench_pipeline: a realistic mix from the news pool, or synthetic ones.

The pool is read at run time only; none of its text is stored in the repo. Each article is
split into "alerting" (the classifier tags it with an alerting tag) or "quiet" once, up front,
so the publishers can hold a fixed share of alerts whatever the rate.
"""

import gzip
import itertools
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from services.classifier.classify import classify_article
from shared.schemas import Article

ALERT_SHARE = 0.10  # one article in ten alerts: the pool's keyword-heavy mix is ~17 %
SAMPLE = 12_000


def data_dir() -> Path:
    env = os.environ.get("NEWSALERT_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass
class Texts:
    """Title/summary pairs, split by whether the classifier alerts on them."""

    alerting: list[tuple[str, str]]
    quiet: list[tuple[str, str]]
    source: str


def _alerts(title: str, summary: str) -> bool:
    return any(t.alert for t in classify_article(title, summary, None))


def split(pairs: list[tuple[str, str]], source: str) -> Texts:
    alerting, quiet = [], []
    for pair in pairs:
        (alerting if _alerts(*pair) else quiet).append(pair)
    return Texts(alerting, quiet, source)


def load_pool(path: Path, sample: int = SAMPLE) -> Texts:
    """A fixed random sample of the pool (classifying all of it takes ~8 s)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    random.Random(8).shuffle(rows)
    pairs = [((r.get("title") or "")[:300], (r.get("description") or "")[:1000])
             for r in rows[:sample]]
    return split([p for p in pairs if p[0]], f"news_pool.jsonl.gz ({sample:,} sampled)")


_PLACES = ["Kharkiv", "Aleppo", "Marib", "Gaza City", "Idlib", "Odesa", "Sanaa", "Donetsk",
           "Khan Younis", "Mosul", "Zaporizhzhia", "Tartus", "Hodeidah", "Kherson", "Deir ez-Zor"]
_ALERT = ["Air strikes hit a fuel depot near {p}, officials say",
          "Missile strike destroys bridge outside {p}",
          "EU imposes new sanctions on {p} shipping firms over arms transfers",
          "Drone strike kills two commanders in {p}, army says"]
_QUIET = ["City council in {p} approves new budget for schools",
          "Farmers near {p} expect a record wheat harvest",
          "Football: {p} club signs striker on three-year deal",
          "Museum in {p} reopens after renovation", "Rail workers in {p} plan talks on pay"]


def synthetic(count: int = 3000) -> Texts:
    """Self-written articles for machines without ../shared/data (latency still runs)."""
    rng = random.Random(8)
    pairs = []
    for n in range(count):
        pool = _ALERT if n % 10 == 0 else _QUIET
        title = rng.choice(pool).format(p=rng.choice(_PLACES))
        pairs.append((f"{title} ({n})", f"Report {n}: {title.lower()}. More details later."))
    return split(pairs, f"synthetic ({count:,} self-written)")


def texts() -> Texts | None:
    pool = data_dir() / "news_pool.jsonl.gz"
    return load_pool(pool) if pool.exists() else None


class Mix:
    """An endless, numbered stream of articles with ``ALERT_SHARE`` alerting ones."""

    def __init__(self, source: Texts, run: str) -> None:
        self.run = run
        self.seq = itertools.count()
        self._alerting = itertools.cycle(source.alerting)
        self._quiet = itertools.cycle(source.quiet)
        self._rng = random.Random(3)

    def next(self) -> tuple[int, bool, bytes]:
        """(sequence number, alerting?, ``__data__`` payload as the poller writes it)."""
        seq = next(self.seq)
        alerting = self._rng.random() < ALERT_SHARE
        title, summary = next(self._alerting if alerting else self._quiet)
        article = Article(id=f"{self.run}-{seq}", feed="Bench Wire",
                          feed_url="https://bench.example/feed.xml",
                          url=f"https://bench.example/a/{seq}", title=title, summary=summary)
        return seq, alerting, article.model_dump_json().encode()

    def take(self, count: int) -> Iterator[tuple[int, bool, bytes]]:
        for _ in range(count):
            yield self.next()
