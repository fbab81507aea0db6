"""What the CLI prints for scripts and people: exit codes, JSON, redacted URLs, plain help."""

import json
import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import pytest

from services.cli import main
from tests.pipeline import ROOT, compose_command, write_config
from tests.servers import HttpServer, Route

pytestmark = pytest.mark.integration
TOKEN = "tok-do-not-print-42"


def test_poller_once_exits_5_when_every_feed_failed(
        tmp_path: Path, redis_url: str, http_server: Callable[[Route], HttpServer]) -> None:
    """``poller --once`` (the compose command) exits 5, with a line on stderr, if all feeds fail."""
    broken = http_server(lambda path, headers, body: (500, {}, b"down"))
    config = write_config(tmp_path / "config.yaml", {
        "redis": {"url": redis_url}, "poller": {"allow_private_hosts": ["127.0.0.1"]},
        "feeds": [{"url": f"{broken.base}/a.xml", "name": "a"},
                  {"url": f"{broken.base}/b.xml", "name": "b"}]})
    done = subprocess.run([*compose_command("poller"), "--once", "--json"], cwd=ROOT,
                          env={"NEWSALERT_CONFIG": str(config), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 5, done.stderr[-800:]
    assert json.loads(done.stdout)["outcomes"] == {"failed": 2}
    assert "error: all 2 polled feed(s) failed" in done.stderr


def test_feed_urls_are_redacted_in_feeds_list(tmp_path: Path, redis_url: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    """``feeds list`` and ``--json`` mask a credential in a feed URL, as ``status`` does."""
    config = write_config(tmp_path / "config.yaml", {
        "redis": {"url": redis_url},
        "feeds": [{"url": f"https://example.org/rss?token={TOKEN}&lang=en", "name": "wire"}]})
    assert main(["--config", str(config), "feeds", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["url"] == "https://example.org/rss?token=****&lang=en"
    assert main(["--config", str(config), "feeds", "list"]) == 0
    table = capsys.readouterr().out
    assert "wire" in table and TOKEN not in table
    assert main(["--config", str(config), "status", "--json"]) == 0
    assert TOKEN not in capsys.readouterr().out


def test_help_is_plain_text_and_loads_no_service_code() -> None:
    """``--help`` lists every command and the exit codes, with no RST markup, importing no
    framework (what makes it answer quickly)."""
    probe = ("import sys\nfrom services.cli import main\n"
             "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
             "heavy = ('faststream', 'apprise', 'pydantic', 'redis', 'rich', 'feedparser')\n"
             "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.rstrip().endswith("LOADED []"), done.stdout[-300:]
    assert "``" not in done.stdout and ":func:" not in done.stdout
    for command in ("check-config", "feeds", "dlq", "events", "status", "notify-test"):
        assert f"    {command} " in done.stdout
    assert "exit codes:" in done.stdout and "  3  Redis unreachable" in done.stdout


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``--version`` prints the installed package version and exits 0."""
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"newsalert {version('newsalert')}"
