"""With every logger at DEBUG, no configured secret shows up anywhere we can observe.

Secrets sit in every place a user may put them: a userinfo password, a json:// path token,
a ``+X-Token`` header value, a ``-token`` query value and a ``${VAR}`` placeholder filled
from the environment. The delivery paths run for real (200, 500 → DLQ, 429, timeout), plus
config validation and ``newsalert notify-test``; then logs, stdout/stderr, the DLQ and every
Redis key are searched for each secret.
"""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from redis.asyncio import Redis

from services.cli import main
from services.notifier.app import check_urls
from services.notifier.delivery import DeliveryStore
from services.notifier.dispatch import Dispatcher
from shared import streams
from shared.loading import ConfigError, load_config
from shared.logs import configure_logging
from shared.schemas import Article, Event, Evidence, Tag
from tests.pipeline import write_config
from tests.servers import HttpServer, Route

PASSWORD = "PwSecret-83hd7"
PATH_TOKEN = "PathTok-x9q2m4"
HEADER = "HdrTok-k3j5l7"
QUERY = "QryTok-p0o9i8"
ENV_SECRET = "EnvTok-u7y6t5"
SECRETS = (PASSWORD, PATH_TOKEN, HEADER, QUERY, ENV_SECRET)


def route(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
    """/ok 200, /fail 500, /limited 429 Retry-After 1, /slow answers after 1.5 s."""
    if path.startswith("/slow"):
        time.sleep(1.5)
    status = 500 if path.startswith("/fail") else 429 if path.startswith("/limited") else 200
    return status, {"Retry-After": "1"} if status == 429 else {}, b"no"


def urls(port: int) -> dict[str, str]:
    """One subscription per delivery path, each URL carrying secrets."""
    host = f"127.0.0.1:{port}"
    return {
        "ok": f"json://user:{PASSWORD}@{host}/ok/{PATH_TOKEN}?+X-Token={HEADER}",
        "fail": f"json://user:{PASSWORD}@{host}/fail/${{HOOK_TOKEN}}?-token={QUERY}",
        "limited": f"json://{host}/limited/{PATH_TOKEN}?+X-Token=${{HOOK_TOKEN}}",
        "slow": f"json://user:{PASSWORD}@{host}/slow/{PATH_TOKEN}",
    }


def make_config(tmp_path: Path, port: int, redis_url: str) -> Path:
    """A config file with ${HOOK_TOKEN} placeholders; fast retries, short timeout."""
    return write_config(tmp_path / "config.yaml", {
        "redis": {"url": redis_url},
        "notifier": {"max_attempts": 2, "retry_base": 0.05, "retry_max": 0.1, "timeout": 0.7},
        "subscriptions": [{"name": name, "urls": [url], "tags": ["military_strike"]}
                          for name, url in urls(port).items()],
    })


@pytest.fixture(name="debug_logging")
def _debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Our stderr handler at DEBUG, caplog at DEBUG, and every known logger at DEBUG."""
    loggers = [lg for lg in logging.root.manager.loggerDict.values()
               if isinstance(lg, logging.Logger)]
    saved = {lg: lg.level for lg in loggers}
    root_level = logging.root.level
    configure_logging("DEBUG", json_output=True)
    caplog.set_level(logging.DEBUG)
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    yield caplog
    for handler in [h for h in logging.root.handlers if getattr(h, "_newsalert", False)]:
        logging.root.removeHandler(handler)
    logging.root.setLevel(root_level)
    for lg, level in saved.items():
        lg.setLevel(level)


def strike() -> Event:
    """One strike event."""
    article = Article(id="sec-1", feed="wire", url="https://wire.test/s/1", title="Strike")
    tag = Tag(name="military_strike", evidence=[Evidence(sentence="Strike", cues=["strike"])])
    return Event(id="sec-ev-1", article=article, tags=[tag])


async def redis_dump(redis: Redis) -> str:
    """Every key name and value in Redis (strings, sorted sets, streams) as one text."""
    parts: list[str] = []
    readers: dict[bytes, Callable[[bytes], Awaitable[Any]]] = {
        b"string": redis.get, b"zset": lambda k: redis.zrange(k, 0, -1), b"stream": redis.xrange}
    async for key in redis.scan_iter():
        read = readers.get(cast(bytes, await redis.type(key)), redis.type)
        parts.append(f"{key!r} {await read(key)!r}")
    return "\n".join(parts)


def assert_clean(where: str, text: str) -> None:
    """No secret in ``text``."""
    found = [s for s in SECRETS if s in text]
    assert not found, f"secret(s) {found} in {where}"


async def run_paths(config_path: Path, redis: Redis) -> Dispatcher:
    """Deliver one event to every subscription and drive retries until the DLQ is filled."""
    config = load_config(config_path, env={"HOOK_TOKEN": ENV_SECRET})
    dispatcher = Dispatcher(config, DeliveryStore(redis))
    await dispatcher.on_event(strike())
    deadline = time.monotonic() + 15
    while await dispatcher.store.pending_retries() and time.monotonic() < deadline:
        await dispatcher.retry_due()
        await asyncio.sleep(0.1)
    return dispatcher


async def test_notifier_no_secret_in_logs_dlq_or_output(
        tmp_path: Path, redis_url: str, redis: Redis, debug_logging: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str], http_server: Callable[[Route], HttpServer],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """200, 500 → DLQ, 429, timeout, bad URL, notify-test: 0 secrets in any output."""
    sink = http_server(route)
    path = make_config(tmp_path, sink.port, redis_url)
    dispatcher = await run_paths(path, redis)
    monkeypatch.setenv("HOOK_TOKEN", ENV_SECRET)
    code = await asyncio.to_thread(main, ["--config", str(path), "notify-test", "ok"])
    bad = load_config(path, env={"HOOK_TOKEN": ENV_SECRET}).model_copy(update={
        "subscriptions": [s.model_copy(update={"urls": [f"nosuch://{ENV_SECRET}/{PASSWORD}"]})
                          for s in dispatcher.config.subscriptions[:1]]})
    with pytest.raises(ConfigError) as error:
        check_urls(bad)
    dlq = cast(list[tuple[bytes, dict[bytes, bytes]]], await redis.xrange(streams.DLQ))
    out = capsys.readouterr()
    logs = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in debug_logging.records)
    assert code == 0 and "OK" in out.out
    reasons = {f[b"subscription"]: f[b"reason"].decode() for _, f in dlq}
    assert set(reasons) == {b"fail", b"limited", b"slow"}
    assert "500" in reasons[b"fail"] and "429" in reasons[b"limited"]
    assert "did not finish within" in reasons[b"slow"]
    assert any(r.levelno == logging.DEBUG for r in debug_logging.records)
    assert any(PATH_TOKEN in r["path"] for r in sink.requests), "the secrets were really used"
    for where, text in (("caplog records", logs), ("caplog text", debug_logging.text),
                        ("stdout", out.out), ("stderr", out.err), ("DLQ", repr(dlq)),
                        ("redis", await redis_dump(redis)), ("config error", str(error.value))):
        assert_clean(where, text)
