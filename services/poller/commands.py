"""CLI commands of the poller: ``feeds import FILE.opml``, ``feeds list``, ``feeds export``."""

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from services.poller.feed_status import read_feed_status
from services.poller.opml import OpmlError, import_opml
from services.poller.opml_export import export_opml
from shared.broker import CLI_RETRIES, make_redis
from shared.config import AppConfig, default_path
from shared.loading import load_config, require_redis_url

EXIT_USAGE = 2


def _config_path(args: argparse.Namespace) -> Path:
    return Path(getattr(args, "config", None) or default_path())


def cmd_feeds_import(args: argparse.Namespace) -> int:
    """Append the feeds of an OPML export to the config file."""
    try:
        data = Path(args.file).read_bytes()
        result = import_opml(_config_path(args), data)
    except (OSError, OpmlError) as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"added {result.added} feed(s), skipped {result.present} already configured"
          + (f", {result.invalid} without an http(s) URL" if result.invalid else ""))
    return 0


async def feed_rows(config: AppConfig, redis_url: str) -> list[dict[str, Any]]:
    """The health of every configured feed, read from the poller's state in Redis."""
    redis = make_redis(redis_url, cluster=config.redis.cluster, retries=CLI_RETRIES)
    try:
        return [f.list_row() for f in await read_feed_status(redis, config.feeds)]
    finally:
        await redis.aclose()


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"{len(rows)} feed(s)")
    for column in ("name", "url", "last success", "failures", "last error", "next poll",
                   "disabled"):
        table.add_column(column, overflow="fold")
    for row in rows:
        failing = row["unhealthy"] or row["disabled"]
        style = "red" if failing else ("yellow" if row["failures"] else None)
        table.add_row(row["name"], row["url"], row["last_success"] or "never",
                      str(row["failures"]), row["last_error"], row["next_poll"],
                      row["disabled"] or "no", style=style)
    return table


def cmd_feeds_list(args: argparse.Namespace) -> int:
    """Show each configured feed's health from Redis."""
    config = load_config(_config_path(args))
    url = require_redis_url(config, "to read the poller's state")
    rows = asyncio.run(feed_rows(config, url))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    console = Console()
    # Off a terminal rich would wrap at 80 columns; a wide table keeps one feed per line.
    Console(width=None if console.is_terminal else 200).print(_table(rows))
    return 0


def cmd_feeds_export(args: argparse.Namespace) -> int:
    """Print the configured feeds as an OPML document."""
    sys.stdout.buffer.write(export_opml(load_config(_config_path(args))) + b"\n")
    sys.stdout.flush()
    return 0


def add_commands(sub: "argparse._SubParsersAction[argparse.ArgumentParser]",
                 common: argparse.ArgumentParser) -> None:
    """Register ``feeds import`` and ``feeds list`` (``common`` carries ``--config``)."""
    feeds = sub.add_parser("feeds", parents=[common], help="manage and inspect feeds")
    actions = feeds.add_subparsers(dest="feeds_command", required=True)
    opml = actions.add_parser("import", parents=[common],
                              help="add the feeds of an OPML export to the config file")
    opml.add_argument("file", type=Path, help="OPML file exported by a feed reader")
    opml.set_defaults(func=cmd_feeds_import)
    listing = actions.add_parser("list", parents=[common], help="each feed's health")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    listing.set_defaults(func=cmd_feeds_list)
    export = actions.add_parser("export", parents=[common],
                                help="print the configured feeds as OPML (for a feed reader)")
    export.set_defaults(func=cmd_feeds_export)
