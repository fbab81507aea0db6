"""The labelled corpus (``bench/data/corpus_labels.jsonl``): agreement of its two labelling
passes and the classifier's scores on its training split and, aggregate only, its frozen split.

The corpus holds ids, both passes' answers (``a``, ``b``: strike modality, sanction modality,
unsure), the adjudicated alerting ``labels`` (``null`` = unsure, left out of scores) and the
``split``. Texts stay in ../shared/data. The frozen split was drawn at random before anything
was tuned on the corpus: never print its individual errors while developing.

Run: ``python bench/eval_corpus.py [--show-errors N]`` (errors of the training split only).
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_pool import _print_scores, data_dir, load_items

CORPUS = Path(__file__).resolve().parent / "data" / "corpus_labels.jsonl"
ALERTING = ({"occurred"}, {"occurred", "lifted", "eased"})  # strike, sanction


def kappa(first: list[bool], second: list[bool]) -> float:
    """Cohen's kappa of two yes/no labellings of the same items."""
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    pa, pb = sum(first) / n, sum(second) / n
    chance = pa * pb + (1 - pa) * (1 - pb)
    return (observed - chance) / (1 - chance)


def agreement(rows: list[dict[str, Any]]) -> None:
    """Print per-tag kappa and raw agreement of the two passes on the alerting label."""
    print(f"== agreement of the two passes over {len(rows)} items")
    for slot, name in enumerate(("military_strike", "sanction")):
        first = [r["a"][slot] in ALERTING[slot] for r in rows]
        second = [r["b"][slot] in ALERTING[slot] for r in rows]
        same = sum(a == b for a, b in zip(first, second, strict=True)) / len(rows)
        print(f"{name:<18} kappa {kappa(first, second):.3f}  raw {same:.3f}  "
              f"positives {sum(first)} / {sum(second)}")


def main(argv: list[str] | None = None) -> int:
    """Agreement, then scores per split; the frozen split's errors are never printed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--show-errors", type=int, default=0, metavar="N",
                        help="misclassified items of the training split to print")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in CORPUS.read_text("utf-8").splitlines() if line]
    agreement(rows)
    items = load_items(CORPUS)
    if not items:
        print(f"skipped scores: shared data not found under {data_dir()}")
        return 0
    _print_scores("train split", [i for i in items if i["split"] == "train"], args.show_errors)
    _print_scores("frozen split (aggregate only)", [i for i in items if i["split"] == "frozen"], 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
