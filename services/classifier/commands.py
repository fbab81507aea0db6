"""``newsalert classify`` and ``newsalert eval``: the classifier from the command line."""

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from services.classifier.behaviour import (
    DEFAULT_SUITE,
    as_json,
    is_suite,
    load_cases,
    pairs_right,
    report_lines,
    run_suite,
)
from services.classifier.classify import classify_article
from services.classifier.scoring import (
    Progress,
    evaluate,
    progress_printer,
    read_labelled,
    skipped_lines,
)
from services.classifier.watch import WatchMatcher
from shared.loading import ConfigError, load_config
from shared.schemas import Tag

DEFAULT_CONFIG = Path("config.yaml")
CONFIG_HELP = "config file with watch topics (default: $NEWSALERT_CONFIG, then ./config.yaml)"


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Register the ``classify`` and ``eval`` subcommands."""
    cls = sub.add_parser("classify", help="tag a headline, or a JSONL stream of articles")
    cls.add_argument("text", nargs="*", help="headline (and more text) to classify")
    cls.add_argument("--summary", default="", help="summary text for the headline")
    cls.add_argument("--jsonl", metavar="FILE", help='JSONL of {"id","title","summary"}; - = stdin')
    cls.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help=CONFIG_HELP)
    cls.set_defaults(func=run_classify)
    ev = sub.add_parser("eval", help="precision/recall/F1 on a labelled JSONL file")
    ev.add_argument("file", nargs="?", help='JSONL of {"id","title","summary","labels"}, '
                    "or a behavioural suite")
    ev.add_argument("--behaviour", action="store_true",
                    help="pass rate per capability of a behavioural suite "
                    f"(default {DEFAULT_SUITE})")
    ev.add_argument("--show-errors", type=int, default=20, metavar="N",
                    help="list up to N misclassified items (default 20)")
    ev.add_argument("--json", action="store_true", help="the scores as one JSON object")
    ev.add_argument("--progress", action="store_true",
                    help="progress on stderr even when it is not a terminal")
    ev.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help=CONFIG_HELP)
    ev.set_defaults(func=run_eval)


def config_path(args: argparse.Namespace) -> Path | None:
    """``--config`` (before or after the subcommand), else ``$NEWSALERT_CONFIG``, else
    ``./config.yaml`` when it exists: classifying needs no config, so its absence is no error."""
    given = getattr(args, "config", None) or os.environ.get("NEWSALERT_CONFIG")
    if given:
        return Path(given)
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def _watcher(args: argparse.Namespace) -> WatchMatcher | None:
    """The watch topics of the config; raises ConfigError for an unusable config."""
    path = config_path(args)
    if path is None:
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


def _progress(args: argparse.Namespace) -> Progress | None:
    """Progress on stderr when it is a terminal, or when asked with --progress."""
    return progress_printer() if args.progress or sys.stderr.isatty() else None


def run_eval(args: argparse.Namespace) -> int:
    """Print per-tag scores (or per-capability pass rates of a behavioural suite)."""
    watcher, code = _with_watcher(args)
    if code:
        return code
    path = args.file or (str(DEFAULT_SUITE) if args.behaviour else None)
    if path is None:
        print("give a labelled JSONL file, or --behaviour for the behavioural suite",
              file=sys.stderr)
        return 2
    try:
        if args.behaviour or _first_is_case(path):
            return _eval_suite(args, path)
        found = read_labelled(path)
    except OSError as exc:
        print(f"{path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    scores, errors = evaluate(found.items, watcher, _progress(args))
    if args.json:
        print(json.dumps({"file": path, "items": len(found.items), "scores": scores,
                          "unlabelled": {"count": len(found.unlabelled_ids),
                                         "ids": found.unlabelled_ids[:20]},
                          "unreadable": found.unreadable, "errors": errors}))
        return 0
    print(f"{len(found.items)} labelled items")
    for line in skipped_lines(found):
        print(f"  {line}")
    _print_scores(scores, errors, args.show_errors)
    return 0


def _first_is_case(path: str) -> bool:
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                try:
                    item = json.loads(line)
                except ValueError:
                    return False
                return isinstance(item, dict) and is_suite(item)
    return False


def _eval_suite(args: argparse.Namespace, path: str) -> int:
    cases = load_cases(path)
    results = run_suite(cases, _progress(args))
    right, pairs = pairs_right(cases, results)
    if args.json:
        print(json.dumps({"file": path, **as_json(results),
                          "minimal_pairs": {"pairs": pairs, "both_right": right}}))
        return 0
    lines = report_lines(results, args.show_errors)
    if pairs:
        lines.insert(len(results) + 2, f"minimal pairs read right on both sides: {right}/{pairs}")
    print("\n".join(lines))
    return 0


def _print_scores(scores: dict[str, dict[str, float]], errors: list[dict[str, Any]],
                  show: int) -> None:
    print(f"{'tag':<18}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
    for name, s in scores.items():
        print(f"{name:<18}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>10.3f}"
              f"{int(s['support']):>9}")
    shown = errors[: max(show, 0)]
    if shown:
        print(f"\nmisclassified ({len(errors)}, showing {len(shown)}):")
    for e in shown:
        print(f"  {e['id']}: expected={e['expected']} got={e['got']} | {e['title']}")
