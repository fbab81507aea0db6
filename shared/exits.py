"""Process exit codes of every newsalert command, and the one-line report of a Redis failure.

Kept free of heavy imports: the CLI's help text lists these codes.
"""

import sys

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_CONFIG = 2
EXIT_USAGE = 2
EXIT_REDIS_DOWN = 3
EXIT_GROUP_LOST = 4
EXIT_ALL_FEEDS_FAILED = 5

EXIT_CODES_HELP = """exit codes:
  0  success
  1  the command ran and found a problem (a test send failed, unknown cluster, nothing retried)
  2  config or usage error, or Redis refused the credentials (one line per problem)
  3  Redis unreachable (at startup, or for ops.redis_down_exit while running)
  4  a consumer group vanished (Redis lost its data); the groups are recreated, restart it
  5  poller --once: every configured feed failed"""


class UsageError(Exception):
    """A problem the user must fix; printed as one line, exit code 2."""


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def failure_exit(exc: BaseException) -> int | None:
    """Report a Redis failure in one line on stderr and return its exit code (else None)."""
    from redis.exceptions import AuthenticationError, RedisClusterException, ResponseError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    from shared.secrets import redact

    for leaf in _leaves(exc):
        text = " ".join(redact(str(leaf)).split()) or type(leaf).__name__
        if isinstance(leaf, AuthenticationError) or (
                isinstance(leaf, ResponseError) and str(leaf).startswith(("NOAUTH", "WRONGPASS"))):
            sys.stderr.write(f"error: Redis refused the credentials of redis.url: {text}\n")
            return EXIT_CONFIG
        if isinstance(leaf, RedisConnectionError | RedisTimeoutError | RedisClusterException
                      | ConnectionError | TimeoutError):
            sys.stderr.write(f"error: cannot reach Redis: {text}\n")
            return EXIT_REDIS_DOWN
    return None


def check_credentials(url: str) -> None:
    """Refuse a wrong Redis password at once (exit 2): retrying cannot fix it, and it is not
    "Redis down". One PING without retries; an unreachable Redis is left to the startup
    retries and exit 3."""
    from urllib.parse import urlsplit

    import redis as redis_sync
    from redis.exceptions import AuthenticationError, RedisError

    from shared.secrets import redact

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
