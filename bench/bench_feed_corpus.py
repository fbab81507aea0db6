"""feedparser's own test corpus through ``newsalert poller --once``: is legitimate news kept?

Not a test and never committed data: fetch the corpus first, into /tmp,

    pip download feedparser==6.0.11 --no-binary :all: --no-deps -d /tmp/fp
    tar xzf /tmp/fp/feedparser-6.0.11.tar.gz -C /tmp/fp

then run ``python bench/bench_feed_corpus.py /tmp/fp/feedparser-6.0.11/tests``.

A local HTTP server serves each file with the headers its ``Header:`` comment lines ask for
(compression files with the Content-Encoding their name says), a private redis-server takes
the stream, and one ``newsalert poller --once`` run polls every file as a feed (backfill on,
so a new feed publishes its items). The reference is feedparser itself, on the bytes the
server sends: every entry with a title or link should be published, and no feed that
feedparser parses with entries should be refused. Prints the counts and the misses.
"""

import argparse
import contextlib
import html
import io
import json
import re
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import redis
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.poller.state import feed_id
from shared import streams
from shared.embedded import EmbeddedRedis

HEADER = re.compile(rb"^Header:\s+([^:]+):(.+)$", re.MULTILINE)
TAG = re.compile(r"<[^>]*>")


def served(root: Path, path: Path) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body the corpus server sends for one file."""
    body = path.read_bytes()
    rel = path.relative_to(root).as_posix()
    if rel.startswith("compression/"):
        encoding = "gzip" if rel.endswith("gz") else "deflate"
        return 200, {"Content-Encoding": encoding, "Content-Type": "application/xml"}, body
    headers = {k.decode().strip(): v.decode().strip() for k, v in HEADER.findall(body)}
    status = int(headers.pop("Status", 200))
    headers.setdefault("Content-type", "application/xml")
    return status, headers, body


def serve(root: Path) -> ThreadingHTTPServer:
    """The corpus over HTTP on a free loopback port."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = (root / self.path.lstrip("/")).resolve()
            if not path.is_file() or root not in path.parents:
                self.send_error(404)
                return
            status, headers, body = served(root, path)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def reference(root: Path, path: Path, url: str) -> int | None:
    """Entries with a title or link, per feedparser on the body as served (None: not a 200).

    A title counts when it has visible text (an ``<img>``-only title has none), a link when
    it is an http(s) URL (feedparser falls back to the entry id, e.g. "urn:…", for ``link``).
    """
    status, headers, body = served(root, path)
    if status != 200:
        return None
    if "Content-Encoding" in headers:
        body = decompress(body)
    response = {k.lower(): v for k, v in headers.items()} | {"content-location": url}
    with contextlib.redirect_stderr(io.StringIO()):
        parsed = feedparser.parse(io.BytesIO(body), response_headers=response)
    # Entries identical in id, link, title and summary are one article (the poller keys them
    # so): counted once.
    return len({(e.get("id"), e.get("link"), e.get("title"), e.get("summary"))
                for e in parsed.entries if visible(e.get("title")) or web_link(e.get("link"))})


def visible(title: object) -> bool:
    """True when a (possibly HTML) title shows some text."""
    text = html.unescape(TAG.sub("", title)) if isinstance(title, str) else ""
    return bool(text.strip())


def web_link(link: object) -> bool:
    """True for an absolute http(s) URL with a host (and no raw space: feedparser turns a
    non-URL id like "Correct Value" into a "link" by resolving it against the feed's URL)."""
    if not isinstance(link, str) or any(c.isspace() for c in link.strip()):
        return False
    with contextlib.suppress(ValueError):
        parts = urlsplit(link.strip())
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    return False


def decompress(body: bytes) -> bytes:
    """What feedparser would read: the inflated body, or the bytes as they are."""
    import gzip
    import zlib
    for attempt in (gzip.decompress, zlib.decompress, lambda b: zlib.decompress(b, -15)):
        with contextlib.suppress(Exception):
            return attempt(body)
    return body


def run_poller(feeds: list[str], redis_url: str, workdir: Path) -> None:
    """One ``newsalert poller --once`` over every feed."""
    config = {
        "redis": {"url": redis_url}, "log_level": "WARNING", "data_dir": str(workdir),
        "poller": {"allow_private_hosts": ["127.0.0.1"], "timeout": "20s"},
        "feeds": [{"url": url, "name": f"f{i}", "backfill": 1000} for i, url in enumerate(feeds)],
    }
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    cli = Path(sys.executable).with_name("newsalert")
    done = subprocess.run([str(cli), "poller", "--once", "--config", str(path)],
                          capture_output=True, text=True, timeout=3600, check=False)
    print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:])


def published_per_feed(client: "redis.Redis[bytes]") -> Counter[str]:
    """Articles on the stream by the feed URL they came from."""
    counts: Counter[str] = Counter()
    for _, fields in client.xrange(streams.ARTICLES):
        counts[json.loads(fields[b"__data__"])["feed_url"]] += 1
    return counts


def failed_feeds(client: "redis.Redis[bytes]", urls: list[str]) -> dict[str, str]:
    """The feeds whose poll failed, with the poller's reason."""
    errors = {url: client.hget(streams.key("feed", feed_id(url)), "last_error") for url in urls}
    return {url: error.decode() for url, error in errors.items() if error}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="the extracted feedparser-6.0.11/tests")
    args = parser.parse_args()
    root = args.corpus.resolve()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in
                   (".xml", ".gz", ".z", ".rdf", ".atom", ".rss"))
    if not files:
        print(f"no corpus under {root}; see the module docstring for how to fetch it")
        return 2
    server = serve(root)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    urls = {base + p.relative_to(root).as_posix(): p for p in files}
    with tempfile.TemporaryDirectory() as tmp:
        embedded = EmbeddedRedis(Path(tmp))
        url = embedded.start()
        try:
            run_poller(list(urls), url, Path(tmp))
            client = redis.Redis.from_url(url)
            published = published_per_feed(client)
            failures = failed_feeds(client, list(urls))
            client.close()
        finally:
            embedded.stop()
            server.shutdown()
    report(root, urls, published)
    print(f"failed polls: {len(failures)}; by reason: {dict(Counter(failures.values()))}")
    return 0


def report(root: Path, urls: dict[str, Path], published: Counter[str]) -> None:
    """Counts, and the feeds where the poller kept less than feedparser found."""
    expected = {url: reference(root, path, url) for url, path in urls.items()}
    with_entries = [u for u, n in expected.items() if n]
    refused = [u for u in with_entries if published[u] == 0]
    short = [u for u in with_entries if 0 < published[u] < (expected[u] or 0)]
    entries = sum(n or 0 for n in expected.values())
    print(f"corpus files: {len(urls)}; served 200: "
          f"{sum(1 for n in expected.values() if n is not None)}; "
          f"feeds feedparser parses with entries: {len(with_entries)}")
    print(f"entries with a title or link: {entries}; published: {sum(published.values())} "
          "(the poller also publishes items that have only a summary)")
    print(f"refused feeds that feedparser parses with entries: {len(refused)}")
    print(f"feeds with fewer items published than feedparser found: {len(short)}")
    for url in (refused + short)[:15]:
        print(f"  {url.split('/', 3)[-1]}: feedparser {expected[url]}, published {published[url]}")


if __name__ == "__main__":
    sys.exit(main())
