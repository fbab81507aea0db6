"""Durations: human ones in config files (``30s``, ``5m``, ``1h``, ``2d``) and HTTP Retry-After."""

import re
import time
from datetime import UTC
from email.utils import parsedate_to_datetime

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_DELTA = re.compile(r"^\d{1,10}(?:\.\d{1,6})?$", re.ASCII)


def parse_duration(value: object) -> float:
    """Return seconds for ``5m``-style strings or plain numbers; raise ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("not a duration")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _PATTERN.match(str(value))
        if not match:
            raise ValueError("not a duration (use e.g. 30s, 5m, 1h, 2d)")
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    if seconds <= 0:
        raise ValueError("duration must be positive")
    return seconds


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from an HTTP Retry-After header: delta-seconds or an HTTP date.

    Anything else ("soon", "-1", an empty header) is None: the caller's own backoff applies.
    """
    value = (value or "").strip()
    if _DELTA.match(value):  # RFC 9110 says whole seconds; some services send "1.5"
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT even when the zone is missing
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
