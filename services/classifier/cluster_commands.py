"""``newsalert eval-clusters`` and ``newsalert events show CLUSTER``."""

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from services.classifier.clustering.evaluation import evaluate
from services.classifier.clustering.redis_store import show
from shared.broker import CLI_RETRIES, make_redis
from shared.loading import load_config, require_redis_url
from shared.secrets import redact_url

# Defaults relative to the working directory: the repository's labelled set when run from a
# checkout's root (``make``, the benchmarks), never a path inside the installed package.
LABELS = Path("bench/data/clusters.jsonl")
SHARED_DATA = Path("../shared/data")
POOL = "news_pool.jsonl.gz"


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]",
                 common: argparse.ArgumentParser) -> None:
    """Register ``eval-clusters`` and ``events show``."""
    ev = sub.add_parser("eval-clusters", help="missed/duplicate alerts and pairwise P/R of "
                        "story clustering on the labelled set (frozen split = the measurement)")
    ev.add_argument("--labels", type=Path, default=LABELS,
                    help=f"JSONL of {{id, event, split}} (default: {LABELS}, from the checkout's"
                    " root; see bench/data/clusters.md)")
    ev.add_argument("--json", action="store_true", help="print the figures as JSON")
    ev.add_argument("--pool", type=Path, default=None,
                    help="news_pool.jsonl.gz (default: in $NEWSALERT_SHARED_DATA,"
                    " else ../shared/data)")
    ev.set_defaults(func=run_eval)
    events = sub.add_parser("events", help="inspect event clusters")
    actions = events.add_subparsers(dest="action", required=True)
    shw = actions.add_parser("show", parents=[common], help="print one cluster")
    shw.add_argument("cluster", help="cluster id (the event's cluster_id)")
    shw.add_argument("--json", action="store_true", help="the cluster as JSON")
    shw.set_defaults(func=run_show)


def run_eval(args: argparse.Namespace) -> int:
    """Print the figures; exit 0 with a note when the shared data is absent, 2 when the
    label file is."""
    pool = args.pool or Path(os.environ.get("NEWSALERT_SHARED_DATA", SHARED_DATA)) / POOL
    if not pool.exists():
        sys.stdout.write(f"skipped: {pool} not found (set NEWSALERT_SHARED_DATA)\n")
        return 0
    if not args.labels.is_file():
        sys.stderr.write(f"error: {args.labels}: no such label file (give --labels PATH)\n")
        return 2
    figures = evaluate(pool, args.labels)
    sys.stdout.write((json.dumps(figures, indent=2) if args.json else report(figures)) + "\n")
    return 0


def report(figures: dict[str, dict[str, float]]) -> str:
    """One line per split; the frozen split is the measurement, tune is a fit."""
    lines = ["split    events  missed/100  duplicates/100  precision  recall"]
    notes = {"frozen": "measured (never tuned on)", "tune": "fit (tuned on)", "all": "both"}
    for name in ("frozen", "tune", "all"):
        f = figures[name]
        lines.append(f"{name:<8} {f['events']:>6.0f}  {f['missed_per_100']:>10.1f}  "
                     f"{f['duplicates_per_100']:>14.1f}  {f['precision']:>9.3f}  "
                     f"{f['recall']:>6.3f}  {notes[name]}")
    lines.append(f"labelled reports the classifier does not tag (left out): "
                 f"{figures['all'].get('untagged', 0):.0f}")
    return "\n".join(lines)


def render(cluster: dict[str, Any]) -> str:
    """Human-readable cluster: first report, later sources, merged facts."""
    first, *later = cluster["reports"]
    lines = [f"cluster {cluster['id']} ({cluster['kind']}), {cluster['sources']} source(s)",
             f"first: {first['time']}  [{first['feed']}] {first['title']}  {first['url']}"]
    lines += [f"  +    {r['time']}  [{r['feed']}] {r['title']}" for r in later]
    merged: dict[str, set[str]] = {}
    for report in cluster["reports"]:
        for name, values in json.loads(report.get("facts") or "{}").items():
            merged.setdefault(name, set()).update(values)
    lines += [f"{name}: {', '.join(sorted(values))}" for name, values in sorted(merged.items())]
    lines += [f"significant facts seen: {' '.join(cluster['novelty'])}"]
    return "\n".join(lines)


async def _fetch(url: str, cluster_id: str, *, cluster: bool) -> dict[str, Any] | None:
    redis = make_redis(url, cluster=cluster, retries=CLI_RETRIES)
    try:
        return await show(redis, cluster_id)
    finally:
        await redis.aclose()


def run_show(args: argparse.Namespace) -> int:
    """Print a cluster from the configured Redis (exit 1 when unknown or expired)."""
    config = load_config(getattr(args, "config", None))
    url = require_redis_url(config, "to show a story cluster")
    cluster = asyncio.run(_fetch(url, args.cluster, cluster=config.redis.cluster))
    if cluster is None:
        sys.stderr.write(f"no cluster {args.cluster} (unknown or expired)\n")
        return 1
    for report in cluster["reports"]:
        report["url"] = redact_url(str(report.get("url", "")))
    if args.json:
        sys.stdout.write(json.dumps(cluster, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render(cluster) + "\n")
    return 0
