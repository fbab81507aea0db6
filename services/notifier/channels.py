"""Send one rendered alert to ONE apprise URL, and say what happened without leaking secrets.

Policy (retries, backoff, circuit breaking) lives in delivery.py; this module does exactly one
attempt: apprise's own retries and per-plugin throttle are switched off.
"""

import contextvars
import email.utils
import functools
import logging
import re
import time
import warnings
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import apprise
import requests
from apprise import AppriseResultStatus

from services.notifier.render import Rendered
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


@dataclass(frozen=True)
class SendOutcome:
    ok: bool
    status: str  # "sent" | "failed" | "timeout" | "invalid_url"
    detail: str  # short reason, secrets redacted
    retry_after: float | None  # seconds, when the service said so (429/503 Retry-After)


@dataclass
class _HttpObservation:
    """The last HTTP response seen by the send running in this context."""

    status: int | None = None
    retry_after: float | None = None
    seen: list[int] = field(default_factory=list)


# apprise runs each plugin's blocking send() in its thread pool through
# contextvars.copy_context() (plugins/base.py, async_notify), so a value set here before
# awaiting async_notify is visible in the worker thread, and only for that one send.
_OBSERVATION: contextvars.ContextVar[_HttpObservation | None] = contextvars.ContextVar(
    "newsalert_http_observation", default=None
)
_INSTANTIATING: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "newsalert_instantiating_url", default=None
)
_CACHE: dict[str, apprise.Apprise] = {}


class RedactFilter(logging.Filter):
    """Runs shared.secrets.redact on every record: apprise DEBUG lines carry full URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        url = _INSTANTIATING.get()
        cleaned = _mask_parts([message], url)[0] if url else redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def install_log_redaction() -> None:
    """Attach the filter to the loggers that see request URLs (idempotent).

    A logger's filters only run for records created on that logger, hence the list.
    """
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFilter) for f in logger.filters):
            logger.addFilter(RedactFilter())


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _observe(response: Any) -> None:
    observation = _OBSERVATION.get()
    if observation is None:
        return
    observation.status = int(response.status_code)
    observation.seen.append(observation.status)
    observation.retry_after = None
    if observation.status in (429, 503):
        observation.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        if observation.retry_after is None:
            observation.retry_after = _json_retry_after(response)


def _json_retry_after(response: Any) -> float | None:
    """Discord-style JSON body {"retry_after": seconds}."""
    if "json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        value = response.json().get("retry_after")
        return max(0.0, float(value)) if value is not None else None
    except (ValueError, TypeError, AttributeError):
        return None


def install_response_hook() -> None:
    """Observe HTTP responses of apprise's requests-based plugins (idempotent).

    apprise 2.x reports no HTTP status or headers (NotifyJSON calls requests.request and
    only logs "error=429"), so we wrap requests.Session.send. The wrapper only reads the
    response, and only records it when a send of ours is running in the current context.
    """
    original = requests.Session.send
    if getattr(original, "_newsalert_observer", False):
        return

    @functools.wraps(original)
    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        response = original(self, request, **kwargs)
        _observe(response)
        return response

    send._newsalert_observer = True  # type: ignore[attr-defined]
    requests.Session.send = send  # type: ignore[method-assign]


def _register_secrets(plugin: Any) -> None:
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


def _instantiate(url: str) -> Any:
    """Parse a URL into a plugin; apprise logs the URL while doing so, before we could
    register its secrets, so every record logged in this context gets the URL masked."""
    token = _INSTANTIATING.set(url)
    try:
        return apprise.Apprise.instantiate(url, suppress_exceptions=True)
    finally:
        _INSTANTIATING.reset(token)


def _scheme(url: str) -> str:
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    return scheme if re.fullmatch(r"[a-z][a-z0-9+.-]{0,20}", scheme) else "?"


def validate_url(url: str) -> str | None:
    """None when apprise accepts the URL, else a reason that quotes no part of the URL."""
    if "://" not in url:
        return "not an apprise URL (expected scheme://...)"
    with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
        plugin = _instantiate(url)
    if plugin is not None:
        return None
    # apprise's reason may quote tokens from the URL: mask every URL part before using it.
    reason = _mask_parts(captured.getvalue().strip().splitlines()[-1:] or [""], url)[0]
    reason = re.sub(r"^.*? - [A-Z]+ - ", "", reason)
    base = f"apprise does not accept this {_scheme(url)}:// URL"
    return f"{base}: {reason[:MAX_DETAIL]}" if reason else base


def _mask_parts(lines: list[str], url: str) -> list[str]:
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
    plugin = _instantiate(url)
    if plugin is None:
        return f"{_scheme(url)}://{MASK}"
    masked = str(plugin.url(privacy=True))
    if _scheme(url) not in _GENERIC:
        return masked
    parts = urlsplit(masked)
    segments = parts.path.split("/")
    secret = set(_secret_segments(plugin.fullpath or ""))
    path = "/".join(MASK if s and unquote(s) in secret else s for s in segments)
    # "+Name=value" adds an HTTP header, "-name=value" a GET parameter: both carry tokens.
    query = [(k, MASK if k[:1] in "+-" else v) for k, v in parse_qsl(parts.query, True)]
    return urlunsplit(parts._replace(path=path, query=urlencode(query, safe="*+")))


def _apprise_for(url: str) -> apprise.Apprise | None:
    """The cached Apprise object for one destination (None if apprise rejects the URL)."""
    cached = _CACHE.get(url)
    if cached is not None:
        return cached
    plugin = _instantiate(url)
    if plugin is None:
        return None
    # Our retry policy is the only one; the 5.5 s e-mail/ntfy throttle would serialise bursts.
    plugin.request_rate_per_sec = 0
    plugin.retry = 0
    _register_secrets(plugin)
    obj = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=True))
    obj.add(plugin)
    _CACHE[url] = obj
    return obj


_STATUS = {AppriseResultStatus.SUCCESS: "sent", AppriseResultStatus.TIMEOUT: "timeout"}


async def send(url: str, rendered: Rendered, *, timeout: float) -> SendOutcome:  # noqa: ASYNC109
    # (apprise enforces ``timeout`` itself and reports TIMEOUT; the interface is shared)
    """One attempt to deliver ``rendered`` to ``url``; never raises for delivery problems."""
    obj = _apprise_for(url)
    if obj is None:
        return SendOutcome(False, "invalid_url", validate_url(url) or "invalid URL", None)
    observation = _HttpObservation()
    token = _OBSERVATION.set(observation)
    try:
        result = await obj.async_notify(
            title=rendered.title,
            body=rendered.body,
            body_format=rendered.body_format,
            timeout=timeout,
        )
    except Exception as exc:  # an apprise bug must become a failed attempt, not a crash
        detail = _mask_parts([f"{type(exc).__name__}: {exc}"], url)[0]
        return SendOutcome(False, "failed", detail[:MAX_DETAIL], None)
    finally:
        _OBSERVATION.reset(token)
    with result:
        status = _STATUS.get(result.status, "failed")
        lines = [entry.message for entry in result.logs()]
    return SendOutcome(
        status == "sent",
        status,
        _detail(status, lines, observation, url),
        observation.retry_after if status != "sent" else None,
    )


def _detail(status: str, lines: list[str], observation: _HttpObservation, url: str) -> str:
    if status == "sent":
        return f"sent (HTTP {observation.status})" if observation.status else "sent"
    text = "; ".join(dict.fromkeys(_mask_parts(lines, url))) or status
    if observation.status is not None and f"error={observation.status}" not in text:
        text += f" (HTTP {observation.status})"
    return " ".join(text.split())[:MAX_DETAIL]


def load_apprise_plugins() -> None:
    """Load apprise's plugins now (idempotent) instead of on the first URL.

    apprise imports them lazily, and its e-mail plugin imports the deprecated ``imghdr``
    module: under ``-W error`` that DeprecationWarning would fail the first send.
    """
    from apprise.manager_plugins import NotificationManager

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'imghdr' is deprecated", DeprecationWarning)
        NotificationManager().load_modules()  # type: ignore[no-untyped-call]


load_apprise_plugins()
install_log_redaction()
install_response_hook()
