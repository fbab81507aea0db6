"""Score the classifier on the project's own labels for items of the shared evaluation data.

``bench/data/pool_labels.jsonl`` holds only ids, labels and our notes; the texts stay in
../shared/data (or $NEWSALERT_SHARED_DATA) and are joined here at run time.

Run: ``python bench/eval_pool.py [--half A|B|C] [--show-errors N]``; exits 0 with a message when
the shared data is absent.
"""

import argparse
import gzip
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.classifier.scoring import evaluate

LABELS = Path(__file__).resolve().parent / "data" / "pool_labels.jsonl"


def data_dir() -> Path:
    """The shared evaluation data directory."""
    env = os.environ.get("NEWSALERT_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _records(path: Path) -> Iterator[dict[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def stable_id(source: str, row: dict[str, Any]) -> str | None:
    """The id a labelled item carries: news pool by link, DVIDS by url, Federal Register by
    document number (the files have no id field of their own)."""
    if source.startswith("news_pool") and row.get("link"):
        return "pool-" + _sha(row["link"])
    if source.startswith("us_military") and row.get("url"):
        return "dvids-" + _sha(row["url"])
    if source.startswith("federal_register") and row.get("document_number"):
        return "fedreg-" + str(row["document_number"])
    return None


def _text(row: dict[str, Any]) -> tuple[str, str]:
    summary = row.get("description") or row.get("summary") or row.get("abstract") or ""
    return str(row.get("title") or ""), str(summary)


def load_items(labels_path: Path = LABELS, root: Path | None = None) -> list[dict[str, Any]]:
    """Labelled items joined with their title and summary; empty when the data is absent."""
    root = root or data_dir()
    labels = [json.loads(line) for line in labels_path.read_text("utf-8").splitlines() if line]
    wanted: dict[str, set[str]] = {}
    for lab in labels:
        wanted.setdefault(lab["source"], set()).add(lab["id"])
    texts: dict[str, tuple[str, str]] = {}
    for source, ids in wanted.items():
        path = root / source
        if not path.exists():
            return []
        for row in _records(path):
            ident = stable_id(source, row)
            if ident in ids and ident not in texts:
                texts[ident] = _text(row)
    return [{**lab, "title": texts[lab["id"]][0], "summary": texts[lab["id"]][1]}
            for lab in labels if lab["id"] in texts]


def _print_scores(name: str, items: list[dict[str, Any]], show: int) -> None:
    scored = [i for i in items if isinstance(i.get("labels"), list)]
    scores, errors = evaluate(scored)
    print(f"\n== {name}: {len(scored)} labelled items ({len(items) - len(scored)} unsure left out)")
    print(f"{'tag':<18}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for tag, s in scores.items():
        print(f"{tag:<18}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>10.3f}"
              f"{int(s['support']):>9}")
    for e in errors[:show]:
        print(f"  {e['id']}: expected={e['expected']} got={e['got']} | {e['title'][:110]}")


def main(argv: list[str] | None = None) -> int:
    """Print per-tag scores for A+B and each half (A tunes, B checks; C is a later fresh
    check set, a seeded sample labelled before the classifier output was looked at)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--half", choices=["A", "B", "C"], help="only this half")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    items = load_items()
    if not items:
        print(f"skipped: shared data not found under {data_dir()}")
        return 0
    halves = [args.half] if args.half else ["A", "B", "C"]
    if not args.half:
        _print_scores("A+B", [i for i in items if i["half"] in ("A", "B")], 0)
    for half in halves:
        _print_scores(f"half {half}", [i for i in items if i["half"] == half], args.show_errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
