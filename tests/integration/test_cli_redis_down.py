"""Every command run while Redis is down: one clear line, exit 3, no traceback, no secret."""

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-do-not-print-7"
TOKEN = "feedtoken-do-not-print"

# Every command that reads or writes Redis (the serving ones included).
NEEDS_REDIS = [
    ["feeds", "list"], ["feeds", "list", "--json"], ["dlq", "list"], ["dlq", "list", "--json"],
    ["dlq", "retry", "--all"], ["dlq", "retry", "1-0"], ["events", "show", "c1"],
    ["events", "show", "c1", "--json"], ["status"], ["status", "--json"],
    ["poller", "--once"], ["poller", "--once", "--json"], ["poller"], ["classifier"],
    ["notifier"], ["run"], ["web"],
]
# Commands that never touch Redis keep working while it is down.
NO_REDIS = [["check-config"], ["check-config", "--json"], ["notify-test", "desk"],
            ["classify", "US strikes militia sites in Iraq"], ["--version"], ["--help"]]


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"redis: {{url: 'redis://:{PASSWORD}@127.0.0.1:{free_port()}/0'}}\n"
        f"feeds:\n  - {{url: 'https://example.org/rss?token={TOKEN}', name: Example}}\n"
        "subscriptions:\n  - {name: desk, urls: ['console://']}\n")
    return path


def _run(config: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.cli", "--config", str(config),
                           *command], cwd=ROOT, capture_output=True, text=True, timeout=90,
                          check=False)


def _not_a_log_record(line: str) -> bool:
    try:
        return not isinstance(json.loads(line), dict)
    except ValueError:
        return True


@pytest.mark.slow
def test_every_redis_command_exits_3_with_one_line(tmp_path: Path) -> None:
    """Each command needing Redis prints exactly one error line (besides JSON logs), exits 3."""
    config = _config(tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda c: _run(config, c), NEEDS_REDIS))
    for command, done in zip(NEEDS_REDIS, results, strict=True):
        lines = [line for line in done.stderr.splitlines() if _not_a_log_record(line)]
        assert done.returncode == 3, (command, done.stderr[-500:])
        assert len(lines) == 1 and lines[0].startswith("error: cannot reach Redis"), (command,
                                                                                       lines)
        assert "Traceback" not in done.stderr
        assert PASSWORD not in done.stderr + done.stdout and TOKEN not in done.stdout
        assert done.stdout == "", command


@pytest.mark.slow
def test_commands_without_redis_still_work(tmp_path: Path) -> None:
    """check-config, notify-test, classify, --version and --help succeed while Redis is down."""
    config = _config(tmp_path)
    for command in NO_REDIS:
        done = _run(config, command)
        assert done.returncode == 0, (command, done.stderr[-500:])
        assert "Traceback" not in done.stderr and PASSWORD not in done.stdout + done.stderr
