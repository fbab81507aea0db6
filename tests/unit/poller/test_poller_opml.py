"""Unit tests for OPML import: safe parsing, YAML text append, validation, the CLI command."""

import argparse
from pathlib import Path

import pytest

from services.cli import main
from services.poller import opml
from services.poller.commands import add_commands
from services.poller.opml import (
    OpmlError,
    OpmlFeed,
    append_entries,
    entry_line,
    import_opml,
    read_opml,
)
from shared.loading import ConfigError, load_config

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>My feeds</title></head><body>
  <outline text="News" title="News">
    <outline type="rss" text="BBC World" title="BBC World"
             xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml" htmlUrl="https://bbc.com"/>
    <outline text="Deeper"><outline type="rss" text="Only text" xmlUrl="https://deep.example/rss"/>
    </outline>
  </outline>
  <outline type="rss" title="Existing" xmlUrl="https://existing.example/feed"/>
  <outline type="rss" title="Local file" xmlUrl="file:///etc/passwd"/>
  <outline text="A folder without a feed"/>
</body></opml>"""

CONFIG = """# my config
log_level: INFO   # keep this comment

feeds:
  # the feeds I read
  - {url: "https://existing.example/feed", name: Existing, interval: 5m}
  - url: https://second.example/rss
    name: Second

# Watch topics follow
watch: []
"""


def parser() -> argparse.ArgumentParser:
    """The same wiring services/cli.py uses."""
    top = argparse.ArgumentParser(prog="newsalert")
    top.add_argument("--config", type=Path, default=None)
    sub = top.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS)
    add_commands(sub, common)
    return top


def test_poller_opml_nested_outlines_read() -> None:
    """Feeds are found at any depth, named by title, else text; folders are ignored."""
    feeds = read_opml(OPML)
    assert feeds[:2] == [OpmlFeed("https://feeds.bbci.co.uk/news/world/rss.xml", "BBC World"),
                         OpmlFeed("https://deep.example/rss", "Only text")]
    assert len(feeds) == 4


@pytest.mark.parametrize("prolog", [
    '<!DOCTYPE opml [<!ENTITY x "y">]>', '<!DOCTYPE opml SYSTEM "http://127.0.0.1:1/x.dtd">',
    '<!ENTITY x SYSTEM "file:///etc/passwd">'])
def test_poller_opml_doctype_and_entities_refused(prolog: str) -> None:
    """Any DOCTYPE or ENTITY declaration is refused before the XML parser sees the file."""
    data = OPML.replace(b"<opml", prolog.encode() + b"<opml", 1)
    with pytest.raises(OpmlError, match="DOCTYPE"):
        read_opml(data)
    with pytest.raises(OpmlError, match="DOCTYPE"):
        read_opml(data.decode().replace('"UTF-8"', '"UTF-16"').encode("utf-16"))


def test_poller_opml_malformed_reported() -> None:
    """Broken XML is an OpmlError naming the problem, not a traceback."""
    with pytest.raises(OpmlError, match="well-formed"):
        read_opml(b"<opml><body><outline xmlUrl='x'></body>")


def test_poller_opml_names_cleaned() -> None:
    """Control characters and ${...} (config placeholders) never reach the config file."""
    data = b'<opml><body><outline title="A\x09b ${SECRET}" xmlUrl="https://a.example/"/></body></opml>'
    assert read_opml(data)[0].name == "A b $ {SECRET}"


def test_poller_append_keeps_comments_and_indentation() -> None:
    """New items go at the end of the feeds block with its indentation; the rest is intact."""
    out = append_entries(CONFIG, [entry_line(OpmlFeed("https://n.example/", 'Say "hi"'), "")])
    assert out.startswith(CONFIG.split("\n# Watch")[0])
    assert '    name: Second\n  - {url: "https://n.example/", name: "Say \\"hi\\""}\n' in out
    assert out.endswith("\n# Watch topics follow\nwatch: []\n")


@pytest.mark.parametrize(("text", "expected"), [
    ("log_level: INFO\nfeeds: []  # none yet\n", "feeds:  # none yet\n  - {url: \"u\"}\n"),
    ("log_level: INFO", "log_level: INFO\nfeeds:\n  - {url: \"u\"}\n"),
    ("feeds:\n- url: https://a.example/\nwatch: []\n", "- url: https://a.example/\n- {url"),
])
def test_poller_append_other_layouts(text: str, expected: str) -> None:
    """Empty flow list, missing key and column-0 items are all handled."""
    assert expected in append_entries(text, ['- {url: "u"}'])


def test_poller_append_refuses_inline_list() -> None:
    """A non-empty inline feeds list is not rewritten (that would lose formatting)."""
    with pytest.raises(OpmlError, match="inline"):
        append_entries('feeds: [{url: "https://a.example/"}]\n', ['- {url: "u"}'])


def test_poller_import_adds_new_skips_present(tmp_path: Path) -> None:
    """Import adds new feeds once, skips configured and non-http ones; the file stays valid."""
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG)
    result = import_opml(path, OPML)
    assert (result.added, result.present, result.invalid) == (2, 1, 1)
    urls = [f.url for f in load_config(path).feeds]
    assert urls[-2:] == ["https://feeds.bbci.co.uk/news/world/rss.xml", "https://deep.example/rss"]
    assert "# keep this comment" in path.read_text()
    again = import_opml(path, OPML)
    assert (again.added, again.present) == (0, 3)


def test_poller_import_invalid_result_leaves_file(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """When the edited config would not validate, the original file is untouched."""
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG)
    monkeypatch.setattr(opml, "append_entries", lambda text, entries: text + "bogus_key: 1\n")
    with pytest.raises(ConfigError, match="bogus_key"):
        import_opml(path, OPML)
    assert path.read_text() == CONFIG
    assert list(tmp_path.iterdir()) == [path]  # no temp file left behind


def test_poller_cli_feeds_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`feeds import FILE --config PATH` prints the counts and exits 0."""
    config, opml = tmp_path / "config.yaml", tmp_path / "export.opml"
    config.write_text(CONFIG)
    opml.write_bytes(OPML)
    args = parser().parse_args(["feeds", "import", str(opml), "--config", str(config)])
    assert args.func(args) == 0
    assert "added 2 feed(s), skipped 1 already configured, 1 without" in capsys.readouterr().out


def test_poller_cli_feeds_import_bad_file(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """A hostile OPML file is a one-line error with exit code 2."""
    config, opml = tmp_path / "config.yaml", tmp_path / "bomb.opml"
    config.write_text(CONFIG)
    opml.write_bytes(b'<!DOCTYPE x [<!ENTITY a "b">]><opml/>')
    args = parser().parse_args(["--config", str(config), "feeds", "import", str(opml)])
    assert args.func(args) == 2
    assert "refused" in capsys.readouterr().err
    assert config.read_text() == CONFIG


def test_poller_cli_feeds_list_needs_redis_url(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """`feeds list` without redis.url exits 2 with a message naming the setting."""
    monkeypatch.delenv("NEWSALERT_REDIS__URL", raising=False)
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG)
    assert main(["feeds", "list", "--config", str(config)]) == 2
    assert "redis.url" in capsys.readouterr().err
