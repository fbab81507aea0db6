"""The newsalert command: run the services, check the config, inspect the pipeline.

Only the module that defines the command being run is imported, so ``newsalert --help`` and
``--version`` answer without loading FastStream, apprise or the classifier.
"""

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.exits import (
    EXIT_CODES_HELP,
    EXIT_CONFIG,
    EXIT_USAGE,
    UsageError,
    check_credentials,
    failure_exit,
)

if TYPE_CHECKING:
    from faststream import FastStream

    from shared.config import AppConfig

DESCRIPTION = "Event-driven news alerts: military strikes, sanctions actions and watch keywords."
SubParsers = "argparse._SubParsersAction[argparse.ArgumentParser]"

# Commands defined outside this file: name -> (module whose add_commands defines it, summary).
# The summary is what the top-level help lists without importing the module.
PLUGINS: dict[str, tuple[str, str]] = {
    "classify": ("services.classifier.commands", "tag a headline, or a JSONL stream of articles"),
    "eval": ("services.classifier.commands", "precision/recall/F1 on a labelled JSONL file"),
    "eval-clusters": ("services.classifier.cluster_commands",
                      "pairwise precision/recall of story clustering"),
    "events": ("services.classifier.cluster_commands", "inspect event clusters"),
    "notify-test": ("services.notifier.commands", "send a sample alert to a subscription"),
    "dlq": ("services.notifier.commands", "list or replay dead-lettered messages"),
    "feeds": ("services.poller.commands", "import feeds from OPML, list each feed's health"),
    "status": ("services.status", "streams, feeds and last alerts"),
}


def _config(args: argparse.Namespace) -> "AppConfig":
    from shared.config import default_path
    from shared.loading import load_config

    return load_config(args.config or default_path())


def _serve(app: "FastStream") -> int:
    import asyncio
    import contextlib

    from shared.ops import exit_code

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(app.run())
    # Non-zero when the watchdog stopped the app (Redis gone, consumer group lost), so
    # compose's restart policy brings the service back.
    return exit_code()


def cmd_service(args: argparse.Namespace) -> int:
    """``newsalert poller|classifier|notifier``: one service, as compose runs it."""
    from shared.loading import require_redis_url
    from shared.logs import configure_logging

    config = _config(args)
    configure_logging(config.log_level)
    url = require_redis_url(config, "for a single service (`newsalert run` embeds one)")
    check_credentials(url)
    if args.command == "poller" and args.once:
        from services.poller.once import run_once

        return run_once(config, url, as_json=args.json)
    module = importlib.import_module(f"services.{args.command}.app")
    return _serve(module.create_app(config, url))


def cmd_web(args: argparse.Namespace) -> int:
    """``newsalert web``: the dashboard, API and alert feeds (what compose runs)."""
    import asyncio

    from services.web.app import serve
    from shared.broker import ping
    from shared.loading import require_redis_url
    from shared.logs import configure_logging

    config = _config(args)
    configure_logging(config.log_level)
    url = require_redis_url(config, "for the web dashboard")
    check_credentials(url)
    # Like the other services: unreachable at startup is exit 3, so a restart policy retries;
    # once running, a Redis outage is answered with 503 until it comes back.
    asyncio.run(ping(url, cluster=config.redis.cluster))
    return serve(config, url)


def cmd_run(args: argparse.Namespace) -> int:
    """``newsalert run``: the three services in one process, Redis embedded if none is set."""
    from services.classifier import app as classifier
    from services.notifier import app as notifier
    from services.poller import app as poller
    from shared.embedded import EmbeddedRedis
    from shared.logs import configure_logging
    from shared.ops import Register, service_app

    config = _config(args)
    configure_logging(config.log_level)
    embedded = None if config.redis.url else EmbeddedRedis(config.data_dir)
    if config.redis.url:
        check_credentials(config.redis.url)
    url = config.redis.url or embedded.start()  # type: ignore[union-attr]
    try:
        registers: list[Register] = [notifier.register, classifier.register, poller.register]
        if config.web.enabled:
            from services.web.app import register as register_web

            registers.append(lambda _broker, app, config, url: register_web(app, config, url))
        app = service_app("run", config, url, registers,
                          graceful_timeout=config.notifier.timeout + 10)
        return _serve(app)
    finally:
        if embedded:
            embedded.stop()


def cmd_check_config(args: argparse.Namespace) -> int:
    """``newsalert check-config``: validate only; exit 0 when usable."""
    import json

    from services.notifier.app import check_urls
    from shared.config import default_path
    from shared.loading import ConfigError, load_config

    path = args.path or args.config or default_path()
    try:
        config = load_config(path)
        check_urls(config)
    except ConfigError as exc:
        if not args.json:
            raise
        print(json.dumps({"file": str(path), "ok": False, "errors": exc.lines}))
        return EXIT_CONFIG
    counts = {"feeds": len(config.feeds), "watch": len(config.watch),
              "subscriptions": len(config.subscriptions)}
    if args.json:
        print(json.dumps({"file": str(config.source), "ok": True, "errors": [], **counts}))
    else:
        print(f"{config.source}: OK ({counts['feeds']} feeds, {counts['watch']} watch topics, "
              f"{counts['subscriptions']} subscriptions)")
    return 0


def _core_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    sub.add_parser("run", parents=[common], help="all services in one process",
                   description="All three services in one process; an embedded Redis "
                   "when redis.url is not set.").set_defaults(func=cmd_run)
    poller = sub.add_parser("poller", parents=[common], help="the feed poller")
    poller.add_argument("--once", action="store_true",
                        help="poll every feed once and exit (5 when every feed failed)")
    poller.add_argument("--json", action="store_true", help="with --once: the report as JSON")
    poller.set_defaults(func=cmd_service)
    for name in ("classifier", "notifier"):
        sub.add_parser(name, parents=[common], help=f"the {name}").set_defaults(func=cmd_service)
    sub.add_parser("web", parents=[common], help="the dashboard, HTTP API and alert feeds"
                   ).set_defaults(func=cmd_web)
    check = sub.add_parser("check-config", parents=[common], help="validate a config file",
                           description="Validate a config file; exit 2 with one line per "
                           "problem, naming the file, the field and the value.")
    check.add_argument("path", nargs="?", type=Path)
    check.add_argument("--json", action="store_true", help="machine-readable result")
    check.set_defaults(func=cmd_check_config)


def _wanted_modules(argv: Sequence[str]) -> set[str]:
    """The plugin module the command line names (none for --help): the only one imported."""
    previous = ""
    for token in argv:
        if not token.startswith("-") and previous != "--config":
            return {PLUGINS[token][0]} if token in PLUGINS else set()
        previous = token
    return set()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command-line interface; with ``argv=None`` every command is fully defined."""
    from importlib.metadata import version

    parser = argparse.ArgumentParser(prog="newsalert", description=DESCRIPTION,
                                     epilog=EXIT_CODES_HELP,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('newsalert')}")
    parser.add_argument("--config", type=Path, default=None,
                        help="config file (default: $NEWSALERT_CONFIG, then ./config.yaml)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    _core_commands(sub, common)
    modules = {m for m, _ in PLUGINS.values()} if argv is None else _wanted_modules(argv)
    for module in dict.fromkeys(m for m, _ in PLUGINS.values()):
        if module in modules:
            _register(sub, common, module)
    for name, (module, summary) in PLUGINS.items():
        if module not in modules:  # listed in the help; defined only when it is the command
            sub.add_parser(name, help=summary, add_help=False)
    return parser


def _register(sub: Any, common: argparse.ArgumentParser, module: str) -> None:
    add_commands = importlib.import_module(module).add_commands
    if module == "services.classifier.commands":
        add_commands(sub)
    else:
        add_commands(sub, common)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    from shared.embedded import EmbeddedRedisError
    from shared.loading import ConfigError

    try:
        return int(args.func(args))
    except ConfigError as exc:
        for line in exc.lines:
            print(f"config error: {line}", file=sys.stderr)
        return EXIT_CONFIG
    except (UsageError, EmbeddedRedisError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        code = failure_exit(exc)  # Redis down or refusing us: one line, no traceback
        if code is None:
            raise
        return code


if __name__ == "__main__":
    sys.exit(main())
