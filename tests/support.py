"""Test helpers: a real redis-server, local HTTP servers and webhook sinks."""

import contextlib
import json
import socket
import subprocess
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import redis as redis_sync

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RedisServer:
    """A redis-server process owned by the test session."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None
    appendonly: bool = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start and wait until PING answers."""
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "yes" if self.appendonly else "no",
                "--dir", str(self.directory), "--protected-mode", "yes"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        client = redis_sync.Redis(port=self.port)
        for _ in range(200):
            with contextlib.suppress(redis_sync.ConnectionError):
                if client.ping():
                    client.close()
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self, kill: bool = False) -> None:
        """Stop the server (SIGKILL when ``kill``)."""
        if self.process and self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            self.process.wait(timeout=10)


@dataclass
class HttpServer:
    """A threaded HTTP server on 127.0.0.1 with a pluggable handler."""

    server: ThreadingHTTPServer
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def wait_for(self, count: int, timeout: float) -> list[dict[str, Any]]:
        """Wait until ``count`` requests arrived (or the timeout passed); return them all."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.requests)


Route = Callable[[str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]]


def serve(route: Route) -> HttpServer:
    """Start a server where ``route(path, headers, body)`` returns (status, headers, body)."""
    holder: list[HttpServer] = []

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            holder[0].requests.append({"method": self.command, "path": self.path,
                                       "headers": headers, "body": body})
            status, out_headers, out = route(self.path, headers, body)
            self.send_response(status)
            for name, value in out_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        do_GET = do_POST = _handle

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(HttpServer(server))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return holder[0]


def json_bodies(server: HttpServer) -> list[dict[str, Any]]:
    """Decoded JSON bodies of the POSTs a sink received."""
    return [json.loads(r["body"]) for r in server.requests if r["method"] == "POST"]


@contextlib.asynccontextmanager
async def open_poller(redis_url: str, settings: Any) -> AsyncIterator[Any]:
    """A Poller on a real Redis (groups created), closed afterwards."""
    from services.poller.fetch import make_client
    from services.poller.polling import Poller
    from services.poller.state import PollerStore
    from shared.broker import ensure_groups, make_redis

    redis = make_redis(redis_url)
    await ensure_groups(redis)
    poller = Poller(make_client(settings), PollerStore(redis, 3600), redis, settings)
    try:
        yield poller
    finally:
        await poller.client.aclose()
        await redis.aclose()


@contextlib.contextmanager
def smtp_server(handler: Any) -> Iterator[int]:
    """A real aiosmtpd server on a free loopback port with ``handler``; yields the port."""
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
