"""One failure vocabulary: error texts round-trip to their FailureReason and label metrics."""

import pytest

from shared import metrics
from shared.failures import FailureReason, metric_label


def _count(label: str) -> float:
    value = metrics.REGISTRY.get_sample_value("newsalert_feed_failures_total", {"reason": label})
    return value or 0.0


@pytest.mark.parametrize("reason", list(FailureReason))
def test_every_failure_reason_gets_its_own_metric_label(reason: FailureReason) -> None:
    """A failed poll is counted under its reason's own label, never "other" or a neighbour's."""
    text = reason.text(503 if reason is FailureReason.HTTP else "")
    label = "http_503" if reason is FailureReason.HTTP else reason.value
    before = _count(label)
    metrics.feed_polled("failed", text)
    assert _count(label) == before + 1
    others = {metric_label(r.text()) for r in FailureReason if r is not reason}
    assert label not in others and label != "other"


@pytest.mark.parametrize("reason", list(FailureReason))
def test_error_text_round_trips_to_its_reason(reason: FailureReason) -> None:
    """The reason is recovered from the stored text, with or without a detail."""
    assert FailureReason.of(reason.text()) is reason
    assert FailureReason.of(reason.text("10.0.0.1 is private")) is reason


def test_error_text_keeps_the_established_forms() -> None:
    """Texts read as before: "http 503", "ssrf: <ip> is <kind>", bare codes."""
    assert FailureReason.HTTP.text(503) == "http 503"
    assert FailureReason.SSRF.text("10.0.0.1 is private") == "ssrf: 10.0.0.1 is private"
    assert FailureReason.PARSE_TIMEOUT.text() == "parse_timeout"


def test_free_text_never_becomes_a_label() -> None:
    """Text not written by FailureReason (it may hold a URL) is labelled "other"."""
    assert metric_label("https://user:pw@x/ weird thing") == "other"
    assert metric_label("timeouts everywhere") == "other"
    assert metric_label("http 5031") == "http"
    assert FailureReason.of("https://x/") is None
