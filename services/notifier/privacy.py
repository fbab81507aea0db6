"""Keeping channel URLs secret: masking for display, secret registration, log redaction.

apprise's own ``url(privacy=True)`` leaves generic-webhook path tokens and header values
in clear, and apprise logs full URLs at DEBUG (while parsing them, before we could register
their secrets); everything here closes those gaps.
"""

import contextvars
import logging
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import apprise

from shared.logs import RedactingFilter
from shared.secrets import MASK, redact, register

MAX_DETAIL = 300
_GENERIC = {"json", "jsons", "form", "forms", "xml", "xmls"}
# A first path segment that is a plain word ("hooks", "api") is an endpoint, not a token.
_PLAIN_SEGMENT = re.compile(r"^[A-Za-z]{1,12}$")
_ANY_URL = re.compile(r"\b([a-z][a-z0-9+.-]{0,20})://\S*", re.IGNORECASE)
_LOGGERS = (
    "apprise",
    "requests",
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.util.retry",
)
# The URL apprise is parsing in this context: its records are masked part by part.
_INSTANTIATING: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "newsalert_instantiating_url", default=None
)


class RedactFilter(RedactingFilter):
    """The log redaction, plus every part of the URL apprise is parsing in this context:
    apprise DEBUG lines carry full URLs before their secrets could be registered."""

    def clean(self, text: str) -> str:
        url = _INSTANTIATING.get()
        return super().clean(mask_parts([text], url)[0] if url else text)


def install_log_redaction() -> None:
    """Attach the filter to the loggers that see request URLs (idempotent).

    A logger's filters only run for records created on that logger, hence the list.
    """
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFilter) for f in logger.filters):
            logger.addFilter(RedactFilter())


def register_secrets(plugin: Any) -> None:
    """Register the plugin's private URL parts so redact() masks them in every log line."""
    values = [
        getattr(plugin, info.get("map_to", key), None)
        for key, info in plugin.template_tokens.items()
        if info.get("private")
    ]
    values += list(getattr(plugin, "headers", {}).values())
    values += list(getattr(plugin, "params", {}).values())
    values += _secret_segments(getattr(plugin, "fullpath", "") or "")
    for value in values:
        for item in value if isinstance(value, list | tuple | set) else [value]:
            if isinstance(item, str):
                register(item)


def _secret_segments(path: str) -> list[str]:
    segments = [s for s in path.split("/") if s]
    return [s for i, s in enumerate(segments) if not (i == 0 and _PLAIN_SEGMENT.match(s))]


def instantiate(url: str) -> Any:
    """Parse a URL into a plugin; apprise logs the URL while doing so, before we could
    register its secrets, so every record logged in this context gets the URL masked."""
    token = _INSTANTIATING.set(url)
    try:
        return apprise.Apprise.instantiate(url, suppress_exceptions=True)
    finally:
        _INSTANTIATING.reset(token)


def scheme_of(url: str) -> str:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    return scheme if re.fullmatch(r"[a-z][a-z0-9+.-]{0,20}", scheme) else "?"


def validate_url(url: str) -> str | None:
    """None when apprise accepts the URL, else a reason that quotes no part of the URL."""
    if "://" not in url:
        return "not an apprise URL (expected scheme://...)"
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        plugin = instantiate(url)
    if plugin is not None:
        return None
    # apprise's reason may quote tokens from the URL: mask every URL part before using it.
    reason = mask_parts(captured.getvalue().strip().splitlines()[-1:] or [""], url)[0]
    reason = re.sub(r"^.*? - [A-Z]+ - ", "", reason)
    base = f"apprise does not accept this {scheme_of(url)}:// URL"
    return f"{base}: {reason[:MAX_DETAIL]}" if reason else base


def mask_parts(lines: list[str], url: str) -> list[str]:
    """Mask every user/password/path/query value of ``url`` that appears in the lines."""
    rest = url.split("://", 1)[-1]
    parts = {p for p in re.split(r"[/?&=@:#]", rest) if len(p) >= 4}
    host = urlsplit(url).hostname or ""
    parts.discard(host)
    masked = []
    for line in lines:
        line = _ANY_URL.sub(lambda m: f"{m.group(1)}://{MASK}", line)
        for part in sorted(parts, key=len, reverse=True):
            line = line.replace(part, MASK)
        masked.append(redact(line))
    return masked


def privacy_url(url: str) -> str:
    """apprise's url(privacy=True), plus masking of generic-webhook path tokens and headers."""
    plugin = instantiate(url)
    if plugin is None:
        return f"{scheme_of(url)}://{MASK}"
    masked = str(plugin.url(privacy=True))
    if scheme_of(url) not in _GENERIC:
        return masked
    parts = urlsplit(masked)
    segments = parts.path.split("/")
    secret = set(_secret_segments(plugin.fullpath or ""))
    path = "/".join(MASK if s and unquote(s) in secret else s for s in segments)
    # "+Name=value" adds an HTTP header, "-name=value" a GET parameter: both carry tokens.
    query = [(k, MASK if k[:1] in "+-" else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(path=path, query=urlencode(query, safe="*+")))


install_log_redaction()
