"""Scores of the classifier on a labelled JSONL file: what ``newsalert eval`` reports."""

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from services.classifier.classify import classify_article
from services.classifier.watch import WatchMatcher
from shared.schemas import EventType

EVENT_TYPES = [t.value for t in EventType]
Progress = Callable[[int, int], None]


@dataclass
class LabelledFile:
    """The scorable items of a file and what was left out of the scores, and why."""

    items: list[dict[str, Any]] = field(default_factory=list)
    unreadable: int = 0
    unlabelled_ids: list[Any] = field(default_factory=list)


def read_labelled(path: str) -> LabelledFile:
    """Items with a ``labels`` list; unreadable and unlabelled lines are counted, not dropped."""
    found = LabelledFile()
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                found.unreadable += 1
                continue
            if isinstance(item, dict) and isinstance(item.get("labels"), list):
                found.items.append(item)
            elif isinstance(item, dict):
                found.unlabelled_ids.append(item.get("id"))
            else:
                found.unreadable += 1
    return found


def progress_printer(stream: TextIO | None = None, every: float = 0.5) -> Progress:
    """A progress callback that rewrites one stderr line at most every ``every`` seconds."""
    out = stream or sys.stderr
    last = [0.0]

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < every:
            return
        last[0] = now
        end = "\n" if done >= total else ""
        out.write(f"\reval: {done}/{total} items ({100 * done // max(total, 1)}%){end}")
        out.flush()

    return show


def evaluate(items: list[dict[str, Any]], watcher: WatchMatcher | None = None,
             progress: Progress | None = None
             ) -> tuple[dict[str, dict[str, float]], list[dict[str, Any]]]:
    """Per-tag precision/recall/F1/support and the misclassified items (alerting tags only)."""
    counts = {t: [0, 0, 0] for t in EVENT_TYPES}
    errors = []
    for done, item in enumerate(items, 1):
        tags = classify_article(str(item.get("title") or ""), str(item.get("summary") or ""),
                                watcher)
        got = sorted({t.name for t in tags if t.alert and t.name in counts})
        expected = sorted(set(item["labels"]) & set(counts))
        for name, c in counts.items():
            c[0] += name in got and name in expected
            c[1] += name in got and name not in expected
            c[2] += name not in got and name in expected
        if got != expected:
            errors.append({"id": item.get("id"), "expected": expected, "got": got,
                           "title": item.get("title")})
        if progress is not None:
            progress(done, len(items))
    return {name: _scores(*c) for name, c in counts.items()}, errors


def _scores(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def skipped_lines(found: LabelledFile, shown: int = 5) -> list[str]:
    """Human lines for what was left out of the scores (empty when nothing was)."""
    lines = []
    if found.unlabelled_ids:
        ids = ", ".join(str(i) for i in found.unlabelled_ids[:shown])
        more = " …" if len(found.unlabelled_ids) > shown else ""
        lines.append(f"{len(found.unlabelled_ids)} lines without labels left out "
                     f"(ids: {ids}{more})")
    if found.unreadable:
        lines.append(f"{found.unreadable} unreadable lines skipped")
    return lines
