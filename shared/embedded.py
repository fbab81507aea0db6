"""A private redis-server for laptop mode (``newsalert run`` with no ``redis.url``)."""

import contextlib
import socket
import subprocess
import time
from pathlib import Path

from shared.redis_binaries import RedisBinaryNotFound, require_redis_binary


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis could not be started."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedRedis:
    """redis-server on a free loopback port with AOF persistence under ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.resolve() / "redis"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> str:
        """Start the server, wait until it answers, return its URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        try:
            server = require_redis_binary("redis-server")
        except RedisBinaryNotFound as exc:
            raise EmbeddedRedisError(str(exc)) from None
        args = [server, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.data_dir), "--appendonly", "yes", "--appendfsync", "everysec",
                "--save", "", "--maxmemory-policy", "noeviction",
                "--logfile", str(self.data_dir / "redis.log")]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedRedisError(f"redis-server exited; see {self.data_dir / 'redis.log'}")
            with contextlib.suppress(OSError), socket.create_connection(
                ("127.0.0.1", self.port), timeout=0.2
            ):
                return self.url
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(f"redis-server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the server (SIGTERM flushes the AOF)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None
