"""Small shared pieces: durations, secret redaction, log lines that cannot be forged."""

import io
import json
import logging

import pytest

from shared import secrets
from shared.durations import parse_duration
from shared.logs import JsonFormatter, RedactingFilter


@pytest.mark.parametrize(("text", "seconds"), [
    ("30s", 30), ("5m", 300), ("1h", 3600), ("2d", 172800), ("1.5m", 90), (45, 45), ("10", 10),
])
def test_durations_parse(text: str | int, seconds: float) -> None:
    """Human durations become seconds."""
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["5x", "", "-1m", "0s", "m5", True, "five minutes"])
def test_bad_durations_are_refused(text: object) -> None:
    """Anything that is not a positive duration raises ValueError."""
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_expand_registers_and_redacts_secrets() -> None:
    """A value filled from ${VAR} is masked wherever it later appears."""
    text, missing = secrets.expand("tgram://${BOT_TOKEN}/123", {"BOT_TOKEN": "98765:ABCdefSECRET"})
    assert missing == []
    assert text == "tgram://98765:ABCdefSECRET/123"
    assert secrets.redact(f"failed to send to {text}") == "failed to send to tgram://****/123"


def test_missing_variables_are_reported() -> None:
    """Unset variables are listed by name and left as placeholders."""
    text, missing = secrets.expand("x ${NOPE_A} ${NOPE_B}", {})
    assert missing == ["NOPE_A", "NOPE_B"]
    assert text == "x ${NOPE_A} ${NOPE_B}"


def test_url_passwords_are_redacted_without_registration() -> None:
    """user:password@ in any URL is masked even when it was written inline."""
    assert secrets.redact("redis://:s3cretpw@redis:6379/0") == "redis://:****@redis:6379/0"
    assert secrets.redact("mailto://bob:pw123@smtp.example.org") == (
        "mailto://bob:****@smtp.example.org")


def _render(record_msg: str, *args: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("test.forge")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.warning(record_msg, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_title_cannot_forge_a_log_line() -> None:
    """A hostile title with newlines stays inside one JSON log line."""
    hostile = 'Strike\n{"level": "error", "msg": "forged"}\r\nmore'
    out = _render("tagged %s", hostile)
    lines = out.strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["msg"].startswith("tagged Strike\\n")


def test_log_lines_are_redacted() -> None:
    """A registered secret never reaches the log output, even through %-args."""
    secrets.register("tok-ABCDEF123456")
    out = _render("sending to json://h/%s", "tok-ABCDEF123456")
    assert "tok-ABCDEF123456" not in out and "****" in out
