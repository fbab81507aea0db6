"""Ablation of the learned decision on the corpus's frozen split (aggregate figures only):
rules only, the model on every article (no prefilter), and the hybrid (rules' keyword gate as
prefilter, the model decides, the rules keep evidence); then articles/s of each on the news
pool, one process, one core. Nothing is tuned here: the model was fitted on the train split.

Run: ``python bench/bench_model.py``; exits 0 with a message when the data or model is absent.
"""

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_classifier import load_pool
from eval_corpus import CORPUS
from eval_pool import data_dir, load_items
from results import record

from services.classifier.commands import _scores
from services.classifier.learned.features import TAGS
from services.classifier.learned.hybrid import decide
from services.classifier.learned.scorer import MODEL_PATH, TagModel, load, scores
from services.classifier.rules.classify import classify_text

Decider = Callable[[str, str], set[str]]
TIMED = 4000  # pool articles timed per method


def methods(models: dict[str, TagModel]) -> dict[str, Decider]:
    """Each method: the alerting event tags of one article."""
    def rules(t: str, s: str) -> set[str]:
        return {g.name for g in classify_text(t, s) if g.alert}

    def model_all(t: str, s: str) -> set[str]:
        p = scores(t, s, classify_text(t, s), models)
        return {n for n in TAGS if p[n] >= models[n].threshold}

    def hybrid(t: str, s: str) -> set[str]:
        return {g.name for g in decide(t, s, classify_text(t, s), models) if g.alert}

    return {"rules only": rules, "model, no prefilter": model_all, "hybrid": hybrid}


def frozen_scores(items: list[dict[str, Any]], decider: Decider) -> dict[str, dict[str, float]]:
    """Per-tag P/R/F1 over the labelled frozen items; no item is printed."""
    counts = {n: [0, 0, 0] for n in TAGS}
    for item in items:
        got, want = decider(item["title"], item["summary"]), set(item["labels"])
        for n, c in counts.items():
            c[0] += n in got and n in want
            c[1] += n in got and n not in want
            c[2] += n not in got and n in want
    return {n: _scores(*c) for n, c in counts.items()}


def rate(texts: list[tuple[str, str]], decider: Decider) -> float:
    start = time.perf_counter()
    for title, summary in texts:
        decider(title, summary)
    return len(texts) / (time.perf_counter() - start)


def main() -> int:
    """Print the ablation table (markdown) and record it in bench/results.json."""
    items = [i for i in load_items(CORPUS) if i["split"] == "frozen"
             and isinstance(i.get("labels"), list)]
    pool = data_dir() / "news_pool.jsonl.gz"
    if not items or not pool.exists() or not MODEL_PATH.exists():
        print(f"skipped: data under {data_dir()} or {MODEL_PATH} not found")
        return 0
    texts = load_pool(pool)[:TIMED]
    figures: dict[str, Any] = {}
    print(f"frozen split: {len(items)} labelled items; speed on {len(texts)} pool articles")
    print("| method | strike P | strike R | strike F1 | sanction P | sanction R | sanction F1 "
          "| articles/s |\n|---|---|---|---|---|---|---|---|")
    for name, decider in methods(load(MODEL_PATH)).items():
        decider(*texts[0])  # warm caches outside the timing
        s, speed = frozen_scores(items, decider), rate(texts, decider)
        cells = " | ".join(f"{s[n][k]:.3f}" for n in TAGS for k in ("precision", "recall", "f1"))
        print(f"| {name} | {cells} | {speed:,.0f} |")
        figures[name] = {"scores": s, "per_s": speed}
    record("model_ablation", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
