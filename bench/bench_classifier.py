"""Throughput of ``classify_article`` on the news pool, next to a plain keyword regex pass.

Run: ``python bench/bench_classifier.py``. Reads ../shared/data (or $NEWSALERT_SHARED_DATA);
prints a message and exits 0 when the data is absent.
"""

import gzip
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import record
from services.classifier.classify import classify_article
from services.classifier.scoring import evaluate

KEYWORDS = re.compile(r"\b(?:strik\w*|struck|bomb\w*|missile\w*|shell\w*|raid\w*|sanction\w*)\b",
                      re.IGNORECASE)
KEYWORD_TAGS = (("military_strike", re.compile(r"strik|struck|bomb|missile|shell|raid", re.I)),
                ("sanction", re.compile(r"sanction", re.I)))


def data_dir() -> Path:
    env = os.environ.get("NEWSALERT_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def load_pool(path: Path) -> list[tuple[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [(r.get("title") or "", r.get("description") or "") for r in rows]


def rate(texts: list[tuple[str, str]], fn: object) -> float:
    start = time.perf_counter()
    for title, summary in texts:
        fn(title, summary)  # type: ignore[operator]
    return len(texts) / (time.perf_counter() - start)


def keyword_f1(dev: Path) -> dict[str, float]:
    rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
    rows = [r for r in rows if isinstance(r.get("labels"), list)]
    out = {}
    for name, rx in KEYWORD_TAGS:
        tp = fp = fn = 0
        for r in rows:
            got = bool(rx.search(f"{r['title']} {r.get('summary') or ''}"))
            exp = name in r["labels"]
            tp, fp, fn = tp + (got and exp), fp + (got and not exp), fn + (exp and not got)
        p, rc = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
        out[name] = 2 * p * rc / (p + rc) if p + rc else 0.0
    return out


def main() -> int:
    pool = data_dir() / "news_pool.jsonl.gz"
    if not pool.exists():
        print(f"skipped: {pool} not found (set NEWSALERT_SHARED_DATA)")
        return 0
    texts = load_pool(pool)
    classify_article(*texts[0], None)  # warm caches (country table) outside the timing
    ours = rate(texts, lambda t, s: classify_article(t, s, None))
    base = rate(texts, lambda t, s: KEYWORDS.search(t) or KEYWORDS.search(s))
    print(f"{len(texts)} articles, one process, one core")
    print(f"classify_article : {ours:>12,.0f} articles/s")
    print(f"keyword regex    : {base:>12,.0f} articles/s")
    print(f"ratio (ours/kw)  : {ours / base:>12.3f}")
    figures: dict[str, object] = {"articles": len(texts), "classify_per_s": ours,
                                  "keyword_per_s": base, "ratio": ours / base}
    dev = data_dir() / "dev_labeled.jsonl"
    if dev.exists():
        rows = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line]
        scores, _ = evaluate([r for r in rows if isinstance(r.get("labels"), list)])
        kw = keyword_f1(dev)
        print("\ndev F1            ours   keyword")
        for name in scores:
            print(f"{name:<16} {scores[name]['f1']:>6.3f} {kw[name]:>8.3f}")
        figures["dev_f1"] = {name: scores[name]["f1"] for name in scores}
        figures["dev_f1_keyword"] = kw
    record("classifier", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
