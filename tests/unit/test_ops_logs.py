"""Logs: one JSON line per record, no forged lines, no secrets at any level."""

import io
import json
import logging
from collections.abc import Iterator

import pytest

from shared import secrets
from shared.logs import JsonFormatter, RedactingFilter

SECRET = "tok-9f8e7d6c5b"


@pytest.fixture(name="capture")
def _capture() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("newsalert.test_ops_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, out
    logger.removeHandler(handler)


def test_title_cannot_forge_a_line(capture: tuple[logging.Logger, io.StringIO]) -> None:
    """A title carrying a newline and a fake JSON record stays inside one info line."""
    logger, out = capture
    title = 'Strike\n{"level": "error", "msg": "forged"}\r\nmore'
    logger.info("tagged %s", title, extra={"article_id": "a1", "feed": title})
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["level"] == "info" and record["article_id"] == "a1"
    assert "\n" not in record["msg"] and "forged" in record["msg"]


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR])
def test_no_secret_at_any_level(capture: tuple[logging.Logger, io.StringIO], level: int) -> None:
    """Registered secrets and URL passwords are masked in messages, fields and tracebacks."""
    logger, out = capture
    secrets.register(SECRET)
    url = f"json://user:{SECRET}@hooks.example/x?t={SECRET}"
    try:
        raise RuntimeError(f"send to {url} failed")
    except RuntimeError:
        logger.log(level, "delivery to %s", url, exc_info=True, extra={"url": url})
    text = out.getvalue()
    assert SECRET not in text and "redis://:pw@" not in text
    assert secrets.MASK in json.loads(text.splitlines()[0])["msg"]
