"""Why a feed poll failed: one vocabulary for fetch, parse, the feed's stored error and metrics.

A failure is written as its reason, optionally followed by a detail: ``too_large``,
``ssrf: 10.0.0.1 is private``, ``http 503``. The text is what ``feeds list`` shows and the
feed-health alert quotes; the reason alone is the bounded metric label (the detail may hold
an address or a URL, so it never becomes a label).
"""

import re
from enum import StrEnum

_LEADING = re.compile(r"^([a-z_]+)(?=$|:| )")


class FailureReason(StrEnum):
    """Every way a poll can fail; the value is the first word of the error text."""

    # Fetch: transport
    TIMEOUT = "timeout"
    CONNECT = "connect"
    NETWORK = "network"
    DNS = "dns"
    URL = "url"
    # Fetch: refused by the SSRF guard or by redirect limits
    SCHEME = "scheme"
    SSRF = "ssrf"
    REDIRECT_INVALID = "redirect_invalid"
    REDIRECT_LIMIT = "redirect_limit"
    # Fetch: the response
    HTTP = "http"
    TOO_LARGE = "too_large"
    ENCODING = "encoding"
    DECODE = "decode"
    # Parse
    PARSE_ERROR = "parse_error"
    NOT_A_FEED = "not_a_feed"
    DOCTYPE_REFUSED = "doctype_refused"
    PARSE_MEMORY = "parse_memory"
    PARSE_TIMEOUT = "parse_timeout"
    PARSE_CRASHED = "parse_crashed"

    def text(self, detail: object = "") -> str:
        """The error text: ``reason``, ``reason: detail``, or ``http 503`` for a status."""
        if detail == "":
            return self.value
        return f"{self.value} {detail}" if self is FailureReason.HTTP else f"{self}: {detail}"

    @classmethod
    def of(cls, error: str) -> "FailureReason | None":
        """The reason an error text starts with; None for text not written by :meth:`text`."""
        match = _LEADING.match(error.strip())
        if match is None:
            return None
        try:
            return cls(match.group(1))
        except ValueError:
            return None


def metric_label(error: str) -> str:
    """A bounded label for an error text: its reason (``http_503`` per status), else ``other``."""
    reason = FailureReason.of(error)
    if reason is None:
        return "other"
    if reason is FailureReason.HTTP:
        status = error.strip()[len("http "):]
        return f"http_{status}" if len(status) == 3 and status.isdigit() else "http"
    return reason.value
