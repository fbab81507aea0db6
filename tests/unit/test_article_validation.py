"""Consumers validate articles: bounded sizes, no control characters, UTC timestamps."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from services.poller import items
from shared import schemas
from shared.schemas import Article, Event


def _article(**fields: object) -> Article:
    return Article.model_validate({"id": "a1", "feed": "wire", "title": "t", **fields})


def test_naive_published_is_taken_as_utc_and_offsets_are_normalised() -> None:
    """A naive ``published`` becomes aware UTC; a -05:00 one is converted to UTC."""
    assert _article(published="2024-01-23T10:00:00").published == datetime(
        2024, 1, 23, 10, tzinfo=UTC)
    shifted = _article(published=datetime(2024, 1, 23, 10, tzinfo=timezone(timedelta(hours=-5))))
    assert shifted.published == datetime(2024, 1, 23, 15, tzinfo=UTC)
    assert shifted.published is not None and shifted.published.tzinfo is UTC
    assert _article(fetched_at="2024-01-23T10:00:00").fetched_at.tzinfo is UTC


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59",
                                  "1969-07-20T20:17:00Z"])
def test_nonsense_published_dates_are_dropped_not_fatal(when: str) -> None:
    """Out-of-range dates leave ``published`` empty and the article usable."""
    assert _article(published=when).published is None


@pytest.mark.parametrize(("field", "size"), [("id", 1 << 20), ("id", schemas.ID_MAX + 1),
                                             ("title", schemas.TITLE_MAX + 1),
                                             ("summary", schemas.SUMMARY_MAX + 1),
                                             ("url", schemas.URL_MAX + 1),
                                             ("feed", schemas.FEED_MAX + 1)])
def test_oversized_fields_are_refused_naming_the_field(field: str, size: int) -> None:
    """A field over its wire cap fails validation, and the error names that field."""
    value = "https://x.org/" + "a" * size if field == "url" else "a" * size
    with pytest.raises(ValidationError) as caught:
        _article(**{field: value})
    assert [e["loc"][0] for e in caught.value.errors()] == [field]


@pytest.mark.parametrize("ident", ["", "tab\there", "nul\x00", "line\nbreak", "esc\x1b"])
def test_ids_with_blanks_or_control_characters_are_refused(ident: str) -> None:
    """An id must be non-empty printable text."""
    with pytest.raises(ValidationError):
        _article(id=ident)


def test_text_fields_lose_control_characters_and_bad_links() -> None:
    """Titles become one line; summaries keep line breaks; non-http links are emptied."""
    article = _article(title="Strike\r\nat\x00 dawn\x1b[31m", summary="one\ntwo\x07",
                       url="javascript:alert(1)", feed_url="https://ok.example/rss")
    assert article.title == "Strike  at dawn[31m"
    assert article.summary == "one\ntwo"
    assert article.url == "" and article.feed_url == "https://ok.example/rss"
    assert _article(url="https://x.org/a b").url == ""


def test_event_id_and_tag_names_are_bounded() -> None:
    """Events validate their own id and tag names as well as the article inside."""
    with pytest.raises(ValidationError):
        Event.model_validate({"id": "e" * (schemas.ID_MAX + 1), "article": _article()})
    with pytest.raises(ValidationError):
        Event.model_validate({"id": "e", "article": _article(), "tags": [{"name": ""}]})


def test_poller_caps_fit_inside_the_wire_caps() -> None:
    """Whatever the poller publishes passes a consumer's validation."""
    assert items.TITLE_MAX <= schemas.TITLE_MAX
    assert items.SUMMARY_MAX <= schemas.SUMMARY_MAX
    assert items.LINK_MAX <= schemas.URL_MAX
