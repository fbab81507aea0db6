"""Logging: JSON lines off a terminal, readable on one; secrets redacted; no forged lines."""

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from shared.secrets import redact

_FIELDS = ("service", "event_id", "article_id", "feed", "subscription", "url", "status")


def _clean(text: str) -> str:
    # A title carrying "\n" could otherwise forge a whole log line.
    return redact(text).replace("\r", "\\r").replace("\n", "\\n")


class RedactingFilter(logging.Filter):
    """Renders the message once, redacted and escaped, so no handler sees a secret.

    Subclasses that know more secrets (a URL being parsed right now) extend :meth:`clean`.
    """

    def clean(self, text: str) -> str:
        """``text`` with every known secret masked and line breaks escaped."""
        return _clean(text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.clean(record.getMessage())
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name in _FIELDS:
            if hasattr(record, name):
                data[name] = _clean(str(getattr(record, name)))
        if record.exc_text:
            data["exc"] = record.exc_text
        return json.dumps(data, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable lines for a terminal, with the structured fields appended."""

    def format(self, record: logging.LogRecord) -> str:
        extra = " ".join(
            f"{n}={_clean(str(getattr(record, n)))}" for n in _FIELDS if hasattr(record, n)
        )
        line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name}: "
        line += record.getMessage() + (f"  {extra}" if extra else "")
        return line + (f"\n{record.exc_text}" if record.exc_text else "")


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever ``sys.stderr`` is at emit time (it may be swapped, e.g. by tests)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        return None


def configure_logging(level: str = "INFO", json_output: bool | None = None) -> None:
    """Install one stderr handler on the root logger; safe to call more than once."""
    use_json = (not sys.stderr.isatty()) if json_output is None else json_output
    handler = StderrHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if use_json else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_newsalert", False)]:
        root.removeHandler(old)
    handler._newsalert = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # One line per handled message is ours; FastStream's access lines would double it.
    logging.getLogger("faststream.access").setLevel(max(logging.WARNING, root.level))
