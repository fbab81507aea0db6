"""The ceiling's consumer (own process, like a service): XREADGROUP COUNT 100, one XACK per batch.

Run by bench_pipeline: ``pipeline_raw.py URL STREAM GROUP COUNT``; no parsing, no processing.
"""

import sys
import time

import redis


def main(url: str, stream: str, group: str, count: int) -> int:
    client = redis.Redis.from_url(url)
    seen, idle_since = 0, time.monotonic()
    while seen < count and time.monotonic() - idle_since < 60:
        reply = client.xreadgroup(group, "raw-1", {stream: ">"}, count=100, block=1000)
        for _, entries in reply or []:
            if entries:
                client.xack(stream, group, *[entry_id for entry_id, _ in entries])
                seen += len(entries)
                idle_since = time.monotonic()
    return 0 if seen >= count else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
