"""``newsalert poller --once``: poll every feed once, for cron; the exit code says how it went."""

import asyncio
import json
import sys

from services.poller.app import poll_once
from shared.config import AppConfig
from shared.exits import EXIT_ALL_FEEDS_FAILED, EXIT_OK


def run_once(config: AppConfig, redis_url: str, *, as_json: bool = False) -> int:
    """Poll once, print the report; exit 5 when feeds are configured and every one failed."""
    report = asyncio.run(poll_once(config, redis_url))
    outcomes = dict(report.outcomes)
    if as_json:
        sys.stdout.write(json.dumps({"published": report.published, "seen": report.seen,
                                     "outcomes": outcomes}) + "\n")
    else:
        sys.stdout.write(f"published {report.published}, already seen {report.seen}, "
                         f"outcomes {outcomes}\n")
    failed = outcomes.get("failed", 0)
    # Disabled feeds are not polled; every feed that was polled having failed is the alarm.
    polled = sum(n for outcome, n in outcomes.items() if outcome != "disabled")
    if polled and failed == polled:
        sys.stderr.write(f"error: all {failed} polled feed(s) failed; "
                         "`newsalert feeds list` shows why\n")
        return EXIT_ALL_FEEDS_FAILED
    return EXIT_OK
