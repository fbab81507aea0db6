"""The ``newsalert`` command: run the services, check the config, inspect the pipeline."""

import argparse
import asyncio
import contextlib
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from faststream import FastStream

from shared.config import AppConfig, default_path
from shared.embedded import EmbeddedRedis, EmbeddedRedisError
from shared.loading import ConfigError, load_config, require_redis_url
from shared.logs import configure_logging
from shared.secrets import redact

EXIT_CONFIG = 2


class UsageError(Exception):
    """A problem the user must fix; printed as one line, exit code 2."""


def _config(args: argparse.Namespace) -> AppConfig:
    return load_config(args.config or default_path())


def _check_credentials(url: str) -> None:
    """Refuse a wrong Redis password at once (exit 2): retrying cannot fix it, and it is not
    "Redis down". One PING without retries; an unreachable Redis is left to the startup
    retries and exit 3."""
    import redis as redis_sync
    from redis.exceptions import AuthenticationError, RedisError

    client = redis_sync.Redis.from_url(url, socket_connect_timeout=5.0, socket_timeout=5.0)
    try:
        client.ping()
    except AuthenticationError as exc:
        hint = ("the server wants a password and the URL has none"
                if urlsplit(url).password is None else redact(str(exc))[:200])
        raise UsageError(f"Redis rejected the credentials ({hint}): check the password in "
                         "redis.url or NEWSALERT_REDIS__URL") from None
    except RedisError:
        return
    finally:
        client.close()


def _serve(app: FastStream) -> int:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    from shared.ops import EXIT_REDIS_DOWN, exit_code

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(app.run())
    except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
        # Startup could not reach Redis even after the retries: one clear line, no traceback.
        print(f"error: cannot reach Redis: {redact(str(exc))}", file=sys.stderr)
        return EXIT_REDIS_DOWN
    # Non-zero when the watchdog stopped the app (Redis gone, consumer group lost), so
    # compose's restart policy brings the service back.
    return exit_code()


def cmd_service(args: argparse.Namespace) -> int:
    """``newsalert poller|classifier|notifier``: one service, as compose runs it."""
    config = _config(args)
    configure_logging(config.log_level)
    url = require_redis_url(config, "for a single service (`newsalert run` embeds one)")
    _check_credentials(url)
    if args.command == "poller" and args.once:
        from services.poller.app import poll_once

        report = asyncio.run(poll_once(config, url))
        print(f"published {report.published}, already seen {report.seen}, "
              f"outcomes {dict(report.outcomes)}")
        return 0
    module = importlib.import_module(f"services.{args.command}.app")
    factory: Callable[[AppConfig, str], FastStream] = module.create_app
    return _serve(factory(config, url))


def cmd_web(args: argparse.Namespace) -> int:
    """``newsalert web``: the dashboard, API and alert feeds (what compose runs)."""
    from services.web.app import serve

    config = _config(args)
    configure_logging(config.log_level)
    return serve(config, require_redis_url(config, "for the web dashboard"))


def cmd_run(args: argparse.Namespace) -> int:
    """``newsalert run``: the three services in one process, Redis embedded if none is set."""
    from services.classifier import app as classifier
    from services.notifier import app as notifier
    from services.poller import app as poller
    from shared.ops import Register, service_app

    config = _config(args)
    configure_logging(config.log_level)
    embedded = None if config.redis.url else EmbeddedRedis(config.data_dir)
    if config.redis.url:
        _check_credentials(config.redis.url)
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
    from services.notifier.app import check_urls

    config = load_config(args.path or args.config or default_path())
    check_urls(config)
    print(f"{config.source}: OK ({len(config.feeds)} feeds, {len(config.watch)} watch topics, "
          f"{len(config.subscriptions)} subscriptions)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface."""
    parser = argparse.ArgumentParser(prog="newsalert", description=__doc__)
    parser.add_argument("--config", type=Path, default=None,
                        help="config file (default: $NEWSALERT_CONFIG, then ./config.yaml)")
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    sub.add_parser("run", parents=[common], help="all services in one process").set_defaults(
        func=cmd_run)
    poller = sub.add_parser("poller", parents=[common], help="the feed poller")
    poller.add_argument("--once", action="store_true", help="poll every feed once and exit")
    poller.set_defaults(func=cmd_service)
    for name in ("classifier", "notifier"):
        sub.add_parser(name, parents=[common], help=f"the {name}").set_defaults(func=cmd_service)
    sub.add_parser("web", parents=[common], help="the dashboard, HTTP API and alert feeds"
                   ).set_defaults(func=cmd_web)
    check = sub.add_parser("check-config", parents=[common], help="validate a config file")
    check.add_argument("path", nargs="?", type=Path)
    check.set_defaults(func=cmd_check_config)
    _add_plugins(sub, common)
    return parser


def _add_plugins(sub: "argparse._SubParsersAction[argparse.ArgumentParser]",
                 common: argparse.ArgumentParser) -> None:
    from services.classifier.cluster_commands import add_commands as cluster_commands
    from services.classifier.commands import add_commands as classifier_commands
    from services.notifier.commands import add_commands as notifier_commands
    from services.poller.commands import add_commands as poller_commands
    from services.status import add_commands as status_commands

    classifier_commands(sub)
    cluster_commands(sub, common)
    notifier_commands(sub, common)
    poller_commands(sub, common)
    status_commands(sub, common)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        for line in exc.lines:
            print(f"config error: {line}", file=sys.stderr)
        return EXIT_CONFIG
    except (UsageError, EmbeddedRedisError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG


if __name__ == "__main__":
    sys.exit(main())
