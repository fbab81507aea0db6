"""Plain functions of the web service and the history keys (no Redis needed)."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from redis.crc import key_slot

from services.cli import main
from services.web.views import highlight
from shared import history
from shared.xmltext import xml_text
from tests.web_support import make_event


def test_history_keys_share_one_cluster_slot() -> None:
    """Every key one history script touches hashes to the same Redis Cluster slot."""
    event = make_event(1, cluster="c1")
    keys = [history.event_key(event.id), history.REGISTRY, history.ALL]
    keys += [history.index_key(f, v) for f, v in history.facets_of(event)]
    keys.append(history.index_key("sub", "desk"))
    assert len({key_slot(k.encode()) for k in keys}) == 1
    assert all(k.startswith("{newsalert:history}:") for k in keys)


def test_members_sort_by_time_then_id() -> None:
    """Index members order by first-seen time, and split back into (time, id)."""
    early, late = history.member(1000.5, "zzz"), history.member(1000.6, "aaa")
    assert early < late
    assert history.split_member(late) == (1000.6, "aaa")


def test_facets_cover_tag_modality_feed_country_cluster() -> None:
    """An event is indexed under its tags, modalities, feed, countries and cluster."""
    facets = set(history.facets_of(make_event(1, cluster="c9", country="Yemen")))
    assert facets == {("feed", "Wire One"), ("tag", "military_strike"), ("mod", "occurred"),
                      ("country", "Yemen"), ("cluster", "c9")}


def test_highlight_marks_cues_case_insensitively() -> None:
    """Cue words become their own segments flagged as cues; the text is unchanged."""
    parts = highlight("Jets STRUCK a depot; the strike hit", ["struck", "strike"])
    assert "".join(p["text"] for p in parts) == "Jets STRUCK a depot; the strike hit"
    assert [p["text"] for p in parts if p["cue"]] == ["STRUCK", "strike"]


def test_xml_text_drops_characters_xml_forbids() -> None:
    """Control characters that no XML parser accepts are removed, the rest kept."""
    assert xml_text("a\x00b\x0bc\td\ne\ufffe") == "abc\td\ne"


def test_feeds_export_prints_opml(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes],
                                  ) -> None:
    """``newsalert feeds export`` prints an OPML outline per feed, URL secrets masked."""
    config = tmp_path / "config.yaml"
    config.write_text("feeds:\n  - {url: 'https://news.example/rss', name: One}\n"
                      "  - {url: 'https://bob:hunter22@private.example/feed'}\n")
    assert main(["--config", str(config), "feeds", "export"]) == 0
    outlines = ET.fromstring(capsysbinary.readouterr().out).findall("./body/outline")
    assert [(o.get("text"), o.get("xmlUrl")) for o in outlines] == [
        ("One", "https://news.example/rss"),
        ("private.example", "https://bob:****@private.example/feed")]
