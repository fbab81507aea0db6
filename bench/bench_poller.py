"""Poller throughput and memory: 1,000 local feeds, two cycles, next to a naive feedparser loop.

Run: ``python bench/bench_poller.py [--feeds N] [--latency-feeds N --latency-ms MS]``.
Needs ``redis-server`` on PATH (a private one is started on a free port and stopped at the
end). One asyncio HTTP server process serves ``/feed/N`` (10 items each, with ETag); between
the two cycles of each contender, half of the feeds change. Each contender runs in its own
process so its peak RSS is its own. A second, smaller scenario adds a fixed delay per answer,
as a real network would (loopback has none).
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import record
from shared.redis_binaries import find_redis_binary

ITEMS = 10


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def feed_doc(n: int, generation: int) -> bytes:
    # Odd feeds never change; even feeds get a new newest item in every generation.
    version = generation if n % 2 == 0 else 0
    items = "".join(
        f"<item><guid>f{n}-v{version - i}</guid><title>Feed {n} story {version - i}</title>"
        f"<link>https://news{n}.example/s/{version - i}</link>"
        f"<description>Story {version - i} of feed {n}: some text about it.</description></item>"
        for i in range(ITEMS))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Feed {n}</title>{items}</channel></rss>").encode()


def response(n: int, generation: int, if_none_match: str) -> bytes:
    etag = f'"{n}-{generation if n % 2 == 0 else 0}"'
    if if_none_match == etag:
        return f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n".encode()
    body = feed_doc(n, generation if n % 2 == 0 else 0)
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: {etag}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode() + body


def serve(port: int, latency: float) -> None:
    """The feed server (child process): GET /feed/N, and GET /bump to change half the feeds.

    ``latency`` seconds before each feed answer stand in for a real network round trip.
    """
    state = {"generation": 1}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        path = head.split(" ", 2)[1]
        inm = next((line.split(":", 1)[1].strip() for line in head.split("\r\n")
                    if line.lower().startswith("if-none-match:")), "")
        if path == "/bump":
            state["generation"] += 1
            writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        else:
            await asyncio.sleep(latency)
            writer.write(response(int(path.rsplit("/", 1)[-1]), state["generation"], inm))
        await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def bump(base: str) -> None:
    """Tell the server to change the even feeds (a new newest item each)."""
    urllib.request.urlopen(f"{base}/bump").close()


def peak_rss_mb() -> dict[str, float]:
    """ru_maxrss (KiB on Linux) of this process and of its reaped children (parser workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"rss_mb": round(own, 1), "children_rss_mb": round(children, 1)}


async def run_poller(base: str, count: int, redis_url: str) -> dict[str, Any]:
    from services.poller.fetch import make_client
    from services.poller.parse_pool import PARSERS
    from services.poller.polling import Poller
    from services.poller.state import PollerStore
    from shared.broker import ensure_groups, make_redis
    from shared.config import Feed, PollerSettings

    # All feeds share one host here; in real life they are spread over many, so the per-host
    # limit is lifted to the global one to measure the poller rather than that politeness cap.
    settings = PollerSettings(allow_private_hosts=["127.0.0.1"], concurrency=50, per_host=50)
    redis = make_redis(redis_url)
    await ensure_groups(redis)
    poller = Poller(make_client(settings), PollerStore(redis, 3600), redis, settings)
    feeds = [Feed(url=f"{base}/feed/{n}", interval=300) for n in range(count)]
    cycles = []
    for cycle in (1, 2):
        if cycle == 2:
            await asyncio.to_thread(bump, base)
        start = time.perf_counter()
        report = await poller.poll_once(feeds)
        seconds = time.perf_counter() - start
        cycles.append({"seconds": round(seconds, 2), "feeds_per_s": round(count / seconds, 1),
                       "outcomes": dict(report.outcomes), "published": report.published})
    await poller.client.aclose()
    await redis.aclose()
    PARSERS.shutdown()  # reaped, so RUSAGE_CHILDREN covers the parser processes
    return {"cycles": cycles, **peak_rss_mb()}


def run_baseline(base: str, count: int) -> dict[str, Any]:
    import feedparser  # type: ignore[import-untyped, unused-ignore]

    bump(base)  # start from a generation the poller saw
    etags: dict[int, str] = {}
    cycles = []
    for cycle in (1, 2):
        if cycle == 2:
            bump(base)
        start, statuses = time.perf_counter(), {200: 0, 304: 0}
        for n in range(count):
            parsed = feedparser.parse(f"{base}/feed/{n}", etag=etags.get(n))
            etags[n] = parsed.get("etag", "")
            statuses[parsed.get("status", 0)] = statuses.get(parsed.get("status", 0), 0) + 1
        seconds = time.perf_counter() - start
        cycles.append({"seconds": round(seconds, 2), "feeds_per_s": round(count / seconds, 1),
                       "statuses": statuses})
    return {"cycles": cycles, **peak_rss_mb()}


def contender(argv: list[str]) -> None:
    """Child entry point: run one contender, print its JSON result."""
    kind, base, count = argv[0], argv[1], int(argv[2])
    if kind == "poller":
        result = asyncio.run(run_poller(base, count, argv[3]))
    else:
        result = run_baseline(base, count)
    print(json.dumps(result))


def spawn(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--contender", *args],
                          capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def start_redis(directory: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    server = find_redis_binary("redis-server") or "redis-server"
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1",
                                "--save", "", "--appendonly", "no", "--dir", directory],
                               stdout=subprocess.DEVNULL)
    for _ in range(200):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
            return process, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("redis-server did not start")


def report(poller: dict[str, Any], baseline: dict[str, Any], count: int, latency: float) -> None:
    print(f"\n{count} feeds, {ITEMS} items each, one local server, {latency * 1000:.0f} ms added "
          "per answer; cycle 2: half changed (200), half unchanged (304 if the ETag is sent)")
    print(f"{'':28}{'cycle 1 feeds/s':>17}{'cycle 2 feeds/s':>17}{'peak RSS MB':>13}")
    for name, res in (("newsalert Poller", poller), ("feedparser.parse(url) loop", baseline)):
        c1, c2 = res["cycles"]
        rss = f"{res['rss_mb']}" + (f" +{res['children_rss_mb']}" if name.startswith("news")
                                    else "")
        print(f"{name:28}{c1['feeds_per_s']:>17}{c2['feeds_per_s']:>17}{rss:>13}")
    for i in (0, 1):
        ratio = poller["cycles"][i]["feeds_per_s"] / baseline["cycles"][i]["feeds_per_s"]
        print(f"cycle {i + 1}: poller / baseline = {ratio:.2f}x")
    print("details:", json.dumps({"poller": poller, "baseline": baseline}))
    ratios = [poller["cycles"][i]["feeds_per_s"] / baseline["cycles"][i]["feeds_per_s"]
              for i in (0, 1)]
    record(f"poller_{count}_feeds_{latency * 1000:.0f}ms",
           {"poller": poller, "baseline": baseline, "ratio_cycle1": ratios[0],
            "ratio_cycle2": ratios[1]})


def scenario(count: int, latency: float) -> None:
    """One server and one private Redis; the poller, then the baseline, against them."""
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(port, latency),
                                                          daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        redis, redis_url = start_redis(tmp)
        try:
            time.sleep(0.5)  # the server process binds its port
            poller = spawn("poller", base, str(count), redis_url)
            baseline = spawn("baseline", base, str(count))
        finally:
            redis.terminate()
            redis.wait(timeout=10)
            server.terminate()
            server.join(timeout=10)
    report(poller, baseline, count, latency)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--contender":
        contender(sys.argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--latency-feeds", type=int, default=200,
                        help="feeds in the second scenario, with simulated network latency")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    if find_redis_binary("redis-server") is None:
        print("redis-server is not installed; nothing to measure")
        return 0
    scenario(args.feeds, 0.0)
    if args.latency_feeds:
        scenario(args.latency_feeds, args.latency_ms / 1000)
    print("\npoller RSS '+N': largest parser worker process (2 workers, RLIMIT_AS 256 MiB each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
