"""``newsalert classify`` and ``newsalert eval``: the classifier from the command line."""

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from services.classifier.classify import classify_article
from services.classifier.watch import WatchMatcher
from shared.loading import ConfigError, load_config
from shared.schemas import EventType, Tag

EVENT_TYPES = [t.value for t in EventType]


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Register the ``classify`` and ``eval`` subcommands."""
    cls = sub.add_parser("classify", help="tag a headline, or a JSONL stream of articles")
    cls.add_argument("text", nargs="*", help="headline (and more text) to classify")
    cls.add_argument("--summary", default="", help="summary text for the headline")
    cls.add_argument("--jsonl", metavar="FILE", help='JSONL of {"id","title","summary"}; - = stdin')
    cls.add_argument("--config", metavar="PATH", help="config file with watch topics")
    cls.set_defaults(func=run_classify)
    ev = sub.add_parser("eval", help="precision/recall/F1 on a labelled JSONL file")
    ev.add_argument("file", help='JSONL of {"id","title","summary","labels"}')
    ev.add_argument("--show-errors", type=int, default=20, metavar="N",
                    help="list up to N misclassified items (default 20)")
    ev.add_argument("--config", metavar="PATH", help="config file with watch topics")
    ev.set_defaults(func=run_eval)


def _watcher(args: argparse.Namespace) -> WatchMatcher | None:
    """The watch topics of ``--config``; raises ConfigError for an unusable config."""
    path = getattr(args, "config", None)
    if not path:
        return None
    config = load_config(path)
    try:
        return WatchMatcher(config.watch)
    except ValueError as exc:
        raise ConfigError([f"{path}: {exc}"]) from None


def _with_watcher(args: argparse.Namespace) -> tuple[WatchMatcher | None, int]:
    try:
        return _watcher(args), 0
    except ConfigError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return None, 2


def run_classify(args: argparse.Namespace) -> int:
    """Print the tags of one text, or stream JSONL in and out."""
    watcher, code = _with_watcher(args)
    if code:
        return code
    if args.jsonl:
        try:
            with _open(args.jsonl) as stream:
                classify_stream(stream, sys.stdout, watcher)
        except OSError as exc:
            print(f"{args.jsonl}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        return 0
    title = " ".join(args.text).strip()
    if not title:
        print("give a headline to classify, or --jsonl FILE", file=sys.stderr)
        return 2
    tags = classify_article(title, args.summary, watcher)
    print("\n".join(describe(tags)) if tags else "no tags")
    return 0


@contextmanager
def _open(name: str) -> Iterator[TextIO]:
    if name == "-":
        yield sys.stdin
        return
    with Path(name).open(encoding="utf-8", errors="replace") as handle:
        yield handle


def describe(tags: list[Tag]) -> list[str]:
    """Readable lines for tags: name, modality, confidence, fields and evidence."""
    lines = []
    for tag in tags:
        flag = "ALERT" if tag.alert else "no alert"
        lines.append(f"{tag.name} [{tag.kind}] modality={tag.modality.value} "
                     f"confidence={tag.confidence:.2f} ({flag})")
        lines += [f"  {key}: {', '.join(values)}" for key, values in tag.fields.items()]
        for ev in tag.evidence:
            lines.append(f"  evidence: {ev.sentence}")
            lines.append(f"    cues: {', '.join(ev.cues)}")
    return lines


def classify_line(line: str, watcher: WatchMatcher | None) -> dict[str, Any]:
    """The output record of one input line; problems become an ``error`` field."""
    try:
        item = json.loads(line)
    except ValueError as exc:
        return {"id": None, "error": f"invalid JSON: {exc}"}
    if not isinstance(item, dict):
        return {"id": None, "error": "each line must be a JSON object"}
    ident = item.get("id")
    title, summary = item.get("title"), item.get("summary") or item.get("description") or ""
    if not isinstance(title, str) or not isinstance(summary, str):
        return {"id": ident, "error": "title (and summary, if given) must be strings"}
    try:
        events = classify_article(title, summary, watcher)
    except Exception as exc:  # one bad article must not stop the stream
        return {"id": ident, "error": f"classification failed: {exc!r}"}
    return {"id": ident, "tags": [t.name for t in events if t.alert],
            "events": [t.model_dump(mode="json") for t in events]}


def classify_stream(lines: Iterable[str], out: TextIO, watcher: WatchMatcher | None) -> None:
    """One output line per non-blank input line, flushed as it goes."""
    for line in lines:
        if line.strip():
            out.write(json.dumps(classify_line(line, watcher), ensure_ascii=False) + "\n")
            out.flush()


def _read_labelled(path: str) -> tuple[list[dict[str, Any]], int]:
    items, bad = [], 0
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            try:
                item = json.loads(line)
            except ValueError:
                bad += int(bool(line.strip()))
                continue
            if isinstance(item, dict) and isinstance(item.get("labels"), list):
                items.append(item)
    return items, bad


def evaluate(items: list[dict[str, Any]], watcher: WatchMatcher | None = None
             ) -> tuple[dict[str, dict[str, float]], list[dict[str, Any]]]:
    """Per-tag precision/recall/F1/support and the misclassified items (alerting tags only)."""
    counts = {t: [0, 0, 0] for t in EVENT_TYPES}
    errors = []
    for item in items:
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
    return {name: _scores(*c) for name, c in counts.items()}, errors


def _scores(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}


def run_eval(args: argparse.Namespace) -> int:
    """Print per-tag scores and the misclassified items of a labelled file."""
    watcher, code = _with_watcher(args)
    if code:
        return code
    try:
        items, bad = _read_labelled(args.file)
    except OSError as exc:
        print(f"{args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    scores, errors = evaluate(items, watcher)
    print(f"{len(items)} labelled items" + (f" ({bad} unreadable lines skipped)" if bad else ""))
    print(f"{'tag':<18}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for name, s in scores.items():
        print(f"{name:<18}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>10.3f}"
              f"{int(s['support']):>9}")
    shown = errors[: max(args.show_errors, 0)]
    if shown:
        print(f"\nmisclassified ({len(errors)}, showing {len(shown)}):")
    for e in shown:
        print(f"  {e['id']}: expected={e['expected']} got={e['got']} | {e['title']}")
    return 0
