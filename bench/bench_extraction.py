"""Extraction quality: precision, recall and F1 per field against hand labels.

``bench/data/extraction_labels.jsonl`` holds ids and short field values only (labelling rules in
docs/labelling.md, "Extraction fields"); the texts are joined from ../shared/data (or
$NEWSALERT_SHARED_DATA) at run time, as bench/eval_pool.py does. The items are positives of the
corpus's train split, so these figures describe the extractor as it is, not a held-out score.

Run: ``python bench/bench_extraction.py``; exits 0 with a message when the shared data is absent.
"""

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_pool import load_items
from bench.results import record
from services.classifier.classify import classify_article
from services.classifier.extraction_eval import (
    SANCTION_FIELDS,
    STRIKE_FIELDS,
    Counts,
    extracted_fields,
    score_field,
)

LABELS = Path(__file__).resolve().parent / "data" / "extraction_labels.jsonl"
EVENTS = (("military_strike", STRIKE_FIELDS), ("sanction", SANCTION_FIELDS))


def measure(items: list[dict[str, Any]], first_only: bool) -> dict[str, dict[str, float | int]]:
    """Per-field scores over the labelled items, keyed ``event.field``."""
    counts: dict[str, Counts] = {}
    for item in items:
        tags = classify_article(item["title"], item["summary"])
        for event, fields in EVENTS:
            if event not in item:
                continue
            got = extracted_fields(tags, event)
            for field in fields:
                score_field(counts.setdefault(f"{event}.{field}", Counts()),
                            item[event][field], got.get(field, []), field, first_only)
    return {key: c.scores() for key, c in counts.items()}


def main() -> int:
    """Print the per-field table (any listed value, then first value only) and record it."""
    items = load_items(LABELS)
    if not items:
        print("shared data absent: extraction benchmark skipped")
        return 0
    lenient, first = measure(items, False), measure(items, True)
    print(f"{len(items)} labelled items; lenient match (docs/labelling.md, Extraction fields)")
    print(f"{'field':28} {'P':>6} {'R':>6} {'F1':>6} {'F1@1':>6} {'pred':>5} {'gold':>5}")
    for key, s in lenient.items():
        print(f"{key:28} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f}"
              f" {first[key]['f1']:6.3f} {s['predicted']:5d} {s['labelled']:5d}")
    print("F1@1: only the first extracted value counts. Target (issue 13): F1 >= 0.8 for "
          "actor, location, authority.")
    record("extraction", {"items": len(items), "any_value": lenient, "first_value": first})
    return 0


if __name__ == "__main__":
    sys.exit(main())
