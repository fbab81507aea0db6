"""``newsalert check-config``: broken configs exit 2 with one clear line each."""

from pathlib import Path

import pytest

from services.cli import main
from shared.loading import ConfigError, load_config

VALID = """
poller: {allow_private_hosts: ["127.0.0.1"]}
feeds:
  - {url: "https://example.org/rss", name: Example, interval: 5m, backfill: 0}
watch:
  - {name: kataib-hezbollah, any: ["Kataib Hezbollah", "Kata'ib Hizballah"]}
subscriptions:
  - {name: ops-desk, urls: ["json://127.0.0.1:9/hook"], tags: [military_strike, kataib-hezbollah]}
"""

# (config text, what the one error line must name)
BROKEN = [
    ("feedz: []\n", "feedz: unknown key"),
    ("feeds:\n  - {url: 'ftp://example.org/rss'}\n", "feeds[0].url"),
    ("feeds:\n  - {url: 'https://example.org/rss', interval: 5 minutes}\n", "feeds[0].interval"),
    ("feeds:\n  - {url: 'https://example.org/rss', backfill: -3}\n", "feeds[0].backfill"),
    ("subscriptions:\n  - {name: desk, urls: []}\n", "subscriptions[0].urls"),
    ("subscriptions:\n  - {name: desk, urls: ['json://h/p'], tags: []}\n",
     "subscriptions[0].tags"),
    ("subscriptions:\n  - {name: desk, urls: ['json://x:${NOPE_UNSET_VAR}@h/p']}\n",
     "NOPE_UNSET_VAR"),
    ("subscriptions:\n  - {name: desk, urls: ['nosuchscheme://x']}\n",
     "subscription 'desk'"),
    ("watch:\n  - {name: topic, none: [x]}\n", "watch[0]"),
    ("watch:\n  - {name: topic, regex: ['(unclosed']}\n", "watch[0].regex"),
    ("redis: {url: 'http://localhost:6379'}\n", "redis.url"),
    ("feeds: [\n", "line"),
    ("subscriptions:\n  - {name: desk, urls: ['json://h/p'], tags: [no-such-topic]}\n",
     "no-such-topic"),
]


@pytest.mark.parametrize(("text", "needle"), BROKEN)
def test_broken_config_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             text: str, needle: str) -> None:
    """Each broken config gives exit code 2 and one line naming the file and the field."""
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    code = main(["check-config", str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1, err
    assert str(path) in err[0] and needle in err[0]
    assert "Traceback" not in err[0]


def test_valid_config_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A valid config exits 0 and says OK."""
    path = tmp_path / "ok.yaml"
    path.write_text(VALID)
    assert main(["check-config", str(path)]) == 0
    assert "OK" in capsys.readouterr().out


def test_example_config_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped example config passes validation."""
    example = Path(__file__).resolve().parents[2] / "deploy" / "config.example.yaml"
    assert main(["check-config", str(example)]) == 0


def test_secret_is_masked_in_errors(tmp_path: Path) -> None:
    """An invalid field holding a ${VAR} secret is shown as the placeholder, never the value."""
    path = tmp_path / "c.yaml"
    path.write_text("redis: {url: 'http://u:${PW}@h'}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={"PW": "hunter2-secret"})
    assert "hunter2-secret" not in str(info.value)
    assert "redis.url" in str(info.value)


def test_env_override_beats_file(tmp_path: Path) -> None:
    """NEWSALERT_SECTION__KEY overrides the file, with YAML typing of the value."""
    path = tmp_path / "c.yaml"
    path.write_text(VALID)
    config = load_config(path, env={"NEWSALERT_REDIS__URL": "redis://r:6379/1",
                                    "NEWSALERT_POLLER__CONCURRENCY": "7"})
    assert config.redis.url == "redis://r:6379/1"
    assert config.poller.concurrency == 7


def test_placeholders_are_filled(tmp_path: Path) -> None:
    """${VAR} placeholders take their value from the environment."""
    path = tmp_path / "c.yaml"
    path.write_text("subscriptions:\n  - {name: d, urls: ['json://u:${TOKEN}@h/p']}\n")
    config = load_config(path, env={"TOKEN": "abc123456"})
    assert config.subscriptions[0].urls == ["json://u:abc123456@h/p"]
