"""``newsalert check-config``: broken configs exit 2 with one clear line each."""

import json
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


CROSS = """
feeds:
  - {url: "https://example.org/rss", name: Example}
  - {url: "https://example.org/rss", name: Copy}
subscriptions:
  - name: desk
    urls: ["json://127.0.0.1:9/hook"]
    tags: [military_strike, no-such-topic]
    feeds: [Example, Missing]
"""


def test_cross_field_errors_name_each_field(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Cross-field problems give one line per field at fault, never <root> or a config dump."""
    path = tmp_path / "cross.yaml"
    path.write_text(CROSS)
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert [line.split(": ")[2] for line in err] == [
        "feeds[1].url", "subscriptions[0].tags[1]", "subscriptions[0].feeds[1]"]
    assert all(str(path) in line and len(line) < 300 for line in err)
    assert "<root>" not in "\n".join(err)
    assert "'Missing'" in err[2] and "Example, Copy" in err[2]


@pytest.mark.parametrize(("fragment", "field"), [
    ("digest: {every: 1h, timezone: Mars/Olympus}", "subscriptions[0].digest.timezone"),
    ("quiet_hours: {start: '22:00', end: '07:00', timezone: Europe/Pariss}",
     "subscriptions[0].quiet_hours.timezone"),
    ("countries: [Iran, Atlantis]", "subscriptions[0].countries[1]"),
])
def test_unknown_timezone_or_country_is_refused(tmp_path: Path, fragment: str,
                                                field: str) -> None:
    """A time zone zoneinfo does not know, or a name pycountry does not know, is a config error."""
    path = tmp_path / "c.yaml"
    path.write_text(f"subscriptions:\n  - {{name: desk, urls: ['json://h/p'], {fragment}}}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert len(info.value.lines) == 1 and field in info.value.lines[0]


def test_known_timezones_and_country_spellings_pass(tmp_path: Path) -> None:
    """IANA zones, ISO codes, official and everyday country names are accepted as written."""
    path = tmp_path / "c.yaml"
    path.write_text("subscriptions:\n  - {name: desk, urls: ['json://h/p'], "
                    "countries: [IR, IRN, Russia, 'United States', Türkiye, Turkey], "
                    "digest: {at: '08:00', timezone: Asia/Tokyo}}\n")
    config = load_config(path, env={})
    assert config.subscriptions[0].countries[2] == "Russia"
    assert config.subscriptions[0].digest is not None
    assert config.subscriptions[0].digest.timezone == "Asia/Tokyo"


def test_check_config_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json prints one document: ok with counts for a good file, the error lines for a bad one."""
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(VALID)
    bad.write_text(CROSS)
    assert main(["check-config", str(good), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] and doc["feeds"] == 1 and doc["subscriptions"] == 1 and doc["errors"] == []
    assert main(["check-config", str(bad), "--json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert not doc["ok"] and len(doc["errors"]) == 3 and "feeds[1].url" in doc["errors"][0]


def test_url_values_in_errors_are_redacted(tmp_path: Path) -> None:
    """A refused URL is shown with its password and credential-like parameters masked."""
    path = tmp_path / "c.yaml"
    path.write_text("feeds:\n  - {url: 'ftp://u:pw-hidden@example.org/rss?token=tok-hidden'}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    line = info.value.lines[0]
    assert "feeds[0].url" in line and "ftp://u:****@example.org/rss?token=****" in line
    assert "pw-hidden" not in line and "tok-hidden" not in line
