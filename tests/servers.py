"""Local servers for tests: redis-server (single or cluster), HTTP feeds and sinks, SMTP."""

import contextlib
import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import redis as redis_sync

from shared.redis_binaries import require_redis_binary
from tests.support import POLL


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
    extra: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start and wait until PING answers."""
        server = require_redis_binary("redis-server")
        args = [server, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "yes" if self.appendonly else "no",
                "--dir", str(self.directory), "--protected-mode", "yes", *self.extra]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        client = redis_sync.Redis(port=self.port)
        for _ in range(200):
            with contextlib.suppress(redis_sync.ConnectionError):
                if client.ping():
                    client.close()
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def flush(self) -> None:
        """FLUSHALL: drop every key, streams and consumer groups included."""
        client = redis_sync.Redis(port=self.port)
        client.flushall()
        client.close()

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
    # shutdown() waits for the loop's next poll: 0.05 s instead of the default 0.5 s, paid by
    # every test that starts a server.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL},
                     daemon=True).start()
    return holder[0]


def json_bodies(server: HttpServer) -> list[dict[str, Any]]:
    """Decoded JSON bodies of the POSTs a sink received."""
    return [json.loads(r["body"]) for r in server.requests if r["method"] == "POST"]


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


@dataclass
class RedisClusterServers:
    """Three ``--cluster-enabled`` redis-servers joined into a 3-master cluster (no replicas)."""

    directory: Path
    ports: list[int] = field(default_factory=list)
    nodes: list[RedisServer] = field(default_factory=list)

    @property
    def url(self) -> str:
        """A seed node; the cluster client discovers the other two from it."""
        return f"redis://127.0.0.1:{self.ports[0]}"

    def start(self, masters: int = 3) -> None:
        """Start the nodes, assign all slots with ``redis-cli --cluster create``, wait for ok."""
        for index in range(masters):
            node_dir = self.directory / f"node{index}"
            node_dir.mkdir(parents=True, exist_ok=True)
            node = RedisServer(_cluster_port(), node_dir,
                               extra=["--cluster-enabled", "yes",
                                      "--cluster-config-file", str(node_dir / "nodes.conf"),
                                      "--cluster-node-timeout", "5000"])
            node.start()
            self.nodes.append(node)
            self.ports.append(node.port)
        addresses = [f"127.0.0.1:{port}" for port in self.ports]
        subprocess.run([require_redis_binary("redis-cli"), "--cluster", "create", *addresses,
                        "--cluster-replicas", "0", "--cluster-yes"],
                       check=True, stdout=subprocess.DEVNULL, timeout=60)
        self._wait_ok()

    def _wait_ok(self, timeout: float = 30.0) -> None:
        # Slots are assigned at once, but every node must learn the others through gossip.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(_cluster_state(port) == "ok" for port in self.ports):
                return
            time.sleep(0.1)
        raise RuntimeError("the Redis Cluster did not reach cluster_state:ok")

    def flush(self) -> None:
        """FLUSHALL on every master: each one holds only its own slots' keys."""
        for node in self.nodes:
            node.flush()

    def stop(self) -> None:
        """Stop every node."""
        for node in self.nodes:
            node.stop()


def _cluster_port() -> int:
    # A cluster node also listens on port + 10000 (the cluster bus): both must be free.
    for _ in range(100):
        port = free_port()
        if port + 10000 <= 65535:
            with contextlib.closing(socket.socket()) as sock, contextlib.suppress(OSError):
                sock.bind(("127.0.0.1", port + 10000))
                return port
    raise RuntimeError("no free port pair for a cluster node")


def _cluster_state(port: int) -> str:
    client = redis_sync.Redis(port=port, decode_responses=True)
    try:
        return str(client.cluster("INFO").get("cluster_state", ""))
    except redis_sync.RedisError:
        return ""
    finally:
        client.close()
