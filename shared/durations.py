"""Human durations in config files: ``30s``, ``5m``, ``1h``, ``2d``."""

import re

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


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
